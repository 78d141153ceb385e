"""CM-08a 见习生活费补贴、带教费补贴 — 沪崇就办〔2023〕2号 二(八).

Reading (catalog): Chongming internships; the text only asks to apply the municipal internship subsidies.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_8


class InternshipLivingAndMentoringSubsidy(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-08a",
        title="见习生活费补贴、带教费补贴",
        clause=CLAUSE_8,
        quote="进一步发挥见习政策效用，落实见习生活费补贴、带教费补贴等见习补贴政策。",
        summary="参加崇明就业见习的学员可享受见习生活费补贴，见习基地可享受带教费补贴。由见习基地申请，经办人员审核认定，标准按市里规定执行。",
        groups=("graduates", "youth", "organizations"),
        beneficiary="organization",
        frequency="monthly",
        kind="reviewer",
        reading="文件只要求“落实”见习补贴政策，未规定条件和金额；由见习基地申请、经办人员审核认定，金额按本市有关标准（G6）。签约后剩余期限的带教费另见CM-08。",
    )


MEASURE = InternshipLivingAndMentoringSubsidy()
