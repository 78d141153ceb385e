"""CM-10f 大龄失业人员灵活就业社会保险补贴、岗位补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog): an older unemployed person (age a parameter) in flexible employment; amounts by
municipal standard (G6).

Our choices (flexible-employment registration date R):
- 大龄 = aged 50 or more (men) / 40 or more (women) 周岁 on R — the common "4050" definition, stored as
  parameters marked as defaults awaiting the administrator's confirmation;
- 失业人员 = an unemployment registration still open on R − 1 day (registered unemployed when taking up
  flexible employment);
- hukou district Chongming: the document is the Chongming district's and the district pays;
- each month from R's month while the registration is active (G9) and a social-insurance record of that
  month is paid (any scheme) → one monthly line, beneficiary = subject = the person;
- 社会保险补贴和岗位补贴 are paid together: one G6 parameter ``monthly_amount`` for their monthly sum,
  null until an administrator sets it; G6 trigger (rev. 2): R on or after 2023-01-01 (parameter);
- ≤ ``cap_months`` months per person (rev. 2), without a default: until an administrator sets it the lines
  stay ``amount_pending``;
- overlapping registrations give one line per month.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import age_on_columns, day_before
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, Threshold, detail, labelled
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    date_param,
    persons,
    start_from,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_10


class OlderUnemployedFlexibleEmploymentSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10f",
        title="大龄失业人员灵活就业社会保险补贴、岗位补贴",
        clause=CLAUSE,
        quote="符合条件的大龄失业人员实现灵活就业的，按规定给予社会保险补贴和岗位补贴。",
        summary="崇明户籍、办理灵活就业登记时男性满50周岁、女性满40周岁且处于失业登记中的人员，灵活就业并缴纳社保的，"
        "按月给予社会保险补贴和岗位补贴，标准按市里规定执行。",
        groups=("long_term_unemployed", "hardship"),
        beneficiary="person",
        frequency="monthly",
        kind="pending",
        line_bound_yuan=3_000,
        reading="本区（崇明）户籍；灵活就业登记日R男性年满50周岁、女性年满40周岁（“4050”口径，待管理员确认）；"
        "R前一日仍处于失业登记中。此后灵活就业登记有效且当月缴纳社保（任一险种）的每个月各计一行，补贴给本人；"
        "社会保险补贴与岗位补贴合并为每月一个金额（按市级标准，待管理员设定前为待定金额）；灵活就业登记日不早于"
        "2023-01-01（G6 触发条件）；补贴期限为参数（G6，无默认值：管理员设定前各月均为待定金额）。",
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
            persons(facts).join(registrations, on="person", how="left")
            .with_columns(day_before_R=day_before("R"),
                          age_at_R=age_on_columns("birth_date", "R"))
        )  # fmt: skip
        days = facts.flexible.lazy().select("person", day_before_R=day_before("start"))  # the known days of units
        return derived.with_unemployment_spell(units, facts, day="day_before_R", days=days)

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        men, women = p.get("min_age_male"), p.get("min_age_female")
        threshold = pl.when(pl.col("gender") == "male").then(pl.lit(men)).otherwise(pl.lit(women))
        return [
            Condition("registered", "办理灵活就业登记", CLAUSE, pl.col("R").is_not_null(),
                      detail("灵活就业登记日：{}", pl.col("R"))),
            start_from(CLAUSE, date_param(p, "registration_from"), column="R", text="灵活就业登记日",
                       fact="flexible_employment.registered_on"),
            Condition.of("older", f"大龄（男性{men}周岁以上、女性{women}周岁以上，以灵活就业登记日计）", CLAUSE,
                      Threshold("以上", pl.col("age_at_R"), threshold, "age", action="办理灵活就业登记",
                                birth=pl.col("birth_date"), fact="flexible_employment.registered_on",
                                latest=derived.spell_open_until()),  # still unemployed the day before
                      detail("登记日 {} 年龄 {} 周岁（{}）", pl.col("R"), pl.col("age_at_R"),
                             labelled(pl.col("gender"), {"male": "男", "female": "女"}, keep_unlabelled=True))),
            Condition("unemployed", "失业人员（灵活就业登记前一日处于失业登记中）", CLAUSE,
                      pl.col("spell_start").is_not_null(),
                      detail("登记前一日 {} 所在失业登记开始于 {}", pl.col("day_before_R"), pl.col("spell_start"))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        months = derived.month_panel(eligible, pl.col("R"), pl.col("registration_end"), ctx.horizon_end)
        insured = derived.paid_insurance_months(facts, among=months).with_columns(insured=pl.lit(True))
        return (
            months.select("person", "month").unique()
            .join(insured, on=["person", "month"], how="left")
            .select(beneficiary="person", subject="person", month="month",
                    amount_fen=p.fen_expr("monthly_amount", pl.col("month")),
                    insured=pl.col("insured").fill_null(False))
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [Condition("insured", "当月缴纳社会保险费", CLAUSE, pl.col("insured"))]


MEASURE = OlderUnemployedFlexibleEmploymentSubsidy()
