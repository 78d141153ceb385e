"""CM-10h 公益性岗位托底安置 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog): a placement, not money.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_10


class PublicWelfarePostPlacement(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-10h",
        title="公益性岗位托底安置",
        clause=CLAUSE_10,
        quote="规范公益性岗位开发管理，对通过市场渠道确实难以实现就业的，通过公益性岗位予以托底安置，确保零就业家庭至少一人就业。",
        summary="通过市场渠道确实难以就业的人员，可通过公益性岗位托底安置，确保零就业家庭至少一人就业。由经办人员审核安排。",
        groups=("hardship",),
        beneficiary="person",
        frequency="none",
        kind="reviewer",
        reading="是岗位安置而非资金：是否“通过市场渠道确实难以实现就业”由经办人员审核认定，本软件不计算金额。",
    )


MEASURE = PublicWelfarePostPlacement()
