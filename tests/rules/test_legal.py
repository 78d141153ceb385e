"""G1 counting words: 民法典 第1259条 — 以上/以下/以内/届满 include the number; 不满/超过/以外 exclude it."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jiuye.rules.legal import COUNTING_WORDS, includes_number, meets, symbol

INCLUSIVE = ["以上", "及以上", "以下", "及以下", "以内", "届满", "满", "不少于", "不低于", "不超过"]
EXCLUSIVE = ["不满", "超过", "以外", "低于"]


@pytest.mark.parametrize("word", INCLUSIVE)
def test_inclusive_words_include_the_number(word: str) -> None:
    assert includes_number(word)
    assert meets(word, 6, 6) is True


@pytest.mark.parametrize("word", EXCLUSIVE)
def test_exclusive_words_exclude_the_number(word: str) -> None:
    assert not includes_number(word)
    assert meets(word, 6, 6) is False


@pytest.mark.parametrize(
    ("word", "below", "above"),
    [("以上", False, True), ("超过", False, True), ("满", False, True), ("不少于", False, True),
     ("以下", True, False), ("不超过", True, False), ("低于", True, False), ("不满", True, False)],
)  # fmt: skip
def test_direction(word: str, below: bool, above: bool) -> None:
    assert meets(word, 5, 6) is below
    assert meets(word, 7, 6) is above


def test_every_word_is_listed_and_has_a_symbol() -> None:
    assert set(COUNTING_WORDS) == set(INCLUSIVE) | set(EXCLUSIVE)
    assert {symbol(w) for w in COUNTING_WORDS} == {"≥", ">", "≤", "<"}


def test_works_on_polars_columns() -> None:
    frame = pl.DataFrame({"months": [5, 6, 7]})
    assert frame.select(meets("超过", pl.col("months"), 6)).to_series().to_list() == [False, False, True]
    assert frame.select(meets("满", pl.col("months"), 6)).to_series().to_list() == [False, True, True]


def test_unknown_word_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="未知的计数用语"):
        meets("大约", 1, 1)


@pytest.mark.parametrize("word", COUNTING_WORDS)
def test_a_literal_value_is_compared_on_every_row_of_a_column_of_one_repeated_value(word: str) -> None:
    # a column holding one repeated value (frames concatenated, as a merged gathering's, or a column set by
    # pl.lit) compared with a literal on the left came out as ONE row in Polars 2.1 (JS-07c: "evaluate.to ≥ the
    # day one year of operation is complete" failed every merged gathering of cases sharing that day)
    day = pl.DataFrame({"limit": [dt.date(2025, 12, 31)]})
    set_by_lit = pl.DataFrame({"n": [1, 2, 3]}).with_columns(limit=pl.lit(dt.date(2025, 12, 31)))
    for frame in (pl.concat([day, day, day]), set_by_lit):
        for value in (dt.date(2023, 2, 28), dt.date(2025, 12, 31), dt.date(2026, 1, 1)):
            expected = meets(word, value, dt.date(2025, 12, 31))
            for engine in ("in-memory", "streaming"):
                got = frame.lazy().with_columns(met=meets(word, pl.lit(value), pl.col("limit")))
                assert got.collect(engine=engine)["met"].to_list() == [expected] * 3
