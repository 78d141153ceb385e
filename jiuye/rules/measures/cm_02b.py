"""CM-02b 创业带动就业一次性补贴 — 沪崇就办〔2023〕2号 一(二).

Reading (catalog): Chongming labour or startup organisation meeting the rules; the case format has no startup or jobs-created facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import DecidedOnApplication, FormField, Meta, Scope
from jiuye.rules.measures._chongming import CLAUSE_2


class StartupJobCreationSubsidy(DecidedOnApplication):
    meta: ClassVar[Meta] = Meta(
        id="CM-02b",
        title="创业带动就业一次性补贴",
        clause=CLAUSE_2,
        quote="符合条件的本区劳动力、创业组织可按规定申请享受一次性开办费补贴和创业带动就业一次性补贴。",
        summary="本区创业组织带动他人就业的，符合条件的可申请创业带动就业一次性补贴。需提出申请，由经办人员审核认定，标准按市里规定执行。",
        groups=("entrepreneurs", "employers"),
        beneficiary="organization",
        frequency="once",
        kind="application",
        reading="本区劳动力或创业组织按规定申请；案例格式没有创业组织及其带动就业人数等事实，由经办人员审核认定是否符合条件，金额按本市有关标准（G6），一次性。依申请办理（政策目录第2版）：申请表收集创业组织登记注册所在区和日期、创业者身份、带动就业人数、参保起始月份及劳动合同与参保证明，经办人员审核认定并核定金额，批准后作为应享待遇记入台账。",
    )
    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "organization_district", "在崇明登记注册的创业组织"),)
    form: ClassVar[tuple[FormField, ...]] = (
        FormField("organization", "创业组织统一社会信用代码", "text"),
        FormField("organization_district", "创业组织登记注册所在区", "district", help="须为崇明区（G12）"),
        FormField("registered_on", "创业组织登记注册日期", "date"),
        FormField("founder", "创业者身份证号码", "person"),
        FormField("jobs_created", "带动就业人数（签订劳动合同并缴纳社会保险）", "integer"),
        FormField("insured_from", "所带动人员缴纳社会保险起始月份", "month"),
        FormField("evidence", "劳动合同及参保证明", "file"),
    )


MEASURE = StartupJobCreationSubsidy()
