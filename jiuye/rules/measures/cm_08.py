"""CM-08 见习基地剩余期限带教费补贴 — 沪崇就办〔2023〕2号 二(八).

Reading (catalog): the base signs a labour contract with its intern on or before 2023-12-31 before
the internship ends; amount = remaining whole months × monthly mentoring fee (parameter).

Our choices (for each internship with a contract signing date D):
- the base is an organisation of kind ``internship_base`` located in Chongming (G12, rev. 2);
- 在2023年12月31日前 = D ≤ 2023-12-31 (the catalog's "on or before"; date in the parameters);
- G6 trigger (catalog G4 rev. 2): D on or after 2023-01-01 (parameter); the first signing of the base × intern
  decides (G4), so a signing in 2022 takes the pair's one occurrence;
- 见习期未届满 = the internship had begun and not yet ended: start ≤ D ≤ end.  Requiring start ≤ D is our
  addition: a contract signed before the internship began was not signed with a 见习学员;
- remaining period = the whole calendar months inside [D + 1 day, end] (a month counts only when fully
  covered); 0 whole months → no subsidy; an internship without an end date has no computable
  remaining period → not eligible (the reviewer can still decide by hand);
- amount = remaining months × the monthly mentoring fee in force in D's month; the fee is a G6
  parameter (null until an administrator sets it → amount_pending);
- one line per base × intern, dated in D's month (the earliest if there are several).
"""

from __future__ import annotations

import functools
from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import whole_months_covered_expr
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, detail, labelled
from jiuye.rules.measures._chongming import CLAUSE_8, ONE_DAY, date_param, persons, start_from
from jiuye.rules.parameters import MeasureParameters

CLAUSE = CLAUSE_8
KIND_LABELS = {
    "internship_base": "就业见习基地", "training_institution": "培训机构", "incubation_base": "创业孵化基地",
    "guidance_station": "创业指导站", "hr_agency": "人力资源服务机构", "competition_host": "赛事承办单位",
    "startup": "创业组织",
}  # fmt: skip


@functools.cache
def _remaining_months() -> pl.Expr:
    """Whole months of the internship after the contract day D, built once (issue 11: a dozen expression nodes and
    two literals that become Series, every evaluation)."""
    return whole_months_covered_expr(pl.col("D") + ONE_DAY, pl.col("internship_end")).alias("remaining_months")


class InternshipBaseRemainingTermMentoringSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-08",
        title="见习基地剩余期限带教费补贴",
        clause=CLAUSE,
        quote="就业见习基地在2023年12月31日前与见习学员签订劳动合同且见习期未届满的，给予就业见习基地剩余期限带教费补贴。",
        summary="就业见习基地在2023年12月31日前（含当天）、见习期还没结束时就与见习学员签订劳动合同的，"
        "按剩余见习期的整月数发给基地带教费补贴，每月标准按规定执行。",
        groups=("organizations", "graduates", "youth"),
        beneficiary="organization",
        frequency="once",
        kind="pending",
        line_bound_yuan=50_000,
        reading="见习单位为位于本区（崇明）的就业见习基地（G12）；签订劳动合同日D在2023-01-01至2023-12-31之间"
        "（以该基地与该学员最早一次签约为准，2023年之前签约的不启动本补贴，G4/G6）；"
        "签约时见习已开始且未结束（见习开始日≤D≤见习结束日）；剩余期限为[D次日, 见习结束日]内完整覆盖的自然月数，"
        "为0或见习结束日未登记的不予计算。补贴=剩余整月数×每月带教费标准（按规定，待管理员设定前为待定金额），"
        "每个基地对每名学员一次，记在签约当月；待遇行的受益方为基地、对象为该学员（已发放记录据此对应到人）。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "base_district", "见习基地位于本区（崇明）"),)
    needs: ClassVar[tuple[str, ...]] = ('internships', 'organizations')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × internship (a person without one keeps one row)."""
        internships = facts.internships.lazy().select(
            "internship_id", "person", "base", internship_start="start", internship_end="end",
            D="contract_signed_on",
        )  # fmt: skip
        bases = facts.organizations.lazy().select(base="id", base_kind="kind", base_district="district")
        frame = derived.left_join(persons(facts), internships, "person", derived.no_rows(facts.internships),
                                  "CM-08 internships")
        frame = derived.left_join(frame, bases, "base", derived.no_rows(facts.internships) or derived.no_rows(
            facts.organizations), "CM-08 bases")  # without internships no row has a base to join
        return frame.with_columns(_remaining_months())

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        deadline = date_param(p, "contract_signed_by")
        d, start, end = pl.col("D"), pl.col("internship_start"), pl.col("internship_end")
        return [
            Condition("internship", "参加就业见习", CLAUSE, pl.col("internship_id").is_not_null(),
                      detail("见习期：{} 至 {}", start, end)),
            Condition("is_internship_base", "见习单位为就业见习基地", CLAUSE, pl.col("base_kind") == "internship_base",
                      detail("见习单位 {}：{}", pl.col("base"), labelled(pl.col("base_kind"), KIND_LABELS, keep_unlabelled=True))),
            Condition("signed", f"在{deadline}前（含当日）与见习学员签订劳动合同", CLAUSE,
                      d.is_not_null() & (d <= deadline),
                      detail("签订劳动合同日：{}", d)),
            # G6 trigger (catalog G4 rev. 2): a signing before 2023 starts nothing, and as the base × intern's first
            # occurrence (once-only, G4) a later signing does not revive it — the engine drops that line anyway
            # (its month is before the window); the condition makes the explanation say why
            start_from(CLAUSE, date_param(p, "contract_signed_from"), column="D", text="签订劳动合同日",
                       over=("base", "person")),
            Condition("before_end", "签约时见习期未届满（见习开始日≤签约日≤见习结束日）", CLAUSE,
                      (start <= d) & (end.is_null() | (d <= end)),
                      detail("见习期 {} 至 {}，签约日 {}", start, end, d)),
            Condition("remaining", "剩余见习期至少一个完整自然月", CLAUSE, pl.col("remaining_months") > 0,
                      pl.when(d.is_not_null() & end.is_null()).then(pl.lit("见习结束日未登记，无法计算剩余期限"))
                      .otherwise(detail("签约次日至见习结束日完整覆盖 {} 个自然月", pl.col("remaining_months")))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("D").dt.truncate("1mo")
        return eligible.select(
            beneficiary="base", subject="person", month=month,
            amount_fen=p.fen_expr("monthly_mentoring_fee", month) * pl.col("remaining_months").cast(pl.Int64),
        )  # fmt: skip


MEASURE = InternshipBaseRemainingTermMentoringSubsidy()
