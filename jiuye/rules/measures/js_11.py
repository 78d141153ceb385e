"""JS-11 劳务协作稳定岗位补贴 — 金就办〔2023〕1号 四(十一).

Reading (catalog): worker certified as rural labour of a paired region (active at the contract start);
first employment in Jinshan (no contract with any Jinshan employer, excluded types included, starting
earlier); Jinshan employer not excluded by G3; contract registered; ≥ 3 insured months under that
employer (G8).  500 for each insured month of that employment once it has 3 (the 1st and 2nd months'
lines appear when the 3rd is insured: arrears); ≤ 12 months per worker.  Worker and contract conditions
are shared with JS-12 and JS-13 (``_paired_region``).

Our choices:
- One line per insured month of the qualifying contract (G8), beneficiary the employer, subject the
  worker; months need not be consecutive; the 12-month cap is per employer × worker and consumes months
  chronologically, paid and computed alike (G5).
- Insured months before 2023-01 count toward 满3个月 but are not paid and do not use up the cap (G4).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope
from jiuye.rules.measures._jinshan import month_in_window
from jiuye.rules.measures._paired_region import SCOPE, worker_contract_conditions, worker_contracts
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 四(十一)"


class PairedRegionStableJobSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-11",
        title="劳务协作稳定岗位补贴",
        clause=CLAUSE,
        quote="对首次在金山实现就业的对口地区农村劳动力，本区用人单位与其签订劳动合同，办理用工登记备案手续并缴纳"
        "本市社会保险费满3个月的，按月给予实际用人单位稳定岗位补贴500元/人，补贴期限累计不超过12个月。",
        summary="金山的用人单位招用首次来金山就业的对口地区农村劳动力，签订劳动合同、办理用工登记并缴纳社保满3个月的，"
        "单位按每人每月500元领取稳定岗位补贴（含前两个月），每人累计最多12个月。",
        groups=("employers", "paired_region", "rural_labor"),
        beneficiary="employer_per_worker",
        frequency="monthly",
        kind="money",
        line_bound_yuan=500,
        reading="劳动合同开始之日为对口地区农村劳动力；此前未与任何金山区用人单位（含不属于本意见用人单位的机关、"
        "事业单位等）签订过劳动合同；用人单位在金山且不属于机关、事业单位、社工组织、非正规劳动组织、公益性劳动组织、"
        "劳务派遣公司；已用工登记备案；该合同期间在该单位缴纳城镇职工社会保险满3个月（不要求连续）后，"
        "该合同每个参保月（含第1、2个月）各补贴500元，每个单位每名职工累计不超过12个月；"
        "2023年1月前的参保月计入“满3个月”但不发放、不占用12个月。",
    )
    cap: ClassVar[Cap | None] = Cap(limit="cap_months", key=("beneficiary", "subject"), counts="months")

    scope: ClassVar[tuple[Scope, ...]] = SCOPE
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("monthly_amount",)
    needs: ClassVar[tuple[str, ...]] = ('statuses', 'contracts', 'employers', 'social_insurance')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return worker_contracts(facts, p)

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return worker_contract_conditions(p, CLAUSE)

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        insured = derived.insured_months(facts, among=eligible).select("contract_id", "month")
        return (
            eligible.select("contract_id", "employer", "person").join(insured, on="contract_id")
            .select(beneficiary="employer", subject="person", month="month").unique()
            .with_columns(amount_fen=p.fen_expr("monthly_amount", pl.col("month")))
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [month_in_window(p)]  # insured months before 2023 count toward 满3个月 but are not paid (G4)


MEASURE = PairedRegionStableJobSubsidy()
