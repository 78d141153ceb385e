"""CM-10b 重点群体就业补贴（就业困难人员） — 沪崇就办〔2023〕2号 三(十).

Reading (catalog, row "CM-09 / CM-10b"): a Chongming graduate, or a certified 就业困难人员, in new
employment with a Chongming employer; amount by municipal standard (G6).  This module is the hardship
clause 三(十); ``cm_09`` is the graduates' clause 二(九).

Our choices (contract start S):
- 就业困难人员 = an ``employment_hardship`` status active on S (the day the new employment begins);
  no hukou condition (the text names none; certification is the city's);
- 在本区用人单位实现新增就业 = a labour contract with an employer whose district is Chongming, starting on
  or after 2023-01-01 (parameter, G6 trigger), registered (用工登记备案, catalog rev. 2);
- once per person: the earliest qualifying contract, dated in the month of its start.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Scope, detail
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


class KeyGroupEmploymentSubsidyHardship(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10b",
        title="重点群体就业补贴（就业困难人员）",
        clause=CLAUSE,
        quote="就业困难人员实现用人单位吸纳就业或灵活就业的，按规定给予社会保险补贴。其中在本区用人单位实现新增就业的，"
        "再按规定给予重点群体就业补贴。",
        summary="经认定的就业困难人员，2023年起与崇明的用人单位签订劳动合同实现新增就业的，"
        "可申请一次重点群体就业补贴，标准按市里规定执行。",
        groups=("hardship",),
        beneficiary="person",
        frequency="once",
        kind="pending",
        line_bound_yuan=10_000,
        reading="劳动合同起始日S当天为经认定的就业困难人员（认定有效期覆盖S）；与所在区为崇明的用人单位签订劳动合同，"
        "已办理用工登记备案，S不早于2023-01-01（新增就业）；原文未限定户籍（G12 以单位所在区为准）。每人一次，以最早"
        "一次符合其他条件的合同为准（在2023年之前的，不再补贴，G4），记在合同起始当月；"
        "金额按市级标准，待管理员设定前为待定金额。",
    )
    cap: ClassVar[Cap | None] = Cap(limit=1, key=("beneficiary", "subject"), counts="lines")

    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('statuses', 'contracts', 'employers')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        return derived.mark_status(person_contracts(facts), facts, ("employment_hardship",), "S", "hardship_at_S")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            Condition("hardship", "经认定的就业困难人员（劳动合同起始日）", CLAUSE, pl.col("hardship_at_S"),
                      detail("劳动合同起始日 {} 为就业困难人员：{}", pl.col("S"), yes_no(pl.col("hardship_at_S")))),
            has_contract(CLAUSE),
            start_from(CLAUSE, date_param(p, "new_employment_from"), over=("person",)),
            Condition("registered", "已办理用工登记备案", CLAUSE, pl.col("registered").fill_null(False),
                      detail("用工登记备案：{}", yes_no(pl.col("registered")))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return once_at_contract_start(eligible, p)


MEASURE = KeyGroupEmploymentSubsidyHardship()
