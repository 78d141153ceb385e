"""G2 ages and G9 dates: scalar helpers and their column forms agree."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from jiuye.rules import dates as d

D = dt.date


def test_add_months_clamps_to_month_end() -> None:
    assert d.add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert d.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert d.add_months(D(2023, 1, 5), 6) == D(2023, 7, 5)
    assert d.add_months(D(2023, 3, 31), -1) == D(2023, 2, 28)


def test_age_is_completed_years() -> None:
    birth = D(1988, 6, 15)
    assert d.age_on(birth, D(2024, 6, 14)) == 35
    assert d.age_on(birth, D(2024, 6, 15)) == 36
    assert d.age_on(D(2000, 2, 29), D(2001, 2, 28)) == 1  # the birthday clamps like any year (G9)


def test_periods_and_months() -> None:
    assert d.active_in_month(D(2024, 3, 31), None, D(2024, 3, 1))
    assert not d.active_in_month(D(2024, 4, 1), None, D(2024, 3, 1))
    assert d.active_in_month(D(2023, 1, 1), D(2024, 3, 1), D(2024, 3, 1))
    assert d.covers_month_fully(D(2024, 3, 1), D(2024, 3, 31), D(2024, 3, 1))
    assert not d.covers_month_fully(D(2024, 3, 2), D(2024, 3, 31), D(2024, 3, 1))
    assert d.whole_months_covered(D(2023, 10, 16), D(2024, 2, 29)) == 4
    assert d.whole_months_covered(D(2024, 3, 1), D(2024, 3, 30)) == 0
    assert d.months_between(D(2023, 11, 20), D(2024, 2, 1)) == [D(2023, 11, 1), D(2023, 12, 1), D(2024, 1, 1),
                                                               D(2024, 2, 1)]  # fmt: skip
    assert d.parse_month("2024-03") == D(2024, 3, 1) and d.format_month(D(2024, 3, 9)) == "2024-03"


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2060, 12, 31))


@given(st.lists(st.tuples(dates, st.integers(-400, 400)), min_size=1, max_size=30))
def test_add_months_expr_matches_scalar(rows: list[tuple[dt.date, int]]) -> None:
    frame = pl.DataFrame({"day": [r[0] for r in rows], "n": [r[1] for r in rows]})
    got = frame.select(d.add_months_expr(pl.col("day"), pl.col("n"))).to_series().to_list()
    assert got == [d.add_months(day, n) for day, n in rows]


@given(st.lists(dates, min_size=1, max_size=30), st.integers(-400, 400))
def test_add_months_expr_constant_and_null(days: list[dt.date], n: int) -> None:
    """The constant form (a fixed offset) clamps like the scalar; a missing day or count stays missing."""
    frame = pl.DataFrame(
        {"day": [*days, None], "n": [n] * len(days) + [None]}, schema={"day": pl.Date, "n": pl.Int64}
    )
    got = frame.select(d.add_months_expr(pl.col("day"), n)).to_series().to_list()
    assert got == [*(d.add_months(day, n) for day in days), None]
    assert frame.select(d.add_months_expr(pl.col("day"), pl.col("n"))).to_series()[-1] is None


@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=30))
def test_age_expr_matches_scalar(rows: list[tuple[dt.date, dt.date]]) -> None:
    frame = pl.DataFrame({"birth": [r[0] for r in rows], "day": [r[1] for r in rows]})
    got = frame.select(d.age_on_expr(pl.col("birth"), pl.col("day"))).to_series().to_list()
    assert got == [d.age_on(b, day) for b, day in rows]


@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=30))
def test_whole_months_expr_matches_scalar(rows: list[tuple[dt.date, dt.date]]) -> None:
    rows = [(min(a, b), max(a, b)) for a, b in rows]
    frame = pl.DataFrame({"s": [r[0] for r in rows], "e": [r[1] for r in rows]})
    got = frame.select(d.whole_months_covered_expr(pl.col("s"), pl.col("e"))).to_series().to_list()
    assert got == [d.whole_months_covered(s, e) for s, e in rows]


@given(st.lists(st.tuples(st.one_of(st.none(), dates), st.one_of(st.none(), dates), st.one_of(st.none(), dates)),
                min_size=1, max_size=40))  # fmt: skip
def test_active_in_month_from_the_start_month_matches_active_in_month(rows: list[tuple[D | None, ...]]) -> None:
    """The form the insured months use (the start truncated once) says what G9's active_in_month says, for any
    day of the month, nulls included."""
    frame = pl.DataFrame(rows, schema={"start": pl.Date, "end": pl.Date, "month": pl.Date}, orient="row")
    got = frame.select(
        d.active_in_month_from_start_month_expr(pl.col("start").dt.truncate("1mo"), pl.col("end"), pl.col("month"))
    ).to_series()
    expected = frame.select(d.active_in_month_expr(pl.col("start"), pl.col("end"), pl.col("month"))).to_series()
    assert got.to_list() == expected.to_list()
