"""Shared derived facts (jiuye.rules.derived)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from jiuye.rules import derived

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
