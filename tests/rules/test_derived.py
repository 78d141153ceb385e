"""Shared derived facts (jiuye.rules.derived)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuye.rules import derived
from jiuye.rules.facts import Facts

D = dt.date


def test_mark_overlapping_inclusive_both_ends_and_open_end() -> None:
    frame = pl.LazyFrame(
        {
            "person": ["a", "a", "a", "b", "c", "d"],
            "first": [D(2023, 1, 1), D(2023, 3, 2), D(2023, 5, 1), D(2023, 1, 1), None, D(2023, 1, 1)],
            "last": [D(2023, 1, 31), D(2023, 3, 31), D(2023, 5, 31), D(2023, 1, 31), D(2023, 1, 31), D(2023, 1, 31)],
        }
    )
    periods = pl.LazyFrame(
        {
            "person": ["a", "a", "b", "c"],
            "start": [D(2022, 6, 1), D(2023, 5, 31), D(2023, 2, 1), D(2020, 1, 1)],
            "end": [D(2023, 1, 1), None, None, None],
        }
    )
    frame = frame.with_row_index("row")  # joins don't keep row order: compare by row
    out = derived.mark_overlapping(frame, periods, "first", "last", "hit").collect().sort("row")
    # a: period ends on the span's first day (inclusive) / gap / open period starting on the last day
    # b: period starts after the span; c: unknown span; d: no periods at all
    assert out["hit"].to_list() == [True, False, True, False, False, False]


def test_mark_covered_with_a_day_column_named_like_the_periods() -> None:
    # a contract's own `start` must not shadow the status periods' bounds
    frame = pl.LazyFrame({"person": ["a", "b"], "start": [D(2023, 3, 1), D(2023, 3, 1)]})
    periods = pl.LazyFrame({"person": ["a", "b"], "start": [D(2023, 1, 1), D(2023, 4, 1)], "end": [None, None]})
    out = derived.mark_covered(frame, periods, "start", "covered").collect().sort("person")
    assert out["covered"].to_list() == [True, False]


# few days, around the months' edges and 1970 (day number 0 of a Date), so that records often meet contracts
_days = st.sampled_from([D(1969, 11, 15), D(1969, 12, 31), D(1970, 1, 1), D(1970, 2, 10), D(2024, 1, 31),
                         D(2024, 2, 1), D(2024, 2, 29), D(2024, 3, 15)])  # fmt: skip
_contract = st.tuples(st.sampled_from([f"c{i}" for i in range(1, 40)]), st.sampled_from(["p1", "p2"]),
                      st.sampled_from(["e1", "e2"]), _days, st.one_of(st.none(), _days))  # fmt: skip
_record = st.tuples(st.sampled_from(["p1", "p2", "p3"]), _days, st.sampled_from(["urban_employee", "flexible"]),
                    st.one_of(st.none(), st.sampled_from(["e1", "e2"])), st.booleans())  # fmt: skip


def _insurance_facts(contracts: list[tuple], records: list[tuple]) -> Facts:
    return Facts.from_frames(
        contracts=pl.DataFrame(contracts, orient="row", schema={
            "contract_id": pl.String, "person": pl.String, "employer": pl.String, "start": pl.Date, "end": pl.Date}),
        social_insurance=pl.DataFrame([(p, m.replace(day=1), *rest) for p, m, *rest in records], orient="row", schema={
            "person": pl.String, "month": pl.Date, "scheme": pl.String, "employer": pl.String, "paid": pl.Boolean}),
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(_contract, max_size=40), st.lists(_record, max_size=40))
def test_insured_month_lists_are_the_g8_months_of_each_contract(contracts: list[tuple], records: list[tuple]) -> None:
    """G8 read plainly: per contract id, the distinct paid ``urban_employee`` months with the contract's employer
    within its span, in order — also for repeated contract ids, months before 1970 and open ends (the packed
    integer key of insured_month_lists must not change any of it)."""
    facts = _insurance_facts(contracts, records)
    expected: dict[str, set[dt.date]] = {}
    for cid, person, employer, start, end in contracts:
        for p, month, scheme, e, paid in records:
            month = month.replace(day=1)
            month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if (p, e, scheme, paid) == (person, employer, "urban_employee", True) and start <= month_end and (
                end is None or end >= month
            ):
                expected.setdefault(cid, set()).add(month)
    # unoptimised too (how small cases run): without common-subplan elimination the plan numbers the ids twice
    for flags in (pl.QueryOptFlags(), pl.QueryOptFlags.none()):
        got = derived.insured_month_lists(facts).collect(optimizations=flags)
        assert got.get_column("contract_id").is_unique().all()
        assert {r["contract_id"]: r["months"] for r in got.iter_rows(named=True)} == {
            cid: sorted(months) for cid, months in expected.items()
        }


@settings(max_examples=60, deadline=None)
@given(st.lists(_contract, max_size=6), st.lists(_record, max_size=30), st.lists(st.sampled_from(["c1", "c2", "c9"])))
def test_insured_months_among_some_contracts_join_like_all(contracts: list[tuple], records: list[tuple],
                                                          among: list[str]) -> None:  # fmt: skip
    """On large facts the callers' contracts restrict the months before they are exploded; joined to those
    contracts they are the same rows as all the contracts' months."""
    facts = _insurance_facts(contracts, records)
    wanted = pl.LazyFrame({"cid": among}, schema={"cid": pl.String})
    every = derived.insured_months(facts)
    old = derived._MEMO_MIN_ROWS
    try:
        derived._MEMO_MIN_ROWS = 0  # what a million-person registry does
        with derived.sharing_derivations(facts):
            assert derived._materialised(facts)
            restricted = derived.insured_months(facts, among=wanted, on="cid")
            joined = [f.collect().sort("cid", "month") for f in (
                wanted.join(every, left_on="cid", right_on="contract_id"),
                wanted.join(restricted, left_on="cid", right_on="contract_id"),
            )]  # fmt: skip
    finally:
        derived._MEMO_MIN_ROWS = old
    assert joined[0].equals(joined[1])
