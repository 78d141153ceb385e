"""``labelled`` (jiuye.rules.measure) gives exactly what Polars' ``replace_strict``/``replace`` give: the same
values, dtype and name, in every context the measures use it (a select, a format, a when/then)."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuye.rules.facts import DISTRICT_NAMES
from jiuye.rules.measure import labelled

LABELS = {"a": "甲", "b": "乙", "c": "甲"}  # two values may share a label
VALUES = st.lists(
    st.one_of(st.none(), st.sampled_from([*LABELS, *DISTRICT_NAMES, "x", "", "A"])), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(values=VALUES)
def test_labelled_is_replace_strict_and_replace(values: list[str | None]) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    for labels in (LABELS, DISTRICT_NAMES):
        strict = frame.select(pl.col("v").replace_strict(labels, default=None, return_dtype=pl.String))
        assert_same(frame.select(labelled(pl.col("v"), labels)), strict)
        assert_same(
            frame.select(labelled(pl.col("v"), labels, keep_unlabelled=True)),
            frame.select(pl.col("v").replace(labels)),
        )
        # inside the expressions the details are made of
        text = pl.format("{}：{}", pl.col("v").fill_null("无"), labelled(pl.col("v"), labels).fill_null("无"))
        ref = pl.format(
            "{}：{}",
            pl.col("v").fill_null("无"),
            pl.col("v").replace_strict(labels, default=None, return_dtype=pl.String).fill_null("无"),
        )
        assert_same(
            frame.select(d=pl.when(pl.col("v").is_null()).then(pl.lit("空")).otherwise(text)),
            frame.select(d=pl.when(pl.col("v").is_null()).then(pl.lit("空")).otherwise(ref)),
        )


def assert_same(got: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert got.schema == expected.schema
    assert got.to_dict(as_series=False) == expected.to_dict(as_series=False)
