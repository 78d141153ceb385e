"""CM-01b 接送职工交通费补贴 — 沪崇就办〔2023〕2号 一(一).

Reading (catalog): production enterprise in one of the five parks running commuter buses; the case format has no park, bus or industry facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import Meta, ReviewerDecided
from jiuye.rules.measures._chongming import CLAUSE_1


class CommuterBusSubsidy(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="CM-01b",
        title="接送职工交通费补贴",
        clause=CLAUSE_1,
        quote="对入驻五大园区、实施班车接送职工通勤的生产加工型企业，符合条件的给予接送职工交通费补贴。",
        summary="入驻崇明五大园区、用班车接送职工上下班的生产加工型企业，符合条件的可获接送职工交通费补贴。需提出申请，由经办人员审核认定。",
        groups=("employers",),
        beneficiary="employer",
        frequency="none",
        kind="reviewer",
        reading="入驻五大园区、实施班车接送职工通勤的生产加工型企业；案例格式没有园区入驻、班车和企业类型（生产加工型）等事实，由经办人员审核认定是否符合条件，金额按本市有关标准（G6）。",
    )


MEASURE = CommuterBusSubsidy()
