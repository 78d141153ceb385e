"""CM-10e 新增就业岗位补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog rev. 2): a Chongming employer newly hires (contract start S on or after 2023-01-01,
registered) a Chongming-hukou person out of work (G10) for 3 months or more before S: the last day
covered by a contract or flexible registration before S, plus one day, plus 3 months, is ≤ S (G9: a
duration is tested by adding, never by subtracting; never employed counts as out of work); once per
employer × worker, payable in the start month; amount by municipal standard (G6).

Our choices (contract start S):
- 本区用人单位 = employer district Chongming and 本区劳动力 = hukou district Chongming (G12, both declared);
- 失（无）业 = out of work, registered or not: no labour contract and no flexible-employment registration;
  the last covered day before S is the latest day before S covered by one (a period still running on
  S − 1 day gives S − 1 day, i.e. not out of work at all);
- once per employer × worker: the first qualifying hire of that pair decides (G4 rev. 2); a first
  qualifying hire before 2023-01-01 takes the pair's one occurrence.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_months_expr, day_after
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, Threshold, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    date_param,
    has_contract,
    once_at_contract_start,
    person_contracts,
    start_from,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

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
        reading="本区（崇明）用人单位招用本区（崇明）户籍人员（G12）；劳动合同起始日S不早于2023-01-01（G6 触发条件），"
        "已办理用工登记备案；S之前最后一天有劳动合同或灵活就业登记的日期加1日、再加3个月，不晚于S（G9：期限用加法计算，"
        "如3月31日起失业、6月30日录用即满3个月；“3个月以上”含3个月；是否办理失业登记不限，从未就业的也符合）。"
        "每个单位对每名员工一次，以该单位最早一次符合条件的招用为准（G4），记在合同起始当月；"
        "金额按市级标准，待管理员设定前为待定金额。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")
    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"), Scope("hukou", "hukou_district"))
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou", "contract_employer")  # prune first: see jiuye.rules.prune

    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('contracts', 'employers')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        months = p.get("min_out_of_work_months")
        units = person_contracts(facts)
        # G9 (rev. 2): the last day before S covered by a contract or a flexible registration
        last = (
            units.select("person", "day_before_S").unique().filter(pl.col("day_before_S").is_not_null())
            .join(derived.employment_periods(facts), on="person")
            .filter(pl.col("start") <= pl.col("day_before_S"))
            .with_columns(covered_to=pl.min_horizontal(pl.col("end").fill_null(pl.col("day_before_S")),
                                                       pl.col("day_before_S")))
            .group_by("person", "day_before_S").agg(last_worked=pl.col("covered_to").max())
        )  # fmt: skip
        # no contract: no day before a hire, so nothing was last worked before one
        return derived.left_join(units, last, ["person", "day_before_S"], derived.no_rows(facts.contracts),
                                 "CM-10e last worked").with_columns(
            out_of_work_from=day_after("last_worked"),
            out_of_work_enough_on=add_months_expr(day_after("last_worked"), months),
        )

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        months = p.get("min_out_of_work_months")
        s, enough = pl.col("S"), pl.col("out_of_work_enough_on")
        out_of_work = Threshold(WORD, s, enough, "date", action="录用",
                                limit_label=f"失（无）业满{months}个月", fact="contracts.start",
                                requires=s.is_not_null(), unless=pl.col("last_worked").is_null())
        return [
            has_contract(CLAUSE),
            start_from(CLAUSE, date_param(p, "new_employment_from"), over=("employer", "person")),
            Condition("registered", "已办理用工登记备案", CLAUSE, pl.col("registered").fill_null(False),
                      detail("用工登记备案：{}", yes_no(pl.col("registered")))),
            Condition.of("out_of_work", f"录用前失（无）业{months}个月{WORD}（含{months}个月）", CLAUSE, out_of_work,
                      pl.when(s.is_null()).then(pl.lit("无劳动合同"))
                      .when(pl.col("last_worked").is_null()).then(pl.lit("录用前无劳动合同、无灵活就业登记记录"))
                      .otherwise(detail(f"最后就业日 {{}}，自 {{}} 起失业，满{months}个月之日 {{}}，劳动合同起始日 {{}}",
                                        pl.col("last_worked"), pl.col("out_of_work_from"), enough, s))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return once_at_contract_start(eligible, p, beneficiary="employer")


MEASURE = NewJobSubsidy()
