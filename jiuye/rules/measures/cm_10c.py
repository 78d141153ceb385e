"""CM-10c 困难毕业生一次性求职创业补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog): hukou district Chongming; full-time higher-education graduate in the graduation
calendar year; holds one of 低保家庭, 低收入困难家庭, 残疾, 零就业家庭, 就业困难人员.  1,000 once per person,
payable in the first month of the graduation year in which such a status is active.

Our choices:
- "full-time higher-education graduate" = an education entry with ``full_time`` true, level 专科 / 本科 /
  硕士 / 博士 and a graduation date; the graduation year Y is that date's calendar year.
- the status must be active (G9: covers any day) in some month of Y; the line's month is the first such
  month (the later of the status start and 1 January of Y).  A status active only in the year after
  graduation does not count.
- several qualifying education entries (e.g. 本科 2023 and 硕士 2026): one line per person, the earliest
  (G5 once-only); the first occurrence decides (G4 rev. 2): when it is dated before the measure's start
  (2023-01) it belongs to earlier policy, nothing is paid and a later graduation does not revive it
  (condition ``in_policy_window``, so the explanation says why).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, detail, labelled
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    LEVEL_LABELS,
    STATUS_LABELS,
    in_window,
    persons,
)  # fmt: skip
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_10
HARDSHIP_KINDS = (
    "min_living_allowance_family", "low_income_family", "disabled", "zero_employment_family", "employment_hardship",
)  # fmt: skip


class HardshipGraduateJobSearchSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10c",
        title="困难毕业生一次性求职创业补贴",
        clause=CLAUSE,
        quote="落实毕业生求职创业补贴政策，对符合条件的困难毕业生按照每人1000元给予一次性求职创业补贴。",
        summary="崇明户籍的全日制高校毕业生，在毕业当年属于低保家庭、低收入困难家庭、零就业家庭成员，"
        "或是残疾人、就业困难人员的，可一次性领取求职创业补贴1000元，每人限一次。",
        groups=("graduates", "hardship"),
        beneficiary="person",
        frequency="once",
        kind="money",
        line_bound_yuan=1_000,
        reading="本区（崇明）户籍；全日制专科、本科、硕士或博士毕业，毕业年度为毕业日期所在自然年；毕业年度内某月"
        "（覆盖该月任一天即可）具有低保家庭、低收入困难家庭、残疾、零就业家庭、就业困难人员身份之一。"
        "补贴1000元，每人一次，记在毕业年度内首个具有上述身份的月份；有多个符合条件的学历时取最早的一次"
        "（最早一次在2023年之前的，本意见不再补贴，G4）。"
        "仅在毕业次年才具有上述身份的，不符合。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('education', 'statuses')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × education entry (a person without one keeps one row)."""
        education = facts.education.lazy().select(
            "person", "level", "full_time", "graduation_date", Y=pl.col("graduation_date").dt.year().cast(pl.Int32)
        )
        units = derived.left_join(persons(facts), education, "person", derived.no_rows(facts.education), "CM-10c education")
        statuses = facts.statuses.lazy().filter(derived.is_in("kind", HARDSHIP_KINDS)).select(
            "person", "kind", "start", "end"
        )
        year_first, year_last = pl.date(pl.col("Y"), 1, 1), pl.date(pl.col("Y"), 12, 31)
        first_month = (
            units.select("person", "Y").unique().filter(pl.col("Y").is_not_null())
            .join(statuses, on="person")
            .filter((pl.col("start") <= year_last) & (pl.col("end").is_null() | (pl.col("end") >= year_first)))
            .with_columns(status_month=pl.max_horizontal(pl.col("start"), year_first).dt.truncate("1mo"))
            .sort("status_month", "kind")
            .group_by("person", "Y").agg(pl.col("status_month").first(), status_kind=pl.col("kind").first())
        )  # fmt: skip
        # without an education entry or a status no year finds a month: the join would add nulls
        return derived.left_join(units, first_month, ["person", "Y"],
                                 derived.no_rows(facts.education) or derived.no_rows(facts.statuses), "CM-10c first month")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        higher = pl.col("full_time").fill_null(False) & pl.col("level").is_in(list(derived.HIGHER_EDUCATION))
        return [
            Condition("graduate", "全日制高等教育毕业生（专科、本科、硕士、博士）", CLAUSE,
                      higher & pl.col("graduation_date").is_not_null(),
                      detail("学历：{}，全日制：{}，毕业日期：{}", labelled(pl.col("level"), LEVEL_LABELS, keep_unlabelled=True),
                             pl.when(pl.col("full_time")).then(pl.lit("是")).when(~pl.col("full_time")).then(pl.lit("否")),
                             pl.col("graduation_date"))),
            Condition("hardship_in_graduation_year",
                      "毕业年度内为低保家庭、低收入困难家庭、残疾、零就业家庭成员或就业困难人员", CLAUSE,
                      pl.col("status_month").is_not_null(),
                      pl.when(pl.col("status_month").is_not_null())
                      .then(pl.format("毕业年度 {}，{} 身份自 {} 月起有效", pl.col("Y"),
                                      labelled(pl.col("status_kind"), STATUS_LABELS, keep_unlabelled=True), pl.col("status_month").dt.month()))
                      .otherwise(pl.format("毕业年度 {} 内无上述身份", pl.col("Y").cast(pl.String).fill_null("无")))),
            in_window(p, pl.col("status_month"), "毕业年度内首个具有上述身份的月份", over=("person",)),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return eligible.select(
            beneficiary="person", subject="person", month="status_month",
            amount_fen=p.fen_expr("amount", pl.col("status_month")),
        ).unique()  # fmt: skip


MEASURE = HardshipGraduateJobSearchSubsidy()
