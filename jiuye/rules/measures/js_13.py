"""JS-13 对口地区劳动力一次性转移就业补贴 — 金就办〔2023〕1号 四(十三).

Reading (catalog): as JS-11 (``_paired_region``), paid to the worker: 1,200 once per person, payable in the
month of the 3rd insured month.

Our choices:
- With several qualifying contracts (same earliest start day) the earliest 3rd insured month counts.
- A 3rd insured month before 2023-01 belongs to the earlier policy: no line ever (G4).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope
from jiuye.rules.measures._jinshan import in_window
from jiuye.rules.measures._paired_region import SCOPE, worker_contract_conditions, worker_contracts
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 四(十三)"


class PairedRegionTransferBonus(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-13",
        title="对口地区劳动力一次性转移就业补贴",
        clause=CLAUSE,
        quote="对来金首次就业，与在金用人单位签订劳动合同，办理用工登记备案手续并缴纳本市社会保险费满 3 个月的，"
        "给予个人一次性转移就业补贴 1200 元。",
        summary="对口地区农村劳动力首次来金山就业，与金山的用人单位签订劳动合同、办理用工登记并缴纳社保满3个月的，"
        "个人一次性领取1200元转移就业补贴。",
        groups=("paired_region", "rural_labor"),
        beneficiary="person",
        frequency="once",
        kind="money",
        line_bound_yuan=1_200,
        reading="劳动者和劳动合同的条件同JS-11；在该单位缴纳城镇职工社会保险第3个月所在月份补贴1200元，每人一次；"
        "第3个月在2023年1月前的，不属于本意见补贴范围。对口地区劳动力本无本区户籍：G12 以用人单位位于金山为准，"
        "不要求本区户籍，故户籍迁出（G13）不适用（本软件的理解）。",
    )
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary",), "lines")

    scope: ClassVar[tuple[Scope, ...]] = SCOPE
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('statuses', 'contracts', 'employers', 'social_insurance')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return worker_contracts(facts, p)

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            *worker_contract_conditions(p, CLAUSE),
            in_window(p, pl.col("qualifying_month"), f"缴纳社会保险费满{p.get('min_insured_months')}个月的月份",
                      over=("person",)),
        ]

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("qualifying_month")
        return eligible.select(beneficiary="person", subject="person", month=month,
                               amount_fen=p.fen_expr("amount", month))  # fmt: skip


MEASURE = PairedRegionTransferBonus()
