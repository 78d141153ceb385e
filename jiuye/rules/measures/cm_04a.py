"""CM-04a 一次性吸纳就业补贴（扩岗补助） — 沪崇就办〔2023〕2号 二(四).

Reading (catalog): a Chongming employer hires (contract start 2023-01-01 … 2023-12-31, registered,
first insured month under it) a 2023 graduate, or a graduate within 2 years of leaving school and
unemployed before the hire, or a person aged 16–24 registered unemployed at the hire; once per
employer × worker.  Amount by municipal standard (G6): pending until an administrator sets it.

Our choices (contract start S):
- the text says 本市用人单位; the catalog reads it as a Chongming employer (the district pays), so the
  employer's district must be chongming;
- (a) 2023届: a full-time 专科/本科/硕士/博士 entry whose graduation date falls in 2023 (parameter);
- (b) 离校两年内未就业: a full-time higher-education entry with graduation date < S ≤ graduation date +
  2 years (以内 includes the number, month-end clamping G9) and unemployed (G10) on S − 1 day;
- (c) 16-24岁青年在本市登记失业: aged 16 to 24 周岁 on S, both ends included, with an
  unemployment registration covering S − 1 day;
- 用工登记备案: the contract's ``registered`` flag; the line is dated in the contract's first insured
  month (G8), which must exist; the 2023 limit applies to the contract start, so a December 2023 hire
  first insured in January 2024 is still paid (in 2024-01);
- several qualifying contracts with the same employer: one line, the earliest (once per employer × worker);
  the first otherwise qualifying hire of the pair decides (G4 rev. 2): a first hire before 2023 takes the
  pair's one occurrence and a re-hire in 2023 does not revive it.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_years_expr, age_on_columns
from jiuye.rules.facts import Facts
from jiuye.rules.legal import meets
from jiuye.rules.measure import AnyOf, Cap, Condition, Context, Measure, Meta, Scope, Threshold, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_4,
    date_param,
    has_contract,
    person_contracts,
    start_between,
    with_graduation_flags,
    year_param,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_4


class HiringSubsidyYouth(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-04a",
        title="一次性吸纳就业补贴（扩岗补助）",
        clause=CLAUSE,
        quote="对招用2023届高校毕业生、离校两年内未就业高校毕业生、在本市登记失业的16-24岁青年的本市用人单位，"
        "符合规定的给予一次性吸纳就业补贴或扩岗补助，政策实施期限截至2023年12月31日。",
        summary="崇明的用人单位在2023年内招用2023届高校毕业生、离校两年内未就业的高校毕业生，或在本市登记失业的"
        "16至24岁青年，签订劳动合同、办理用工登记并缴纳社保的，每招用一人可获一次性吸纳就业补贴（扩岗补助），"
        "标准按市里规定执行。",
        groups=("employers", "graduates", "youth"),
        beneficiary="employer_per_worker",
        frequency="once",
        kind="pending",
        line_bound_yuan=10_000,
        reading="本区（崇明）用人单位（原文“本市用人单位”，按政策目录理解为由本区发放的崇明单位）；劳动合同起始日S在"
        "2023-01-01至2023-12-31之间，已办理用工登记备案，并已在该单位缴纳城镇职工社保。招用对象为以下之一："
        "①全日制高校2023届毕业生（毕业日期在2023年）；②全日制高校毕业生，毕业日<S≤毕业日+2年，且S前一日未就业"
        "（无劳动合同、无灵活就业登记）；③S日年满16周岁且不超过24周岁（含16、24），且S前一日处于失业登记中。"
        "补贴记在该合同首个参保月，每个单位对每名员工一次，以该单位对该员工最早一次符合其他条件的招用为准"
        "（最早一次在2023年之前的，不再补贴，G4）；金额按市级标准，待管理员设定前为待定金额。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('contracts', 'employers', 'social_insurance')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        years, cohort = p.get("graduate_within_years"), year_param(p, "graduate_year")
        s, grad = pl.col("S"), pl.col("graduation_date")
        units = with_graduation_flags(person_contracts(facts), facts, "contract_id", {
            "cohort_graduate": grad.dt.year() == cohort,
            "recent_graduate": (grad < s) & meets("以内", s, add_years_expr(grad, years)),
        })  # fmt: skip
        no_contract = derived.no_rows(facts.contracts)  # then no row has a day before a hire
        units = derived.mark_unemployed(units, facts, "day_before_S", "unemployed_before_S", no_days=no_contract)
        units = derived.with_unemployment_spell(units, facts, no_days=no_contract).with_columns(
            registered_unemployed=pl.col("spell_start").is_not_null())  # fmt: skip
        first = derived.nth_insured_month(facts, 1, "first_insured_month")
        return derived.left_join(units, first, "contract_id", derived.no_rows(facts.contracts), "CM-04a first month").with_columns(
            age_at_S=age_on_columns("birth_date", "S")
        )

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        min_age, max_age = p.get("min_age"), p.get("max_age")
        cohort = year_param(p, "graduate_year")
        a = pl.col("cohort_graduate")
        b = pl.col("recent_graduate") & pl.col("unemployed_before_S")
        # (c) the minimum age is reached by waiting: a hire on the birthday, the registration still open the
        # day before and the hire still in the policy period (the only branch a hint can promise)
        c = Threshold("以上", pl.col("age_at_S"), min_age, "age", action="招用", birth=pl.col("birth_date"),
                      fact="contracts.start",
                      requires=meets("以下", pl.col("age_at_S"), max_age) & pl.col("registered_unemployed"),
                      latest=pl.min_horizontal(derived.spell_open_until(),
                                               pl.lit(date_param(p, "contract_start_to"))))  # fmt: skip
        return [
            has_contract(CLAUSE),
            start_between(CLAUSE, date_param(p, "contract_start_from"), date_param(p, "contract_start_to"),
                          over=("employer", "person")),
            Condition("registered", "已办理用工登记备案", CLAUSE, pl.col("registered"),
                      detail("用工登记备案：{}", yes_no(pl.col("registered")))),
            Condition("insured", "已在该单位缴纳城镇职工社会保险", CLAUSE, pl.col("first_insured_month").is_not_null(),
                      detail("首个参保月：{}", pl.col("first_insured_month").dt.strftime("%Y-%m"))),
            Condition.of("target_group",
                      f"招用对象为{cohort}届高校毕业生、离校两年内未就业高校毕业生或在本市登记失业的"
                      f"{min_age}-{max_age}岁青年", CLAUSE, AnyOf((a, b, c), fact="contracts.start"),
                      detail(f"{cohort}届：{{}}；离校两年内：{{}}，入职前一日未就业：{{}}；入职时 {{}} 周岁，"
                             "入职前一日登记失业：{}；学历：{}",
                             yes_no(a), yes_no(pl.col("recent_graduate")), yes_no(pl.col("unemployed_before_S")),
                             pl.col("age_at_S"), yes_no(pl.col("registered_unemployed")), pl.col("graduations"))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return eligible.select(
            beneficiary="employer", subject="person", month="first_insured_month",
            amount_fen=p.fen_expr("amount", pl.col("first_insured_month")),
        ).unique()  # fmt: skip


MEASURE = HiringSubsidyYouth()
