"""The facts behind an entitlement line (issue 9 item 5): what each condition of its measure compared.

For every subject with lines, the engine (``evaluate_facts(..., line_facts=True)``) also returns one row
(policy, subject, fact_fingerprint, facts):

- ``facts``: one text line ``<condition label>\\t<values compared>`` per condition and eligible candidate
  unit (registration, contract …) of the subject, units sorted and de-duplicated — the same values the
  explanation shows (the condition's ``detail``; a condition without one: the columns its expression
  reads).  The amount itself is compared on the line;
- ``fact_fingerprint``: a 64-bit hash of ``facts`` (signed, to fit a BIGINT column).

All of it in Polars over whole columns.  The hash is Polars' own, which may change with a Polars version:
a fingerprint that differs is therefore only a hint, and a line is flagged only when the readable facts
differ too (:func:`fact_changes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from jiuye.rules.measure import Condition

SEP = "\t"
LINE_FACTS_SCHEMA: dict[str, Any] = {
    "policy": pl.String, "subject": pl.String, "fact_fingerprint": pl.Int64, "facts": pl.String,
}  # fmt: skip
CHANGES_SCHEMA: dict[str, Any] = {
    "policy": pl.String, "subject": pl.String, "label": pl.String, "old": pl.String, "new": pl.String,
}  # fmt: skip
_SEED = 20231  # any constant: the same text gives the same fingerprint in one Polars version


def _value(c: Condition) -> pl.Expr:
    if c.detail is not None:
        value = c.detail.cast(pl.String)
    else:  # no detail: the columns the condition reads, by name
        names = sorted(set(c.expr.meta.root_names()))
        parts = [pl.format("{}={}", pl.lit(n), pl.col(n).cast(pl.String).fill_null("无")) for n in names]
        value = pl.concat_str(parts, separator="，") if parts else pl.lit("")
    return value.fill_null("无").str.replace_all(r"[\t\r\n]", " ")


def _labels(conditions: Sequence[Condition]) -> list[str]:
    texts = [c.text for c in conditions]
    return [t if texts.count(t) == 1 else f"{t}（{c.key}）" for t, c in zip(texts, conditions, strict=True)]


def fingerprint(text: pl.Expr) -> pl.Expr:
    return text.hash(seed=_SEED).reinterpret(signed=True)


def line_facts(policy: str, eligible: pl.LazyFrame, conditions: Sequence[Condition]) -> pl.LazyFrame:
    """(policy, subject, fact_fingerprint, facts) for every subject of the eligible candidate rows."""
    items = [pl.concat_str(pl.lit(label + SEP), _value(c)) for label, c in zip(_labels(conditions), conditions,
                                                                               strict=True)]  # fmt: skip
    # one text per candidate unit (its conditions in declared order); a subject's units sorted and de-duplicated
    rows = eligible.select(pl.col("subject").cast(pl.String),
                           _f=pl.concat_str(items, separator="\n") if items else pl.lit(""))  # fmt: skip
    per = rows.group_by("subject").agg(facts=pl.col("_f").unique().sort().str.join("\n"))
    return per.select(policy=pl.lit(policy, pl.String), subject="subject",
                      fact_fingerprint=fingerprint(pl.col("facts")), facts="facts")  # fmt: skip


def fact_changes(pairs: pl.DataFrame) -> pl.DataFrame:
    """Which facts changed: ``pairs`` has (policy, subject, old_facts, facts); the result one row per
    (policy, subject, condition label) whose values differ, with the old and the new values (several
    candidate units: joined by "；"; none: null)."""
    def explode(col: str, side: str) -> pl.DataFrame:
        return (
            pairs.select("policy", "subject", _l=pl.col(col).str.split("\n")).explode("_l")
            .filter(pl.col("_l").is_not_null() & (pl.col("_l") != ""))
            .select("policy", "subject", label=pl.col("_l").str.split_exact(SEP, 1).struct.field("field_0"),
                    value=pl.col("_l").str.split_exact(SEP, 1).struct.field("field_1"), side=pl.lit(side))
        )  # fmt: skip

    both = pl.concat([explode("old_facts", "old"), explode("facts", "new")])
    key = ["policy", "subject", "label"]
    grouped = both.group_by([*key, "side"]).agg(pl.col("value").unique().sort().str.join("；"))
    wide = (
        grouped.filter(pl.col("side") == "old").select(*key, old="value")
        .join(grouped.filter(pl.col("side") == "new").select(*key, new="value"), on=key, how="full", coalesce=True)
    )  # fmt: skip
    return wide.filter(pl.col("old").ne_missing(pl.col("new"))).select(list(CHANGES_SCHEMA)).sort(key)
