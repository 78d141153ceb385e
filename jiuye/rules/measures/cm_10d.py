"""CM-10d 招用登记失业三个月以上人员一次性吸纳就业补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog): registered-unemployment spell began ≥ 3 months before the contract start (三个月以上
includes 3); contract start 2023-01-01 … 2023-12-31; once per employer × worker; amount by municipal
standard (G6).

Our choices (contract start S):
- 本市用人单位 = an employer located in Chongming (G12, rev. 2: the district pays);
- 登记失业三个月以上 = an unemployment registration still open on S − 1 day whose start + 3 months ≤ S
  (以上 includes the number; month-end clamping G9) — e.g. registered 2023-01-05, hired 2023-04-05
  qualifies, hired 2023-04-04 does not; with several open registrations the earliest start counts;
- the 2023 limit applies to the contract start (dates in the parameters); the line is dated in S's
  month; the contract need not be registered (the text does not say);
- several qualifying contracts with the same employer: one line, the earliest (once per employer × worker).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_months_expr
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, Threshold, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    date_param,
    has_contract,
    once_at_contract_start,
    person_contracts,
    start_between,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_10


class HiringRegisteredUnemployedSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10d",
        title="招用登记失业三个月以上人员一次性吸纳就业补贴",
        clause=CLAUSE,
        quote="对招录登记失业三个月以上人员的本市用人单位，符合规定的给予一次性吸纳就业补贴，政策实施期限截至2023年12月31日；",
        summary="本市用人单位在2023年内招用登记失业满三个月（含三个月）的人员的，每招用一人可获一次性吸纳就业补贴，"
        "标准按市里规定执行。",
        groups=("employers", "long_term_unemployed"),
        beneficiary="employer_per_worker",
        frequency="once",
        kind="pending",
        line_bound_yuan=10_000,
        reading="本区（崇明）用人单位（G12）；劳动合同起始日S在2023-01-01至2023-12-31之间（以该单位对该员工最早一次"
        "符合其他条件的招用为准，G4）；S前一日仍处于失业登记中，"
        "且该次失业登记开始日+3个月≤S（“三个月以上”含3个月）。每个单位对每名员工一次，记在合同起始当月；"
        "金额按市级标准，待管理员设定前为待定金额。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('unemployment', 'contracts', 'employers')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        # no contract: no day before a hire to find a registration on
        return derived.with_unemployment_spell(person_contracts(facts), facts, no_days=derived.no_rows(facts.contracts))

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        months = p.get("min_unemployed_months")
        after = add_months_expr(pl.col("spell_start"), months)
        return [
            has_contract(CLAUSE),
            start_between(CLAUSE, date_param(p, "contract_start_from"), date_param(p, "contract_start_to"),
                          over=("employer", "person")),
            Condition.of("unemployed", f"招录时登记失业{months}个月以上（含{months}个月）", CLAUSE,
                      Threshold("以上", pl.col("S"), after, "date", action="招用",
                                limit_label=f"失业登记满{months}个月", fact="contracts.start",
                                # still registered the day before, and a hire still in the policy period
                                latest=pl.min_horizontal(derived.spell_open_until(),
                                                         pl.lit(date_param(p, "contract_start_to")))),
                      pl.when(pl.col("spell_start").is_null() & pl.col("S").is_not_null())
                      .then(pl.lit("劳动合同起始日前一日不在失业登记中"))
                      .otherwise(detail(f"失业登记开始 {{}}，满{months}个月为 {{}}，劳动合同起始日 {{}}",
                                        pl.col("spell_start"), after, pl.col("S")))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return once_at_contract_start(eligible, p, beneficiary="employer")


MEASURE = HiringRegisteredUnemployedSubsidy()
