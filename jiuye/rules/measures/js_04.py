"""JS-04 农村劳动力跨区转移就业补贴 — 金就办〔2023〕1号 一(四).

Reading (catalog + lead's decision), each month M: working age (parameters: men 16–59, women 16–49; M
counts when the person is of working age on some day of M: the working-age period is
[birth + 16 years, birth + (max + 1) years − 1 day], active in M per G9); hukou district Jinshan with
agricultural origin (``hukou_agricultural``; 含被征地人员); a contract with an employer located in another
Shanghai district (not Jinshan, not outside Shanghai), term per G7, registered; insured in M under that
contract's employer (G8) with a contribution base strictly below 1.2 × the city minimum monthly base for
M (a dated parameter: 6,520 from 2022-07, 7,310 from 2023-07, 7,384 from 2024-07), compared exactly in
integer fen: base_fen < ⌈min_fen × 1.2⌉.  The amount follows the city standard (G6): ``monthly_amount``
is null until an administrator sets it, and lines are ``amount_pending``.  ≤ 36 months per person.

Our choices:
- G3 applies (the clause names a 用人单位, and 七(一) defines the document's 用人单位): employment with an
  agency, public institution, labour-dispatch company etc. in another district does not count.
- One line per person and month even with two qualifying contracts in the same month (a month qualifies
  when the contribution under any qualifying contract of that month meets the base condition).
- Several records of the same month and employer: the highest base counts; a record without a base does
  not meet the base condition.
- G6 trigger (catalog G4, rev. 2: "the event that triggers them (the hire …) must fall on or after
  2023-01-01; a contract … that began before the document does not start one of its subsidies"): JS-04 is
  a G6 measure, so only a contract starting on or after ``new_employment_from`` (2023-01-01) counts; a
  cross-district contract signed in 2022 earns nothing, even for months from 2023-01.
- "一年以上" per G7 (以上 includes the number): 2023-07-01 – 2024-06-30 qualifies, – 2024-06-29 does not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import age_on_expr
from jiuye.rules.facts import Facts
from jiuye.rules.legal import meets
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, Threshold, detail
from jiuye.rules.measures._jinshan import (
    DISTRICT,
    contract_registered,
    contract_term,
    district_text,
    employer_not_excluded,
    month_in_window,
    persons,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 一(四)"
TRIGGER_CLAUSE = f"{CLAUSE}；政策目录 G4/G6（第2版）"


def base_limit_fen(p: MeasureParameters, month: pl.Expr) -> pl.Expr:
    """⌈city minimum base × multiplier⌉ in fen for ``month`` (exact: the multiplier as a fraction a/b)."""
    a, b = Decimal(str(p.get("base_multiplier"))).as_integer_ratio()
    return (p.fen_expr("city_min_base", month) * a + (b - 1)) // b


class RuralLabourCrossDistrictSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-04",
        title="农村劳动力跨区转移就业补贴",
        clause=CLAUSE,
        quote="劳动年龄段内的本区户籍农民（原农业户籍人员，含被征地人员），在本市范围内除金山之外的区就业，与用人单位签订"
        "一年以上劳动合同，并按规定办理用工登记备案手续和缴纳本市城镇职工社会保险费，且月缴费基数低于当年本市职工基本保险"
        "最低月缴费基数 1.2 倍的，在就业期间参照市级标准给予跨区转移就业补贴，补贴期限累计不超过 36 个月。",
        summary="劳动年龄段内的金山户籍农民（原农业户籍，含被征地人员）到本市其他区就业，签订一年以上劳动合同、"
        "办理用工登记并缴纳城镇职工社保，且月缴费基数低于本市最低缴费基数1.2倍的，按市级标准按月补贴，"
        "累计最多36个月。补贴标准待市级标准确定后发放。",
        groups=("rural_labor",),
        beneficiary="person",
        frequency="monthly",
        kind="pending",
        line_bound_yuan=3_000,
        reading="逐月判断：当月有一天处于劳动年龄段（男16–59周岁、女16–49周岁，管理员可调整）；金山户籍且原农业户籍；"
        "与本市金山以外某区的用人单位（不属于机关、事业单位、劳务派遣公司等，七(一)）签订一年以上劳动合同"
        "（无固定期限，或结束日不早于开始日+1年−1日）并已用工登记备案；当月在该单位缴纳城镇职工社会保险，"
        "且缴费基数低于当月适用的本市最低月缴费基数的1.2倍（按分精确比较）。补贴标准参照市级标准，"
        "未设定前结果为“待定金额”；累计不超过36个月。劳动合同须在2023年1月1日或之后开始（第2版 G6 触发条件："
        "此前开始的合同不启动本补贴）。",
    )
    cap: ClassVar[Cap | None] = Cap(limit="cap_months", key=("beneficiary", "subject"), counts="months")
    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "hukou_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou",)  # prune first: see jiuye.rules.prune

    line_amounts: ClassVar[tuple[str, ...]] = ("monthly_amount",)
    needs: ClassVar[tuple[str, ...]] = ('contracts', 'employers', 'social_insurance')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        return derived.left_join(
            persons(facts).select("person", "subject", "birth_date", "gender", "hukou_district", "hukou_agricultural"),
            derived.contracts_with_employers(facts), "person", derived.no_rows(facts.contracts), "JS-04 contracts",
        )  # fmt: skip

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        other = pl.col("employer_district")
        start_from = p.get("new_employment_from")
        start_from = dt.date.fromisoformat(start_from) if isinstance(start_from, str) else start_from
        return [
            Condition("agricultural", "原农业户籍人员（含被征地人员）", CLAUSE, pl.col("hukou_agricultural").fill_null(False),
                      detail("原农业户籍：{}", yes_no(pl.col("hukou_agricultural")))),
            Condition("has_contract", "与用人单位签订劳动合同", CLAUSE, pl.col("contract_id").is_not_null(),
                      detail("用人单位 {}，合同 {} 起", pl.col("employer"), pl.col("start"))),
            Condition("other_district", "在本市范围内除金山之外的区就业", CLAUSE,
                      other.is_not_null() & (other != DISTRICT),
                      detail("用人单位所在区：{}", district_text(other))),
            employer_not_excluded(),
            contract_term(p.get("min_contract_years"), CLAUSE),
            contract_registered(CLAUSE),
            Condition.of("start_from", f"劳动合同起始日在 {start_from} 或之后（G6 触发条件）", TRIGGER_CLAUSE,
                         Threshold("以上", pl.col("start"), start_from, "date", action="劳动合同起始日",
                                   fact="contracts.start"),
                         detail("劳动合同起始日：{}", pl.col("start"))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        window = p.window
        first = pl.max_horizontal(pl.col("start"), pl.lit(window.start))
        months = derived.month_panel(eligible, first, pl.col("end"), ctx.horizon_end)
        insured = derived.insured_months(facts, among=eligible).select("contract_id", "month", insured=pl.lit(True))
        bases = (
            derived.insurance_of(facts, among=months)
            .filter(pl.col("paid") & (pl.col("scheme") == derived.INSURED_SCHEME))
            .group_by("person", "employer", "month").agg(pl.col("base_fen").max())
        )  # fmt: skip
        insured_here = pl.col("insured").fill_null(False)
        below = insured_here & meets("低于", pl.col("base_fen"), base_limit_fen(p, pl.col("month"))).fill_null(False)
        return (
            months.select("person", "contract_id", "employer", "birth_date", "gender", "month")
            .join(insured, on=["contract_id", "month"], how="left")
            .join(bases, on=["person", "employer", "month"], how="left")
            .with_columns(insured=insured_here, base_below=below)
            .group_by("person", "month")
            .agg(pl.col("insured").any(), pl.col("base_below").any(), pl.col("birth_date").first(),
                 pl.col("gender").first())
            .select(beneficiary="person", subject="person", month="month",
                    amount_fen=p.fen_expr("monthly_amount", pl.col("month")),
                    insured="insured", base_below="base_below", birth_date="birth_date", gender="gender")
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        # 劳动年龄段 in a month: some day of it lies between the 16th birthday and the day before the
        # (max + 1)th (G2/G9 by adding years) — i.e. 16 reached by the month's end and not yet max + 1 at its
        # start.  The minimum is a threshold time reaches ("年满16周岁后（…起）"); the maximum never comes back.
        birth = pl.col("birth_date")
        max_age = pl.when(pl.col("gender") == "male").then(pl.lit(int(p.get("max_working_age_male")))).otherwise(
            pl.lit(int(p.get("max_working_age_female"))))  # fmt: skip
        return [
            Condition.of("working_age", "当月处于劳动年龄段内", CLAUSE,
                         Threshold("以上", age_on_expr(birth, pl.col("month").dt.month_end()),
                                   int(p.get("min_working_age")), "age", birth=birth, fact="evaluate.to",
                                   requires=age_on_expr(birth, pl.col("month")) <= max_age)),
            Condition("insured", "当月在该单位缴纳本市城镇职工社会保险费", CLAUSE, pl.col("insured")),
            Condition("base_below", f"月缴费基数低于当年本市最低月缴费基数的{p.get('base_multiplier')}倍", CLAUSE,
                      pl.col("base_below")),
            month_in_window(p),
        ]  # fmt: skip


MEASURE = RuralLabourCrossDistrictSubsidy()
