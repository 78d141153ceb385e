"""CM-02d 创业担保批次贷 — 沪崇就办〔2023〕2号 一(二).

Reading (catalog): a guaranteed loan, handled as a referral to the lender with the white-list recommendation.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_2


class StartupGuaranteedBatchLoan(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-02d",
        title="创业担保批次贷",
        clause=CLAUSE_2,
        quote="积极推行“创业担保批次贷”，鼓励市级创业孵化示范基地等创业服务载体以推荐“白名单”方式开展批次贷业务，提高审批效率。",
        summary="创业者可通过市级创业孵化示范基地等载体的“白名单”推荐，申请创业担保批次贷款。由经办人员审核后推荐给贷款机构。",
        groups=("entrepreneurs", "organizations"),
        beneficiary="organization",
        frequency="none",
        kind="reviewer",
        reading="担保贷款而非补贴：经办人员审核后，凭创业服务载体的“白名单”推荐转介贷款机构，本软件不计算金额。",
    )


MEASURE = StartupGuaranteedBatchLoan()
