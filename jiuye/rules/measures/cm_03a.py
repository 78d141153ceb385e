"""CM-03a 企业新型学徒制培训补贴 — 沪崇就办〔2023〕2号 一(三).

Reading (catalog): named without a computable rule; the case format has no apprenticeship facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_3


class NewApprenticeshipTrainingSubsidy(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-03a",
        title="企业新型学徒制培训补贴",
        clause=CLAUSE_3,
        quote="落实企业新型学徒制培训经费补贴政策，支持企业开展学徒制培养。",
        summary="开展新型学徒制培养的企业，可按规定申请培训经费补贴。需提出申请，由经办人员审核认定，标准按市里规定执行。",
        groups=("employers", "skills"),
        beneficiary="employer",
        frequency="none",
        kind="reviewer",
        reading="案例格式没有学徒制培养的事实，由经办人员审核认定，金额按本市有关标准（G6）。",
    )


MEASURE = NewApprenticeshipTrainingSubsidy()
