"""CM-10g 专项就业补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog): a Shanghai farmer of a low-income or 低保 family who takes up employment; amount by
municipal standard (G6).

Our choices (employment start E):
- 本市农民 = hukou Chongming (G12, rev. 2) with ``agricultural`` true;
- 低收入困难家庭或享受最低生活保障家庭 = a ``low_income_family`` or ``min_living_allowance_family`` status
  active on E;
- 实现就业 = a labour contract starting on E or a flexible-employment registration dated E, with E on or
  after 2023-01-01 (parameter); any employer, anywhere;
- once per person: the first otherwise qualifying employment decides (G4 rev. 2), dated in E's month.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    EMPLOYMENT_LABEL,
    date_param,
    district_text,
    person_employments,
    start_from,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_10
FAMILY_KINDS = ("low_income_family", "min_living_allowance_family")


class SpecialEmploymentSubsidyFarmers(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10g",
        title="专项就业补贴",
        clause=CLAUSE,
        quote="符合条件的低收入困难家庭或享受最低生活保障家庭中的本市农民实现就业的，按规定给予专项就业补贴。",
        summary="本市农业户籍人员，家庭为低收入困难家庭或享受低保的，2023年起签订劳动合同或办理灵活就业登记实现就业的，"
        "可申请一次专项就业补贴，标准按市里规定执行。",
        groups=("rural_labor", "hardship"),
        beneficiary="person",
        frequency="once",
        kind="pending",
        line_bound_yuan=10_000,
        reading="本区（崇明）户籍（G12）且为原农业户籍；就业开始日E当天家庭为低收入困难家庭或低保家庭（认定有效期覆盖E）；"
        "实现就业指劳动合同起始或办理灵活就业登记，E不早于2023-01-01（G6），单位不限。每人一次，以最早一次符合其他条件的"
        "就业为准（在2023年之前的，不再补贴，G4），"
        "记在就业开始当月；金额按市级标准，待管理员设定前为待定金额。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('statuses',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × employment (contract or flexible registration)."""
        return derived.mark_status(person_employments(facts), facts, FAMILY_KINDS, "E", "family_at_E")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        farmer = pl.col("hukou_agricultural").fill_null(False)
        return [
            Condition("farmer", "本市农民（原农业户籍）", CLAUSE, farmer,
                      detail("户籍：{}，农业户籍：{}", district_text("hukou_district"),
                             yes_no(pl.col("hukou_agricultural")))),
            Condition("family", "低收入困难家庭或享受最低生活保障家庭成员（就业开始日）", CLAUSE, pl.col("family_at_E"),
                      detail("就业开始日 {} 家庭为低收入困难家庭或低保家庭：{}", pl.col("E"), yes_no(pl.col("family_at_E")))),
            Condition("employed", "实现就业（签订劳动合同或灵活就业登记）", CLAUSE, pl.col("employment_id").is_not_null(),
                      detail("{}，开始日 {}", EMPLOYMENT_LABEL, pl.col("E"))),
            start_from(CLAUSE, date_param(p, "employment_from"), column="E", text="就业开始日", over=("person",)),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("E").dt.truncate("1mo")
        return eligible.select(
            beneficiary="person", subject="person", month=month, amount_fen=p.fen_expr("amount", month)
        ).unique()


MEASURE = SpecialEmploymentSubsidyFarmers()
