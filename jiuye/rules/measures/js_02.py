"""JS-02 长期失业青年灵活就业补贴 — 金就办〔2023〕1号 一(二).

Reading (catalog): at the flexible-employment registration date R — hukou Jinshan; age ≤ 35; a
registered-unemployment spell still open the day before R that began more than 6 months before R
(R > start + 6 months); not certified 就业困难人员 at R.  Then each month M from R's month while the
registration is active: social insurance paid in M (any scheme).  1,000/month, ≤ 12 months in total.

Our choices: one line per person and month even when two registrations overlap; a spell "still open
the day before R" must also have begun on or before that day.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_months_expr, age_on_columns, day_before
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, Threshold, detail, when
from jiuye.rules.measures._jinshan import month_in_window
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 一(二)"


class LongTermUnemployedYouthFlexibleEmployment(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-02",
        title="长期失业青年灵活就业补贴",
        clause=CLAUSE,
        quote="对本区户籍35周岁及以下、连续失业时间超过6个月的长期失业青年（经认定的本市“就业困难人员”除外）"
        "实现灵活就业，并办理灵活就业登记手续和按规定缴纳社会保险费的，给予个人灵活就业补贴1000元/月，"
        "补贴期限累计不超过12个月。",
        summary="金山户籍、35周岁及以下、连续失业超过6个月的青年，办理灵活就业登记并缴纳社保后，"
        "每月可领1000元，累计最多12个月。已认定为就业困难人员的除外。",
        groups=("youth", "long_term_unemployed"),
        beneficiary="person",
        frequency="monthly",
        kind="money",
        line_bound_yuan=1_000,
        reading="本区（金山）户籍（G12）；以灵活就业登记日R为准：R日年龄≤35周岁；失业登记至R前一日仍有效且开始日+6个月<R；R日未被认定为"
        "就业困难人员。此后登记有效的每个月，当月缴纳社保（任一险种）即发放当月补贴。",
    )
    cap: ClassVar[Cap | None] = Cap(limit="cap_months", key=("beneficiary", "subject"), counts="months")
    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou",)  # prune first: see jiuye.rules.prune

    line_amounts: ClassVar[tuple[str, ...]] = ("monthly_amount",)
    needs: ClassVar[tuple[str, ...]] = ('flexible', 'unemployment')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × flexible-employment registration (a person without one keeps one row)."""
        registrations = facts.flexible.lazy().select("person", R="start", registration_end="end")
        units = (
            facts.persons.lazy().select(person="id", birth_date="birth_date", hukou_district="hukou_district")
            .join(registrations, on="person", how="left")
            .with_columns(day_before_R=day_before("R"))
        )  # fmt: skip
        # the earliest-starting unemployment spell still open the day before R
        days = facts.flexible.lazy().select("person", day_before_R=day_before("start"))  # the known days of units
        units = derived.with_unemployment_spell(units, facts, day="day_before_R", days=days)
        units = derived.mark_status(units, facts, ("employment_hardship",), "R", "hardship_at_R")
        return units.with_columns(subject=pl.col("person"), age_at_R=age_on_columns("birth_date", "R"))

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        max_age, months = p.get("max_age"), p.get("min_unemployed_months")
        six_months_after = add_months_expr(pl.col("spell_start"), months)
        return [
            Condition("registered", "已办理灵活就业登记", CLAUSE, pl.col("R").is_not_null(),
                      detail("灵活就业登记日：{}", pl.col("R"))),
            Condition.of("age", f"{max_age}周岁及以下（灵活就业登记日）", CLAUSE,
                         Threshold("及以下", pl.col("age_at_R"), max_age, "age", birth=pl.col("birth_date"),
                                   fact="flexible_employment.registered_on"),
                         detail("登记日 {} 年龄 {} 周岁", pl.col("R"), pl.col("age_at_R"))),
            Condition.of("long_unemployed", f"连续失业时间超过{months}个月（登记前一日仍在失业登记中）", CLAUSE,
                         Threshold("超过", pl.col("R"), six_months_after, "date", action="办理灵活就业登记",
                                   limit_label=f"失业登记满{months}个月", fact="flexible_employment.registered_on",
                                   latest=derived.spell_open_until()),  # still registered the day before
                         detail(f"失业登记开始 {{}}，开始后{months}个月为 {{}}，灵活就业登记日 {{}}",
                                pl.col("spell_start"), six_months_after, pl.col("R"))),
            Condition("not_hardship", "非经认定的本市就业困难人员（登记日）", CLAUSE, ~pl.col("hardship_at_R"),
                      when(pl.col("hardship_at_R"), "登记日为就业困难人员", "登记日不是就业困难人员")),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        months = derived.month_panel(eligible, pl.col("R"), pl.col("registration_end"), ctx.window_to)
        insured = derived.paid_insurance_months(facts, among=months).with_columns(insured=pl.lit(True))
        return (
            months.select("person", "month").unique()
            .join(insured, on=["person", "month"], how="left")
            .select(
                beneficiary="person", subject="person", month="month",
                amount_fen=p.fen_expr("monthly_amount", pl.col("month")),
                insured=pl.col("insured").fill_null(False),
            )
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [Condition("insured", "当月按规定缴纳社会保险费", CLAUSE, pl.col("insured")), month_in_window(p)]


MEASURE = LongTermUnemployedYouthFlexibleEmployment()
