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
    out = derived.mark_overlapping(frame, periods, "first", "last", "hit").collect()
    # a: period ends on the span's first day (inclusive) / gap / open period starting on the last day
    # b: period starts after the span; c: unknown span; d: no periods at all
    assert out["hit"].to_list() == [True, False, True, False, False, False]
