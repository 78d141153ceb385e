"""CM-10e 新增就业岗位补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog): a Chongming employer newly hires a Chongming-hukou person out of work ≥ 3 months;
amount by municipal standard (G6).

Our choices (contract start S):
- 本区用人单位 = employer district Chongming; 本区劳动力 = hukou district Chongming;
- 失（无）业3个月以上 = out of work, registered or not: no labour contract and no flexible-employment
  registration (G10) covers any day of [S − 3 months, S − 1 day].  以上 includes the number, so a gap of
  exactly three months qualifies (last job ended on S − 3 months − 1 day) and a gap a day shorter
  does not; months are added with month-end clamping (G9).  A person never employed qualifies;
- the line is dated in S's month; lines start with the measure (2023-01); once per employer × worker
  (the earliest qualifying hire).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_months_expr
from jiuye.rules.facts import Facts
from jiuye.rules.legal import includes_number
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    ONE_DAY,
    employer_in_chongming,
    has_contract,
    hukou_in_chongming,
    once_at_contract_start,
    person_contracts,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters

CLAUSE = CLAUSE_10
WORD = "以上"  # “失（无）业3个月以上”


class NewJobSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10e",
        title="新增就业岗位补贴",
        clause=CLAUSE,
        quote="符合条件的本区用人单位新录用失（无）业3个月以上的本区劳动力，可按规定申请享受新增就业岗位补贴。",
        summary="崇明的用人单位新招用崇明户籍、已连续3个月以上没有工作（无劳动合同、无灵活就业）的人员的，"
        "每招用一人可申请新增就业岗位补贴，标准按市里规定执行。",
        groups=("employers", "long_term_unemployed"),
        beneficiary="employer_per_worker",
        frequency="once",
        kind="pending",
        line_bound_yuan=10_000,
        reading="本区（崇明）用人单位招用本区（崇明）户籍人员；劳动合同起始日S之前的[S−3个月, S前一日]内每一天都没有"
        "劳动合同、也没有灵活就业登记（“3个月以上”含3个月；是否办理失业登记不限，从未就业的也符合）。每个单位对"
        "每名员工一次，记在合同起始当月，自2023年1月起；金额按市级标准，待管理员设定前为待定金额。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    needs: ClassVar[tuple[str, ...]] = ('contracts', 'employers')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        months = p.get("min_out_of_work_months")
        gap_from = add_months_expr(pl.col("S"), -months)
        if not includes_number(WORD):  # 超过 would need one more day out of work
            gap_from = gap_from - ONE_DAY
        units = person_contracts(facts).with_columns(gap_from=gap_from)
        return derived.mark_overlapping(
            units, derived.employment_periods(facts), "gap_from", "day_before_S", "worked_in_gap"
        )

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        months = p.get("min_out_of_work_months")
        out_of_work = pl.col("S").is_not_null() & ~pl.col("worked_in_gap")
        return [
            hukou_in_chongming(CLAUSE),
            has_contract(CLAUSE),
            employer_in_chongming(CLAUSE),
            Condition("out_of_work", f"录用前失（无）业{months}个月{WORD}（含{months}个月）", CLAUSE, out_of_work,
                      detail("{} 至 {} 期间无劳动合同、无灵活就业登记：{}", pl.col("gap_from"),
                             pl.col("day_before_S"), yes_no(out_of_work))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return once_at_contract_start(eligible, p, beneficiary="employer")


MEASURE = NewJobSubsidy()
