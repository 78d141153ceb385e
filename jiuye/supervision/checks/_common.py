"""What every supervision check shares: the flag schema, the frames of paid lines, text helpers."""

from __future__ import annotations

from typing import Any

import polars as pl

from jiuye.supervision.frames import Inputs, with_measures

S, D = pl.String, pl.Date

FLAG_SCHEMA: dict[str, Any] = {
    "check": S, "clause": S, "district": S, "subject_kind": S, "subject_id": S, "related_ids": S,
    "month": D, "flag_key": S, "detail": S, "severity": S,
}  # fmt: skip

SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
FIELD_LABELS = {"phone": "联系电话", "address": "居住地址", "bank_account": "银行账号"}


def empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAG_SCHEMA)


def _finish(frame: pl.DataFrame, check: str, severity: str) -> pl.DataFrame:
    return frame.with_columns(check=pl.lit(check), severity=pl.lit(severity)).select(
        [pl.col(n).cast(t) for n, t in FLAG_SCHEMA.items()]
    )


def month_text(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%Y年%-m月")


def month_of(expr: pl.Expr) -> pl.Expr:
    return expr.dt.truncate("1mo")


def _joined(expr: pl.Expr, sep: str = ",") -> pl.Expr:
    return expr.cast(S).unique().sort().str.join(sep)


def _subsidy_context() -> dict[str, pl.Expr]:
    """What every flag says about the money involved: the measures, their clauses, district and fund clause."""
    return {
        "policies": _joined(pl.col("policy"), "、"),
        "clauses": _joined(pl.col("measure_clause"), "；"),
        "district": pl.col("district").first(),
        "fund": pl.col("fund_clause").first(),
    }


def _lines(inputs: Inputs) -> pl.DataFrame:
    """Paid lines with the measure's supervision attributes (unknown measures keep nulls)."""
    return with_measures(inputs.paid(), inputs.registered())


def _person_lines(inputs: Inputs) -> pl.DataFrame:
    return _lines(inputs).filter(pl.col("subject_is_person")).with_columns(person=pl.col("subject"))


def _groups_with(frame: pl.DataFrame, by: list[str], distinct: str, at_least: int) -> pl.DataFrame:
    """The rows of ``frame`` in groups ``by`` with at least ``at_least`` distinct ``distinct`` values.

    Counting first and aggregating text only for the few groups left keeps the checks fast."""
    keep = frame.group_by(by).agg(_n=pl.col(distinct).n_unique()).filter(pl.col("_n") >= at_least)
    return frame.join(keep.select(by), on=by, how="semi")


def _clause_of(fund: pl.Expr, measure_clauses: pl.Expr) -> pl.Expr:
    return fund + pl.lit("；") + measure_clauses
