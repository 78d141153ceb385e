"""CM-02a 一次性开办费补贴 — 沪崇就办〔2023〕2号 一(二).

Reading (catalog): Chongming labour or startup organisation meeting the rules; the case format has no founder or startup-registration facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import DecidedOnApplication, FormField, Meta, Scope
from jiuye.rules.measures._chongming import CLAUSE_2


class StartupOpeningSubsidy(DecidedOnApplication):
    meta: ClassVar[Meta] = Meta(
        id="CM-02a",
        title="一次性开办费补贴",
        clause=CLAUSE_2,
        quote="符合条件的本区劳动力、创业组织可按规定申请享受一次性开办费补贴和创业带动就业一次性补贴。",
        summary="本区劳动力创业、新办创业组织的，符合条件的可申请一次性开办费补贴。需提出申请，由经办人员审核认定，标准按市里规定执行。",
        groups=("entrepreneurs",),
        beneficiary="person",
        frequency="once",
        kind="application",
        reading="本区劳动力或创业组织按规定申请；案例格式没有创业者、创业组织设立等事实，由经办人员审核认定是否符合条件，金额按本市有关标准（G6），一次性。依申请办理（政策目录第2版）：申请表收集创业者身份和户籍、创业组织名称、信用代码、登记注册所在区和日期及营业执照，经办人员审核认定并核定金额，批准后作为应享待遇记入台账。",
    )
    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district", "本区（崇明）劳动力或在崇明登记注册的创业组织"),)
    form: ClassVar[tuple[FormField, ...]] = (
        FormField("founder", "创业者身份证号码", "person"),
        FormField("hukou_district", "创业者户籍所在区", "district", help="本区（崇明）劳动力（G12）"),
        FormField("organization_name", "创业组织名称", "text"),
        FormField("credit_code", "创业组织统一社会信用代码", "text"),
        FormField("organization_district", "创业组织登记注册所在区", "district"),
        FormField("registered_on", "创业组织登记注册日期", "date"),
        FormField("license", "营业执照", "file"),
    )


MEASURE = StartupOpeningSubsidy()
