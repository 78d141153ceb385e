"""CM-02c 创业类比赛优胜奖励 — 沪崇就办〔2023〕2号 一(二).

Reading (catalog): named without a computable rule.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_2


class StartupCompetitionAward(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-02c",
        title="创业类比赛优胜奖励",
        clause=CLAUSE_2,
        quote="鼓励本区创业团队或创业组织参加各级人力资源社会保障部门组织的创业比赛，对获奖团队或组织发放创业类比赛优胜奖励。",
        summary="本区创业团队或创业组织参加各级人社部门组织的创业比赛获奖的，可获优胜奖励。需提出申请，由经办人员审核认定。",
        groups=("entrepreneurs",),
        beneficiary="organization",
        frequency="per_event",
        kind="reviewer",
        reading="文件未规定奖励条件和金额，由经办人员审核认定，金额按本市有关标准（G6）。",
    )


MEASURE = StartupCompetitionAward()
