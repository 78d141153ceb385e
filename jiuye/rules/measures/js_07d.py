"""JS-07d 国家级、市级大赛配套创业启动金、助力发展金 — 金就办〔2023〕1号 二(七).

Reading (catalog): award at national or city level; the amount follows the city's standard (G6).

Why a reviewer decides: the case format records only the district HR bureau's competitions (``events``
with places); it has no national or city award, nor its level or the city's matching standard.  The
measure is listed with its clause and applied for; a reviewer checks the award certificate and sets the
amount by the city standard.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, Meta, ReviewerDecided


class NationalCityAwardMatching(ReviewerDecided):
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
        kind="reviewer",
        reading="案例格式只记录区人社部门主办的赛事，没有国家级、市级大赛的获奖等级和市级配套标准，无法自动计算；"
        "由经办人员审核获奖证明，按市级标准（G6 待设定金额）认定。",
    )


MEASURE = NationalCityAwardMatching()
