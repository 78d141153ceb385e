"""JS-06 院校创业指导站扶持补贴 — 金就办〔2023〕1号 二(六).

Reading (catalog): station at a school in Jinshan, rated by the city, operating well, cooperating with
district/town services: 50 % of the city's annual service-effectiveness subsidy for that station and year
(input; the city's grant implies the rating); once per station per year; payable in the month the city
grant is made.

Our choices:
- The percentage is a parameter; the amount is ``percent`` % of the city grant in fen, rounded half up to
  the fen (G11) in integer arithmetic: 50 % of 40,001 is 20,000.50; 50 % of 33,333.33 is 16,666.67
  (1,666,666.5 fen rounds up).
- A city grant of 0 pays nothing (no line).
- "运作良好" and the cooperation with district and town services are implied by the city's grant; the
  case format has no separate fact for them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import polars as pl

from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, Subjects, detail
from jiuye.rules.measures._jinshan import (
    in_window,
    organization_is,
    organizations,
)
from jiuye.rules.money import yuan_text
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 二(六)"


def percent_of_fen_expr(fen: pl.Expr, percent: Decimal | int) -> pl.Expr:
    """Vectorised :func:`jiuye.rules.money.percent_of_fen` for amounts ≥ 0: ``percent`` % half up to the fen.

    percent = a/b exactly, so fen × percent / 100 = fen·a / (100·b); half up = ⌊(2·fen·a + 100·b) / (200·b)⌋.
    """
    a, b = Decimal(str(percent)).as_integer_ratio()
    return (fen.cast(pl.Int64) * (2 * a) + 100 * b) // (200 * b)


class GuidanceStationSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-06",
        title="院校创业指导站扶持补贴",
        clause=CLAUSE,
        quote="本辖区范围内经市人力资源和社会保障部门评定为相应等级且运作良好的院校创业指导站，配合区、镇就业部门"
        "开展毕业生求职创业补贴申请、就业推荐、职业指导、技能提升、创业大赛及其他各类主题就业创业活动的，"
        "给予创业指导站扶持补贴，补贴标准为市年度服务成效评估补贴资金的 50%。",
        summary="金山区内高校、中职学校的创业指导站，获得市里年度服务成效评估补贴的，区里再按市级补贴金额的"
        "50%给予扶持补贴，每年一次，在市级补贴拨付的月份发放。",
        groups=("organizations", "graduates", "entrepreneurs"),
        beneficiary="organization",
        frequency="yearly",
        kind="money",
        line_bound_yuan=1_000_000,
        reading="以市年度服务成效评估补贴资金的拨付为准（拨付即表明已经市人社部门评定且运作良好）：金山区的院校"
        "创业指导站，按该站该年度市级补贴金额的50%补贴，四舍五入到分；每站每年度一次，所属月份为市级补贴拨付月份。",
    )
    subjects: ClassVar[Subjects] = "organizations"
    # once per station per year ("year" in the key: the engine partitions by Cap.key only)
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary", "year"), "lines", extra=("year",))

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "org_district", "位于本辖区（金山）的院校创业指导站"),)
    needs: ClassVar[tuple[str, ...]] = ('organizations', 'city_subsidies')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per organisation × city grant (an organisation without grants keeps one row)."""
        grants = facts.city_subsidies.lazy().rename({"amount_fen": "city_amount_fen"})
        return organizations(facts).join(grants, on="org", how="left")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            organization_is("guidance_station", CLAUSE),
            Condition("city_granted", "获得市年度服务成效评估补贴资金（经市人社部门评定且运作良好）", CLAUSE,
                      pl.col("city_amount_fen") > 0,
                      detail("{}年度市级补贴 {}，{} 拨付", pl.col("year"), yuan_text(pl.col("city_amount_fen"), "元"),
                             pl.col("granted_on"))),
            in_window(p, pl.col("granted_on").dt.truncate("1mo"), "市级补贴拨付月份", over=("org", "year")),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("granted_on").dt.truncate("1mo")
        return eligible.select(
            beneficiary="org", subject="org", month=month,
            amount_fen=percent_of_fen_expr(pl.col("city_amount_fen"), p.get("percent_of_city_subsidy")),
            year="year",
        )  # fmt: skip


MEASURE = GuidanceStationSubsidy()
