"""CM-03b 职业培训补贴 / 职业技能提升补贴 — 沪崇就办〔2023〕2号 一(三).

Reading (catalog): named without a computable rule.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_3


class VocationalTrainingSubsidy(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-03b",
        title="职业培训补贴 / 职业技能提升补贴",
        clause=CLAUSE_3,
        quote="鼓励劳动者参加职业技能培训评价，按规定给予职业培训补贴或职业技能提升补贴支持。",
        summary="参加职业技能培训和评价的劳动者，可按规定申请职业培训补贴或职业技能提升补贴。需提出申请，由经办人员审核认定。",
        groups=("skills",),
        beneficiary="person",
        frequency="none",
        kind="reviewer",
        reading="文件未规定补贴条件和金额（“按规定”），由经办人员审核认定，金额按本市有关标准（G6）。",
    )


MEASURE = VocationalTrainingSubsidy()
