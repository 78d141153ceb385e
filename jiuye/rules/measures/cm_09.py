"""CM-09 重点群体就业补贴（高校毕业生） — 沪崇就办〔2023〕2号 二(九).

Reading (catalog, row "CM-09 / CM-10b"): a Chongming graduate, or a certified 就业困难人员, in new
employment with a Chongming employer; amount by municipal standard (G6).  The row covers two clauses;
this module is the graduates' clause 二(九), ``cm_10b`` the hardship clause 三(十).  The ID CM-09 also
names clause (九)'s target indicator "离校未就业毕业生帮扶就业率不低于90%", which is a dashboard
indicator kept apart from the measures (it is not a subsidy).

Our choices (contract start S):
- 本区高校毕业生 = hukou district Chongming and a full-time 专科/本科/硕士/博士 entry with graduation
  date ≤ S ≤ graduation date + 2 years (离校2年内, 以内 includes the number; G9 clamping) — the same
  two-year span the document uses in 二(四);
- 在本区实现新增就业 = a registered labour contract with an employer whose district is Chongming,
  starting on or after 2023-01-01 (rev. 2 G6 trigger; parameter);
- once per person: the first otherwise qualifying contract decides (G4 rev. 2), dated in the month of
  its start; a first one before 2023 takes the person's one occurrence.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules.dates import add_years_expr
from jiuye.rules.facts import Facts
from jiuye.rules.legal import meets
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_9,
    GRADUATION_AHEAD,
    date_param,
    has_contract,
    once_at_contract_start,
    person_contracts,
    recent_graduate_condition,
    start_from,
    with_graduation_flags,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_9


class KeyGroupEmploymentSubsidyGraduates(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-09",
        title="重点群体就业补贴（高校毕业生）",
        clause=CLAUSE,
        quote="符合条件的本区高校毕业生在本区实现新增就业的，可按规定申请享受重点群体就业补贴。",
        summary="崇明户籍、离校两年内的全日制高校毕业生，2023年起与崇明的用人单位签订劳动合同实现新增就业的，"
        "可申请一次重点群体就业补贴，标准按市里规定执行。",
        groups=("graduates",),
        beneficiary="person",
        frequency="once",
        kind="pending",
        line_bound_yuan=10_000,
        reading="本区（崇明）户籍；全日制专科、本科、硕士或博士毕业，劳动合同起始日S满足 毕业日≤S≤毕业日+2年"
        "（离校2年内，含本数）；与所在区为崇明的用人单位签订劳动合同并办理用工登记备案，S不早于2023-01-01（新增就业）。"
        "每人一次，以最早一次符合其他条件的合同为准（在2023年之前的，不再补贴，G4），记在合同起始当月；金额按市级标准，待管理员设定前为待定金额。"
        "编号CM-09同时指本条“帮扶就业率不低于90%”的监测指标，该指标另行统计，不属于本补贴。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district"), Scope("employer", "employer_district"))
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou", "contract_employer")  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('contracts', 'employers', 'education')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        years = p.get("graduate_within_years")
        s, grad = pl.col("S"), pl.col("graduation_date")
        return with_graduation_flags(person_contracts(facts), facts, "contract_id", {
            "recent_graduate": (grad <= s) & meets("以内", s, add_years_expr(grad, years)),
        }, earliest={"graduation_ahead": GRADUATION_AHEAD})  # fmt: skip

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            recent_graduate_condition(CLAUSE, p.get("graduate_within_years"), date_param(p, "new_employment_from")),
            has_contract(CLAUSE),
            start_from(CLAUSE, date_param(p, "new_employment_from"), over=("person",)),
            Condition("registered", "已办理用工登记备案", CLAUSE, pl.col("registered").fill_null(False),
                      detail("用工登记备案：{}", yes_no(pl.col("registered")))),
        ]

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return once_at_contract_start(eligible, p)


MEASURE = KeyGroupEmploymentSubsidyGraduates()
