"""JS-05 创业孵化示范基地运作费补贴 — 金就办〔2023〕1号 二(五).

Reading (catalog): a recognised Jinshan incubation base graded in the year's evaluation: grade A 300,000;
B 200,000; C 100,000; once per base per evaluation year; payable in the month the grade is published.

Our choices:
- "经批准认定的基地" = an organisation of kind ``incubation_base`` located in Jinshan.
- A base whose title was revoked (JS-05r) by the evaluation of an earlier year gets nothing for later
  years; the revoking year itself has grade D / fail / not_participated and so pays nothing anyway.
- The month is the month the evaluation result was published (``published_on``); the evaluation year and
  the payment month may differ (2023's evaluation published 2024-03 is paid in 2024-03 as 2023's money).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

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
    detail,
    labelled,
)
from jiuye.rules.measures._jinshan import (
    amount_by,
    in_window,
    organization_is,
    organizations,
)
from jiuye.rules.measures.js_05r import GRADE_LABELS, TRIGGER_LABELS, revocations
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 二(五)"
AMOUNT_PARAMETER = {"A": "grade_a_amount", "B": "grade_b_amount", "C": "grade_c_amount"}


class IncubationBaseOperatingSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-05",
        title="创业孵化示范基地运作费补贴",
        clause=CLAUSE,
        quote="每年对经批准认定的基地开展创业孵化成效分级评估。对于评估等级达到 A 级、B 级、C 级的，"
        "分别给予 30 万元、20 万元、10 万元的年度基地运作费补贴。",
        summary="金山区认定的创业孵化示范基地，年度评估为A级、B级、C级的，分别给予当年30万元、20万元、10万元"
        "运作费补贴，在评估结果公布的月份发放。称号已被取消的基地以后年度不再补贴。",
        groups=("organizations", "entrepreneurs"),
        beneficiary="organization",
        frequency="yearly",
        kind="money",
        line_bound_yuan=300_000,
        reading="金山区的创业孵化基地按评估年度各补贴一次：A级30万元、B级20万元、C级10万元，"
        "所属月份为评估结果公布的月份。此前年度已因连续两年D级、不达标或应评未评被取消称号（JS-05r）的，"
        "以后年度不再补贴。",
    )
    subjects: ClassVar[Subjects] = "organizations"
    # once per base per evaluation year ("year" in the key: the engine partitions by Cap.key only)
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary", "year"), "lines", extra=("year",))

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "org_district", "经认定的本区（金山）创业孵化示范基地"),)
    line_amounts: ClassVar[tuple[str, ...]] = ("grade_a_amount", "grade_b_amount", "grade_c_amount")
    needs: ClassVar[tuple[str, ...]] = ('organizations', 'evaluations')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per organisation × evaluation (an organisation without evaluations keeps one row)."""
        return (
            organizations(facts)
            .join(facts.evaluations.lazy(), on="org", how="left")
            .join(revocations(facts, ctx.parameters_of("JS-05r")), on="org", how="left")
        )

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        grade = labelled(pl.col("grade"), GRADE_LABELS, keep_unlabelled=True)
        revoked_earlier = pl.col("revoked_year").is_not_null() & (pl.col("revoked_year") < pl.col("year"))
        return [
            organization_is("incubation_base", CLAUSE),
            Condition("evaluated", "参加年度创业孵化成效分级评估", CLAUSE, pl.col("published_on").is_not_null(),
                      detail("{}年度评估，{} 公布", pl.col("year"), pl.col("published_on"))),
            Condition("grade_abc", "评估等级达到A级、B级或C级", CLAUSE, pl.col("grade").is_in(list(AMOUNT_PARAMETER)),
                      detail("{}年度评估等级：{}", pl.col("year"), grade)),
            Condition("title_kept", "此前年度未被取消区级称号（JS-05r）", CLAUSE, ~revoked_earlier,
                      pl.when(pl.col("revoked_year").is_null()).then(pl.lit("未被取消称号"))
                      .otherwise(pl.format("{}年度因“{}”取消称号", pl.col("revoked_year"),
                                           labelled(pl.col("revoked_trigger"), TRIGGER_LABELS, keep_unlabelled=True)))),
            in_window(p, pl.col("published_on").dt.truncate("1mo"), "评估结果公布月份", over=("org", "year")),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("published_on").dt.truncate("1mo")
        return eligible.select(
            beneficiary="org", subject="org", month=month, amount_fen=amount_by("grade", AMOUNT_PARAMETER, p, month),
            year="year",
        )


MEASURE = IncubationBaseOperatingSubsidy()
