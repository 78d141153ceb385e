"""A worker claimed by two employers in one month, or insured with two employers that both claim."""

from __future__ import annotations

import polars as pl

from jiuye.rules.identifiers import mask
from jiuye.supervision.checks._common import (
    _clause_of,
    _finish,
    _groups_with,
    _joined,
    _person_lines,
    _subsidy_context,
    month_text,
)
from jiuye.supervision.frames import Inputs

FAMILY = 1
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "double_claim": "同一人员同月被多家单位申领按人补贴",
    "dual_insurance": "同月在两家单位参保且两家均申领补贴",
}


def double_claim(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs).filter(pl.col("beneficiary_kind") == "employer_per_worker")
    lines = _groups_with(
        lines.select("person", "month", "beneficiary", "policy", "measure_clause", "fund_clause", "district"),
        ["person", "month"],
        "beneficiary",
        2,
    )
    g = (
        lines.group_by("person", "month")
        .agg(
            n=pl.col("beneficiary").n_unique(),
            employers=_joined(pl.col("beneficiary"), "、"),
            **_subsidy_context(),
        )
        .filter(pl.col("n") >= 2)
    )
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("person"),
        subject_id=pl.col("person"),
        related_ids=pl.col("employers"),
        flag_key=pl.col("month").dt.strftime("%Y-%m"),
        detail=pl.format(
            "人员 {} 在{}被 {} 家单位同时申领按人补贴（{}）：{}。同一人员同一月份只能由一家单位实际用工，"
            "请核实是否虚报冒领。",
            mask(pl.col("person")), month_text(pl.col("month")), pl.col("n"), pl.col("policies"),
            pl.col("employers"),
        ),
    )  # fmt: skip
    return _finish(out, "double_claim", "high")


def dual_insurance(inputs: Inputs) -> pl.DataFrame:
    """Insured under two employers in one month, and both employers claim the worker (any month)."""
    si = (
        inputs.social_insurance.filter(
            pl.col("paid").fill_null(False)
            & (pl.col("scheme") == "urban_employee")
            & pl.col("employer").is_not_null()
        )
        .select("person", "month", "employer")
        .unique()
    )
    multi = si.join(
        si.group_by("person", "month").agg(n=pl.col("employer").n_unique()).filter(pl.col("n") >= 2),
        on=["person", "month"],
    )
    lines = _person_lines(inputs).filter(pl.col("beneficiary_kind") == "employer_per_worker")
    claims = lines.group_by("person", "beneficiary").agg(
        policies=pl.col("policy").unique(), fund=pl.col("fund_clause").first(),
        clauses=pl.col("measure_clause").unique(), district=pl.col("district").first(),
    )  # fmt: skip
    both = multi.join(claims, left_on=["person", "employer"], right_on=["person", "beneficiary"])
    per_month = both.group_by("person", "month").agg(
        claimers=pl.col("employer").unique(), policies=pl.col("policies").list.explode(keep_nulls=False, empty_as_null=False).unique(),
        clauses=pl.col("clauses").list.explode(keep_nulls=False, empty_as_null=False).unique(), fund=pl.col("fund").first(),
        district=pl.col("district").first(),
    ).filter(pl.col("claimers").list.len() >= 2)  # fmt: skip
    g = per_month.group_by("person").agg(
        month=pl.col("month").min(), n_months=pl.len(),
        claimers=_joined(pl.col("claimers").list.explode(keep_nulls=False, empty_as_null=False), "、"),
        policies=_joined(pl.col("policies").list.explode(keep_nulls=False, empty_as_null=False), "、"),
        clauses=_joined(pl.col("clauses").list.explode(keep_nulls=False, empty_as_null=False), "；"),
        fund=pl.col("fund").first(), district=pl.col("district").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("person"), subject_id=pl.col("person"), related_ids=pl.col("claimers"),
        flag_key=pl.col("claimers"),
        detail=pl.format(
            "人员 {} 自{}起共 {} 个月同时在多家单位缴纳城镇职工社会保险，且这些单位均为其申领了按人补贴（{}）：{}。"
            "请核实实际用人单位，防止重复申领。",
            mask(pl.col("person")), month_text(pl.col("month")), pl.col("n_months"), pl.col("policies"),
            pl.col("claimers"),
        ),
    )  # fmt: skip
    return _finish(out, "dual_insurance", "medium")
