"""JS-07c 一次性落地补贴 — 金就办〔2023〕1号 二(七).

Reading (catalog): after a national, city or district award: registered in Jinshan (or moved in) after the
award, operating normally ≥ 1 year, employing ≥ 1 Jinshan-hukou person: approved amount, at most 100,000;
once per startup; payable in the month one year of operation is completed.

Our choices:
- ``landing.registered_on`` is the day of registration in Jinshan or of moving in from another district;
  "获奖后" means strictly after the award day (registered on the award day itself does not qualify).
- "满一年" (G1, includes the number; G7/G9 inclusive periods): the first year of operation is complete on
  registered_on + 1 year − 1 day; the line is dated in that day's month, and the condition holds when that
  day is not after the end of the evaluated range.
- ``operating_normally`` and ``employs_jinshan_hukou`` are the bureau's findings as recorded in the case.
- The amount is the approved amount, at most 100,000; an approved amount not yet recorded leaves the
  line ``amount_pending`` (amount null) until the bureau records it.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import polars as pl

from jiuye.rules.dates import add_years_expr
from jiuye.rules.facts import Facts
from jiuye.rules.measure import (
    JS_DOC,
    Cap,
    Condition,
    Context,
    Measure,
    Meta,
    Scope,
    Subjects,
    Threshold,
    detail,
)
from jiuye.rules.measures._jinshan import (
    in_window,
    organization_is,
    organizations,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 二(七)"


class StartupLandingSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-07c",
        title="一次性落地补贴",
        clause=CLAUSE,
        quote="获奖后在金山区域内依法登记注册或由外区迁入的创业组织，在本区正常运营满一年并且带动本区户籍人员就业的，"
        "再给予不超过 10 万元的一次性落地补贴。",
        summary="创业项目获奖后在金山登记注册或从外区迁入，正常运营满一年并吸纳金山户籍人员就业的，"
        "一次性给予不超过10万元的落地补贴，在运营满一年的月份发放。",
        groups=("entrepreneurs", "organizations"),
        beneficiary="organization",
        frequency="once",
        kind="money",
        line_bound_yuan=100_000,
        reading="获奖日之后（不含获奖当日）在金山登记注册或迁入；自登记（迁入）之日起正常运营满一年"
        "（登记日+1年−1日为满一年之日，所属月份为该日所在月份）；带动本区户籍人员就业；"
        "补贴额为核定金额，最高10万元（含）；核定金额尚未录入的，状态为待定金额。每个创业组织一次。",
    )
    subjects: ClassVar[Subjects] = "organizations"
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary",), "lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "org_district", "在金山区域内登记注册或由外区迁入"),)
    line_amounts: ClassVar[tuple[str, ...]] = ("max_amount",)
    needs: ClassVar[tuple[str, ...]] = ('landings',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        years = int(p.get("operating_years"))
        return (
            organizations(facts).join(facts.landings.lazy(), on="org", how="left")
            .with_columns(year_complete=add_years_expr(pl.col("registered_on"), years) - dt.timedelta(days=1))
        )  # fmt: skip

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        years = p.get("operating_years")
        return [
            organization_is("startup", CLAUSE),
            Condition("after_award", "获奖后登记注册或迁入", CLAUSE,
                      pl.col("registered_on") > pl.col("award_on"),
                      detail("获奖日 {}，登记（迁入）日 {}", pl.col("award_on"), pl.col("registered_on"))),
            Condition("operating", "在本区正常运营", CLAUSE, pl.col("operating_normally").fill_null(False),
                      detail("正常运营：{}", yes_no(pl.col("operating_normally")))),
            Condition.of("operating_years", f"在本区正常运营满{years}年", CLAUSE,
                      Threshold("满", pl.lit(ctx.horizon_end), pl.col("year_complete"), "date",
                                limit_label=f"在本区正常运营满{years}年", fact="evaluate.to"),
                      detail(f"登记（迁入）日 {{}}，满{years}年之日 {{}}", pl.col("registered_on"),
                             pl.col("year_complete"))),
            Condition("employs_locals", "带动本区户籍人员就业", CLAUSE, pl.col("employs_jinshan_hukou").fill_null(False),
                      detail("吸纳本区户籍人员就业：{}", yes_no(pl.col("employs_jinshan_hukou")))),
            in_window(p, pl.col("year_complete").dt.truncate("1mo"), "运营满一年的月份", over=("org",)),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("year_complete").dt.truncate("1mo")
        cap = p.fen_expr("max_amount", month)
        approved = pl.col("approved_amount_fen")
        amount = pl.when(approved <= cap).then(approved).otherwise(pl.when(approved.is_not_null()).then(cap))
        return eligible.select(beneficiary="org", subject="org", month=month, amount_fen=amount)


MEASURE = StartupLandingSubsidy()
