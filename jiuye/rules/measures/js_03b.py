"""JS-03b 就业见习生活费补贴 — 金就办〔2023〕1号 一(三).

Reading (catalog + lead's decision): hukou district Jinshan; internship at an organisation of kind
``internship_base`` located in Jinshan; the intern meets JS-01b on the internship's first day; 600 for
each calendar month the internship covers in full (an open end runs to the end of the evaluated range);
for the length of the internship (no cap).

Our choices:
- A month is paid only when the internship covers every day of it (an internship from the 15th pays from
  the next month; one ending on the 30th of a 31-day month does not pay that month).
- Two internships covering the same month pay that month once (one line per person and month).
- The JS-01b test uses JS-01b's packaged parameters (a case override of ``JS-01b.*`` does not reach JS-03b).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import covers_month_fully_expr
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Condition, Context, Measure, Meta, Scope, detail
from jiuye.rules.measures._jinshan import month_in_window, organization_is, persons
from jiuye.rules.measures.js_01b import internship_group_condition, mark_internship_eligible, without_day
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 一(三)"


class InternshipLivingAllowance(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-03b",
        title="就业见习生活费补贴",
        clause=CLAUSE,
        quote="在本区就业见习基地参加见习的本区户籍学员，给予600元/月的就业见习生活费补贴。",
        summary="金山户籍、符合见习对象条件的人，在金山区就业见习基地参加见习，每见习满一个完整的自然月补贴600元。",
        groups=("youth", "graduates", "students"),
        beneficiary="person",
        frequency="monthly",
        kind="money",
        line_bound_yuan=600,
        reading="金山户籍；见习基地为金山区的就业见习基地；见习开始之日符合见习对象条件（JS-01b）；"
        "按见习期间完整覆盖的自然月计发，每月600元（见习未结束的，计至查询区间末月）；同一月份只发一次。",
    )

    scope: ClassVar[tuple[Scope, ...]] = (
        Scope("hukou", "hukou_district", "本区（金山）户籍学员"),
        Scope("organization", "org_district", "见习基地为本区（金山）就业见习基地"),
    )
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("monthly_amount",)
    needs: ClassVar[tuple[str, ...]] = ('internships', 'organizations')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × internship (a person without internships keeps one row)."""
        bases = facts.organizations.lazy().select(base="id", org_kind="kind", org_district="district")
        internships = facts.internships.lazy().join(bases, on="base", how="left")
        frame = derived.left_join(persons(facts).select("person", "subject", "hukou_district"), internships, "person",
                                  derived.no_rows(facts.internships), "JS-03b internships")
        if derived.no_rows(facts.internships):  # no internship: no first day to test (a web form's person, usually)
            return frame.with_columns(without_day("intern_eligible"))
        return mark_internship_eligible(frame, facts, ctx.parameters_of("JS-01b"), "start", "intern_eligible")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            Condition("has_internship", "参加就业见习", CLAUSE, pl.col("internship_id").is_not_null(),
                      detail("见习：{} 至 {}，基地 {}", pl.col("start"), pl.col("end").cast(pl.String).fill_null("未结束"),
                             pl.col("base"))),
            organization_is("internship_base", CLAUSE),
            internship_group_condition("intern_eligible", CLAUSE, "见习开始之日符合见习对象条件（JS-01b）", day="start"),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        months = derived.month_panel(eligible, pl.col("start"), pl.col("end"), ctx.horizon_end)
        return (
            months.with_columns(full=covers_month_fully_expr(pl.col("start"), pl.col("end"), pl.col("month")))
            .group_by(beneficiary="person", subject="person", month="month").agg(pl.col("full").any())
            .with_columns(amount_fen=p.fen_expr("monthly_amount", pl.col("month")))
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        # a condition, not a filter of the lines: an internship covering no whole month (2024-02-01 … 02-28) is
        # then explained as not eligible instead of "eligible" without a line
        return [Condition("full_month", "见习完整覆盖当月（每个完整自然月补贴一次）", CLAUSE, pl.col("full")),
                month_in_window(p)]  # fmt: skip


MEASURE = InternshipLivingAllowance()
