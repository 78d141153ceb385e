"""Contracts ended in bulk once the subsidy period is over."""

from __future__ import annotations

import numpy as np
import polars as pl

from jiuye.supervision.checks._common import (
    S,
    _clause_of,
    _finish,
    _joined,
    _person_lines,
    empty_flags,
    month_of,
)
from jiuye.supervision.frames import Inputs, parameters

FAMILY = 5
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "churning": "补贴期满后集中终止劳动合同",
}


def _add_months(expr: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    if isinstance(n, int):
        return expr.dt.offset_by(f"{n}mo")
    return expr.dt.offset_by(pl.format("{}mo", n))


def _month_end(expr: pl.Expr) -> pl.Expr:
    return expr.dt.month_end()


def binomial_upper_tail(n: np.ndarray, k: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X ≥ k) for X ~ Binomial(n, p), vectorised (log-factorial table, one exploded row per term)."""
    if len(n) == 0:
        return np.zeros(0)
    n = n.astype(np.int64)
    k = k.astype(np.int64)
    top = int(n.max())
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, top + 1, dtype=np.float64)))])
    counts = np.maximum(n - k + 1, 0)
    row = np.repeat(np.arange(len(n)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    j = np.repeat(k, counts) + offsets
    nn = n[row]
    pp = np.clip(p[row], 1e-12, 1 - 1e-12)
    logpmf = logfact[nn] - logfact[j] - logfact[nn - j] + j * np.log(pp) + (nn - j) * np.log1p(-pp)
    out = np.zeros(len(n))
    np.add.at(out, row, np.exp(logpmf))
    return np.minimum(out, 1.0)


def churn_rates(inputs: Inputs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per employer: subsidised workers whose subsidy ran out, how many contracts ended within the window;
    per district × size: the baseline rate).  Exposed for the report and the tests."""
    cp = parameters()["churning"]
    window, tenure = int(cp["window_months"]), int(cp["comparable_tenure_months"])
    horizon = inputs.horizon()
    employers = inputs.employers.select(employer="id", emp_district="district", size="size")
    if horizon is None:
        return pl.DataFrame(), pl.DataFrame()
    observable = _add_months(pl.col("last"), window) <= pl.lit(horizon)
    lines = _person_lines(inputs).filter(pl.col("policy").is_in(cp["measures"]))
    # the subsidy ran out: the worker's paid months reached the measure's cap (not: the job ended first)
    ran_out = (
        lines.filter(pl.col("cap").is_not_null())
        .group_by("beneficiary", "person", "policy")
        .agg(last=pl.col("month").max(), used=pl.col("month").n_unique(), cap=pl.col("cap").first(),
             district=pl.col("district").first(), fund=pl.col("fund_clause").first(),
             measure_clause=pl.col("measure_clause").first())
        .filter(observable & (pl.col("used") >= pl.col("cap")))
    )  # fmt: skip
    contracts = inputs.contracts.select("person", "employer", "start", "end")
    covering = ran_out.join(contracts, left_on=["beneficiary", "person"], right_on=["employer", "person"]).filter(
        (pl.col("start") <= _month_end(pl.col("last"))) & (pl.col("end").is_null() | (pl.col("end") >= pl.col("last")))
    )  # fmt: skip
    covering = covering.with_columns(
        churned=pl.col("end").is_not_null()
        & (pl.col("end") > _month_end(pl.col("last")))
        & (pl.col("end") <= _month_end(_add_months(pl.col("last"), window)))
    )
    per_worker = covering.group_by("beneficiary", "person").agg(
        churned=pl.col("churned").any(), last=pl.col("last").first(), policy=pl.col("policy").first(),
        district=pl.col("district").first(), fund=pl.col("fund").first(),
        measure_clause=pl.col("measure_clause").first(), end=pl.col("end").filter(pl.col("churned")).min(),
    )  # fmt: skip
    per_employer = (
        per_worker.group_by("beneficiary")
        .agg(
            n=pl.len(), k=pl.col("churned").sum(), policies=_joined(pl.col("policy"), "、"),
            churned_ids=_joined(pl.col("person").filter(pl.col("churned")), ","),
            month=pl.col("last").filter(pl.col("churned")).min(),
            district=pl.col("district").first(), fund=pl.col("fund").first(),
            clauses=_joined(pl.col("measure_clause"), "；"),
        )
        .join(employers, left_on="beneficiary", right_on="employer", how="left")
    )  # fmt: skip
    # baseline: every contract of the district's employers that reached the comparable month C (its
    # ``tenure``-th month) still running, observed for ``window`` months after C
    base = (
        contracts.join(employers, on="employer")
        .with_columns(c=_add_months(month_of(pl.col("start")), tenure - 1))
        .filter(
            (pl.col("end").is_null() | (pl.col("end") > _month_end(pl.col("c"))))
            & (_add_months(pl.col("c"), window) <= pl.lit(horizon))
        )
        .with_columns(
            ended=pl.col("end").is_not_null()
            & (pl.col("end") <= _month_end(_add_months(pl.col("c"), window)))
        )
        .group_by("emp_district", "size")
        .agg(base_n=pl.len(), base_rate=pl.col("ended").mean())
    )
    return per_employer, base


def churning(inputs: Inputs) -> pl.DataFrame:
    from jiuye.registry.schema import ENUM_LABELS

    cp = parameters()["churning"]
    per_employer, base = churn_rates(inputs)
    if per_employer.is_empty():
        return empty_flags()
    joined = per_employer.join(base, on=["emp_district", "size"], how="left").with_columns(
        p0=pl.max_horizontal(pl.col("base_rate").fill_null(0.0), pl.lit(float(cp["min_baseline"]))),
        rate=pl.col("k") / pl.col("n"),
    )
    tail = binomial_upper_tail(joined["n"].to_numpy(), joined["k"].to_numpy(), joined["p0"].to_numpy())
    joined = joined.with_columns(p_value=pl.Series(tail, dtype=pl.Float64))
    hits = joined.filter(
        (pl.col("n") >= int(cp["min_workers"]))
        & (pl.col("k") > 0)
        & (pl.col("rate") >= float(cp["min_ratio"]) * pl.col("p0"))
        & (pl.col("p_value") <= float(cp["alpha"]))
    )
    pct = lambda e: (e * 100).round(1).cast(S) + pl.lit("%")  # noqa: E731
    out = hits.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"), related_ids=pl.col("churned_ids"),
        flag_key=pl.col("policies"),
        detail=pl.format(
            "单位 {}（{}）按人补贴（{}）期满的 {} 名人员中，有 {} 名在补贴最后一个月后 {} 个月内终止劳动合同，"
            "比例 {}；本区同规模单位可比合同的比例为 {}（偶然出现的概率 {}）。请核实是否存在补贴期满即解聘的情况。",
            pl.col("beneficiary"), pl.col("size").replace(ENUM_LABELS["employer_size"]).fill_null("规模不详"),
            pl.col("policies"), pl.col("n"), pl.col("k"), pl.lit(cp["window_months"]), pct(pl.col("rate")),
            pct(pl.col("p0")),
            pl.when(pl.col("p_value") < 0.0001).then(pl.lit("小于0.0001")).otherwise(pl.col("p_value").round(4).cast(S)),
        ),
    )  # fmt: skip
    return _finish(out, "churning", "medium")
