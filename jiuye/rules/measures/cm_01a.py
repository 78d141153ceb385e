"""CM-01a 稳定就业岗位补贴 — 沪崇就办〔2023〕2号 一(一).

Reading (catalog): per stably employed headcount; the case format has no headcount facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_1


class StableJobsSubsidy(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-01a",
        title="稳定就业岗位补贴",
        clause=CLAUSE_1,
        quote="鼓励用人单位稳定就业岗位，对符合条件的用人单位，按稳定就业人数予以岗位补贴。",
        summary="稳定就业岗位的用人单位，符合条件的按稳定就业人数获得岗位补贴。需提出申请，由经办人员审核认定，标准按市里规定执行。",
        groups=("employers",),
        beneficiary="employer",
        frequency="none",
        kind="reviewer",
        reading="按稳定就业人数给予岗位补贴；案例格式没有单位稳定就业人数等事实，由经办人员审核认定是否符合条件，金额按本市有关标准（G6）。",
    )


MEASURE = StableJobsSubsidy()
