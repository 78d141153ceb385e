"""Measures that cannot both apply to one person (parameters.yaml ``incompatible``)."""

from __future__ import annotations

import polars as pl

from jiuye.rules.identifiers import mask
from jiuye.supervision.checks._common import S, _clause_of, _finish, _joined, _person_lines
from jiuye.supervision.frames import Inputs, doc_of, parameters

FAMILY = 2
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "incompatible": "同一人员享受了不能同时享受的补贴",
}


def incompatible_pairs() -> pl.DataFrame:
    """The list of measure pairs that cannot both apply to one person, with scope, reason and clauses."""
    rows = [
        {
            "a": p["a"], "b": p["b"], "scope": p["scope"], "reason": p["reason"],
            "pair_clause": "；".join(
                f"{doc_of(m)} {c}（{m}）" for m, c in zip((p["a"], p["b"]), p["clauses"] * 2, strict=False)
            ) if p["a"] != p["b"] else f"{doc_of(p['a'])} {p['clauses'][0]}（{p['a']}）",
        }
        for p in parameters()["incompatible"]
    ]  # fmt: skip
    return pl.DataFrame(rows, schema={"a": S, "b": S, "scope": S, "reason": S, "pair_clause": S})


def incompatible(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs).select(
        "person", "policy", "beneficiary", "month", "fund_clause", "district"
    )
    pairs = incompatible_pairs()
    a = lines.join(pairs, left_on="policy", right_on="a").rename({"month": "month_a", "beneficiary": "ben_a"})
    b = lines.select("person", b="policy", month_b="month", ben_b="beneficiary")
    cross = a.filter(pl.col("scope") != "repeat").join(b, on=["person", "b"])
    cross = cross.filter((pl.col("scope") != "same_month") | (pl.col("month_a") == pl.col("month_b")))
    pair_hits = cross.group_by("person", "policy", "b").agg(
        month=pl.min_horizontal(pl.col("month_a").min(), pl.col("month_b").min()),
        months=_joined(pl.col("month_a").filter(pl.col("scope") == "same_month").dt.strftime("%Y-%m"), "、"),
        related=_joined(pl.concat_list("ben_a", "ben_b").list.explode(keep_nulls=False, empty_as_null=False), "、"),
        reason=pl.col("reason").first(), pair_clause=pl.col("pair_clause").first(),
        fund=pl.col("fund_clause").first(), district=pl.col("district").first(), scope=pl.col("scope").first(),
    )  # fmt: skip
    repeats = (
        a.filter(pl.col("scope") == "repeat")
        .group_by("person", "policy", "b")
        .agg(
            n=pl.len(), month=pl.col("month_a").min(),
            months=_joined(pl.col("month_a").dt.strftime("%Y-%m"), "、"),
            related=_joined(pl.col("ben_a"), "、"),
            reason=pl.col("reason").first(), pair_clause=pl.col("pair_clause").first(),
            fund=pl.col("fund_clause").first(), district=pl.col("district").first(), scope=pl.col("scope").first(),
        )
        .filter(pl.col("n") >= 2)
    )  # fmt: skip
    both = pl.concat([pair_hits.with_columns(n=pl.lit(2, pl.UInt32)), repeats], how="diagonal_relaxed")
    what = (
        pl.when(pl.col("scope") == "repeat")
        .then(pl.format("{} 发放了 {} 次（{}）", pl.col("policy"), pl.col("n"), pl.col("months")))
        .when(pl.col("scope") == "same_month")
        .then(pl.format("{} 与 {} 在同一月份均有发放（{}）", pl.col("policy"), pl.col("b"), pl.col("months")))
        .otherwise(pl.format("{} 与 {} 均有发放", pl.col("policy"), pl.col("b")))
    )
    out = both.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("pair_clause")),
        subject_kind=pl.lit("person"), subject_id=pl.col("person"), related_ids=pl.col("related"),
        flag_key=pl.format("{}|{}", pl.col("policy"), pl.col("b")),
        detail=pl.format("人员 {}：{}，收款方 {}。{}。", mask(pl.col("person")), what, pl.col("related"),
                         pl.col("reason")),
    )  # fmt: skip
    return _finish(out, "incompatible", "high")
