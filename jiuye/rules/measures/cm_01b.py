"""CM-01b 接送职工交通费补贴 — 沪崇就办〔2023〕2号 一(一).

Reading (catalog): production enterprise in one of the five parks running commuter buses; the case format has no park, bus or industry facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import DecidedOnApplication, FormField, Meta, Scope
from jiuye.rules.measures._chongming import CLAUSE_1


class CommuterBusSubsidy(DecidedOnApplication):
    meta: ClassVar[Meta] = Meta(
        id="CM-01b",
        title="接送职工交通费补贴",
        clause=CLAUSE_1,
        quote="对入驻五大园区、实施班车接送职工通勤的生产加工型企业，符合条件的给予接送职工交通费补贴。",
        summary="入驻崇明五大园区、用班车接送职工上下班的生产加工型企业，符合条件的可获接送职工交通费补贴。需提出申请，由经办人员审核认定。",
        groups=("employers",),
        beneficiary="employer",
        frequency="none",
        kind="application",
        reading="入驻五大园区、实施班车接送职工通勤的生产加工型企业；案例格式没有园区入驻、班车和企业类型（生产加工型）等事实，由经办人员审核认定是否符合条件，金额按本市有关标准（G6）。依申请办理（政策目录第2版）：申请表收集单位注册所在区、入驻园区、是否生产加工型企业、班车接送期间、线路、人数和费用票据，经办人员审核认定并核定金额，批准后作为应享待遇记入台账。",
    )
    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    form: ClassVar[tuple[FormField, ...]] = (
        FormField("employer", "用人单位统一社会信用代码", "employer"),
        FormField("employer_district", "单位注册所在区", "district", help="须为崇明区（G12）"),
        FormField("park", "入驻园区", "text", help="崇明五大园区之一"),
        FormField("production_enterprise", "是否生产加工型企业", "boolean"),
        FormField("period_start", "班车接送起始日期", "date"),
        FormField("period_end", "班车接送截止日期", "date"),
        FormField("routes", "班车线路数", "integer"),
        FormField("employees_carried", "接送职工人数", "integer"),
        FormField("cost", "班车费用（元）", "money"),
        FormField("evidence", "班车服务合同及费用票据", "file"),
    )


MEASURE = CommuterBusSubsidy()
