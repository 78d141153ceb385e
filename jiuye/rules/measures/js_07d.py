"""JS-07d 国家级、市级大赛配套创业启动金、助力发展金 — 金就办〔2023〕1号 二(七).

Reading (catalog): award at national or city level; the amount follows the city's standard (G6).

Why a reviewer decides: the case format records only the district HR bureau's competitions (``events``
with places); it has no national or city award, nor its level or the city's matching standard.  The
measure is listed with its clause and applied for; a reviewer checks the award certificate and sets the
amount by the city standard.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, DecidedOnApplication, FormField, Meta, Scope


class NationalCityAwardMatching(DecidedOnApplication):
    meta: ClassVar[Meta] = Meta(
        id="JS-07d",
        title="国家级、市级大赛配套创业启动金、助力发展金",
        clause=f"{JS_DOC} 二(七)",
        quote="对获得国家级、市级创新创业大赛奖项的，按照市级标准同步配套创业启动金和助力发展金。",
        summary="在国家级、市级创新创业大赛中获奖的创业者，区里按市级标准同步配套发放创业启动金和助力发展金。"
        "需提出申请，由经办人员核实获奖情况后按市级标准确定金额。",
        groups=("entrepreneurs",),
        beneficiary="person",
        frequency="once",
        kind="application",
        reading="案例格式只记录区人社部门主办的赛事，没有国家级、市级大赛的获奖等级和市级配套标准，无法自动计算；"
        "由经办人员审核获奖证明，按市级标准（G6 待设定金额）认定。依申请办理（政策目录第2版）：申请表收集获奖大赛名称、级别（国家级、市级）、等次、日期和获奖证书，以及申请人户籍或创业组织登记注册所在区，经办人员审核认定并核定金额，批准后作为应享待遇记入台账。",
    )
    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district", "申请人为本区（金山）户籍，或创业组织在金山登记注册"),)
    form: ClassVar[tuple[FormField, ...]] = (
        FormField("applicant", "申请人身份证号码", "person"),
        FormField("hukou_district", "申请人户籍所在区", "district", help="本区（金山）户籍，或创业组织在金山登记注册（G12）"),
        FormField("startup_name", "创业组织名称", "text", required=False),
        FormField("startup_credit_code", "创业组织统一社会信用代码", "text", required=False),
        FormField("startup_district", "创业组织登记注册所在区", "district", required=False),
        FormField("competition", "大赛名称", "text"),
        FormField("award_level", "大赛级别", "choice", choices=(("national", "国家级"), ("city", "市级"))),
        FormField("award_place", "获奖等次", "text", help="如一等奖、金奖、优胜奖"),
        FormField("award_on", "获奖日期", "date"),
        FormField("certificate", "获奖证书", "file"),
        FormField("city_standard_amount", "市级配套标准金额（元）", "money", required=False,
                  help="按市级标准同步配套；由经办人员核定"),
    )


MEASURE = NationalCityAwardMatching()
