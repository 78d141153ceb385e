"""CM-01a 稳定就业岗位补贴 — 沪崇就办〔2023〕2号 一(一).

Reading (catalog): per stably employed headcount; the case format has no headcount facts.  Eligibility is decided by a reviewer (kind "reviewer"); where money is
involved its amount is set by a municipal standard (G6).  Listed in the policy list with its clause.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import DecidedOnApplication, FormField, Meta, Scope
from jiuye.rules.measures._chongming import CLAUSE_1


class StableJobsSubsidy(DecidedOnApplication):
    meta: ClassVar[Meta] = Meta(
        id="CM-01a",
        title="稳定就业岗位补贴",
        clause=CLAUSE_1,
        quote="鼓励用人单位稳定就业岗位，对符合条件的用人单位，按稳定就业人数予以岗位补贴。",
        summary="稳定就业岗位的用人单位，符合条件的按稳定就业人数获得岗位补贴。需提出申请，由经办人员审核认定，标准按市里规定执行。",
        groups=("employers",),
        beneficiary="employer",
        frequency="none",
        kind="application",
        reading="按稳定就业人数给予岗位补贴；案例格式没有单位稳定就业人数等事实，由经办人员审核认定是否符合条件，金额按本市有关标准（G6）。依申请办理（政策目录第2版）：申请表收集单位注册所在区、补贴年度、年初与年末参保人数、稳定就业人数、裁员人数及参保证明，经办人员审核认定并核定金额，批准后作为应享待遇记入台账。",
    )
    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    form: ClassVar[tuple[FormField, ...]] = (
        FormField("employer", "用人单位统一社会信用代码", "employer"),
        FormField("employer_district", "单位注册所在区", "district", help="须为崇明区（G12）"),
        FormField("year", "补贴年度", "integer"),
        FormField("insured_at_start", "年初参保职工人数", "integer"),
        FormField("insured_at_end", "年末参保职工人数", "integer"),
        FormField("stable_headcount", "稳定就业人数", "integer", help="按本市有关规定计算"),
        FormField("layoffs", "本年度裁员人数", "integer"),
        FormField("evidence", "参保人数证明", "file"),
    )


MEASURE = StableJobsSubsidy()
