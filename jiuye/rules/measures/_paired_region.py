"""The worker and contract of JS-11, JS-12 and JS-13 (金就办〔2023〕1号 四(十一)–(十三)), defined once.

All three clauses describe the same employment: a rural labourer of a paired region (对口地区农村劳动力)
who takes up his or her first employment in Jinshan (首次在金山实现就业) with a Jinshan employer, under a
labour contract that is registered (办理用工登记备案手续), insured in the city's scheme for at least 3 months
(缴纳本市社会保险费满3个月, G8).  They differ only in who is paid and how often.

Readings (catalog + lead's decisions):
- the paired-region status (``paired_region_rural_labor``) is active on the contract's start day;
- first employment in Jinshan: no contract with any employer located in Jinshan — excluded types (G3)
  included — starts strictly earlier;
- the employer is located in Jinshan (G12: the measures declare ``SCOPE``) and is not excluded by G3;
- ≥ 3 insured months under that contract (G8: paid, ``urban_employee``, that employer, within the
  contract's span; not necessarily consecutive), counted over all facts, never cut at the window;
- no contract-term condition (the clauses name none).
"""

from __future__ import annotations

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Condition, Scope, Threshold, detail, formats, when
from jiuye.rules.measures._jinshan import (
    DISTRICT,
    contract_registered,
    employer_not_excluded,
    persons,
)
from jiuye.rules.parameters import MeasureParameters

PAIRED_STATUS = "paired_region_rural_labor"
# G12 (rev. 2): all three pay for an employment with a Jinshan employer, whoever is paid
SCOPE = (Scope("employer", "employer_district", "本区（金山）用人单位"),)


def worker_contracts(facts: Facts, p: MeasureParameters) -> pl.LazyFrame:
    """One row per person × contract (a person without contracts keeps one row), ``subject`` = the worker.

    Adds ``paired_at_start``, ``first_jinshan_start`` (earliest start of a contract with any Jinshan
    employer), ``insured_count`` (G8 months under the contract) and ``qualifying_month`` (its N-th insured
    month, N = parameter ``min_insured_months``: 满3个月 is reached in that month).
    """
    months = int(p.get("min_insured_months"))
    if derived.no_rows(facts.contracts):
        # every person without a contract (a web form's, usually): the joins would add nulls and no insured month —
        # that, without their operators, and not shared: one select over the persons costs less in each measure's
        # query than a collect of its own before them (issue 11: ~0.7 ms of a one-person evaluation's main thread)
        added = derived.null_columns(("paired_worker_contracts", months), lambda: _joined(facts, months),
                                     ("person", "subject"), {"insured_count": 0})  # fmt: skip
        frame = persons(facts).select("person", "subject").with_columns(added)
        return derived.mark_status(frame, facts, (PAIRED_STATUS,), "contract_start", "paired_at_start")
    # JS-11, 12 and 13 build the same frame on the same pruned view: at 1 M people ~0.9 s CPU each (issue 11)
    return derived.shared_by_measures(facts, ("paired_worker_contracts", months), lambda: _worker_contracts(facts, months))


def _joined(facts: Facts, months: int) -> pl.LazyFrame:
    contracts = derived.contracts_with_employers(facts)
    first_jinshan = (
        contracts.filter(pl.col("employer_district") == DISTRICT)
        .group_by("person").agg(first_jinshan_start=pl.col("start").min())
    )  # fmt: skip
    return (
        persons(facts).select("person", "subject")
        .join(contracts, on="person", how="left")
        .join(first_jinshan, on="person", how="left")
        .join(derived.insured_month_count(facts, "insured_count"), on="contract_id", how="left")
        .join(derived.nth_insured_month(facts, months, "qualifying_month"), on="contract_id", how="left")
        .with_columns(pl.col("insured_count").fill_null(0))
        # the day column must not be called "start"/"end": mark_covered joins periods that have those columns
        .with_columns(contract_start=pl.col("start"))
    )  # fmt: skip


def _worker_contracts(facts: Facts, months: int) -> pl.LazyFrame:
    return derived.mark_status(_joined(facts, months), facts, (PAIRED_STATUS,), "contract_start", "paired_at_start")


def worker_contract_conditions(p: MeasureParameters, clause: str) -> list[Condition]:
    """The conditions every one of JS-11/12/13 puts on the worker and the contract."""
    months = p.get("min_insured_months")
    return [
        Condition("paired_worker", "对口地区农村劳动力（劳动合同开始之日）", clause, pl.col("paired_at_start"),
                  when(pl.col("start").is_null(), "无劳动合同",
                       formats("合同开始日 {}：{}", pl.col("start"),
                               when(pl.col("paired_at_start"), "是对口地区农村劳动力", "不是对口地区农村劳动力")))),
        Condition("has_contract", "与用人单位签订劳动合同", clause, pl.col("contract_id").is_not_null(),
                  detail("用人单位 {}，合同 {} 起", pl.col("employer"), pl.col("start"))),
        employer_not_excluded(),
        Condition("first_in_jinshan", "首次在金山实现就业（此前未与本区任何用人单位签订劳动合同）", clause,
                  pl.col("start").is_not_null() & (pl.col("start") <= pl.col("first_jinshan_start")),
                  detail("本合同开始日 {}，最早一份本区单位劳动合同开始日 {}", pl.col("start"),
                         pl.col("first_jinshan_start"))),
        contract_registered(clause),
        Condition.of("insured_months", f"在该单位缴纳本市社会保险费满{months}个月", clause,
                  Threshold("满", pl.col("insured_count"), months, "count", action="在该单位缴纳本市社会保险费",
                            unit="个月", fact="social_insurance"),
                  detail(f"该合同期间在该单位缴纳城镇职工社会保险 {{}} 个月（须满{months}个月），第{months}个月为 {{}}",
                         pl.col("insured_count"), pl.col("qualifying_month").dt.strftime("%Y-%m"))),
    ]  # fmt: skip
