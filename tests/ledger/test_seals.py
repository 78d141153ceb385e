"""The approval seals of pay's candidates, built by whole columns, are exactly the per-line seals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuye.audit.keys import ChainKey
from jiuye.ledger.service import seal, seals

KEY = ChainKey(b"k" * 32, 0, Path("unused"))
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
rows = st.lists(
    st.tuples(
        st.integers(1, 2**62), texts, texts, texts,
        st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)), st.none() | st.integers(-(2**62), 2**62),
    ),
    max_size=30,
)  # fmt: skip


@given(rows)
@settings(max_examples=200, deadline=None)
def test_column_seals_equal_line_seals(lines: list[tuple[object, ...]]) -> None:
    names = ("id", "policy", "beneficiary", "subject", "month", "amount_fen")
    frame = pl.DataFrame(lines, schema={"id": pl.Int64, "policy": pl.String, "beneficiary": pl.String,
                                        "subject": pl.String, "month": pl.Date, "amount_fen": pl.Int64},
                         orient="row")  # fmt: skip
    expected = [seal(KEY, SimpleNamespace(**dict(zip(names, line, strict=True)))) for line in lines]
    assert seals(KEY, frame) == expected
