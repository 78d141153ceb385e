"""Employer type (G3) and district of the employers that were paid."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from jiuye.rules.measure import EMPLOYER_KINDS
from jiuye.rules.money import yuan_text
from jiuye.rules.shared import DISTRICT_NAMES, EMPLOYER_TYPE_LABELS, JINSHAN_EMPLOYER_EXCLUSION
from jiuye.supervision.checks._common import S, _clause_of, _finish, _lines, month_text
from jiuye.supervision.frames import Inputs

FAMILY = 4
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "excluded_employer": "不属于补贴范围的单位类型领取补贴",
    "outside_district": "区外单位或未登记单位领取本区补贴",
}


def _employer_lines(inputs: Inputs) -> pl.DataFrame:
    return (
        _lines(inputs)
        .filter(pl.col("beneficiary_kind").is_in(EMPLOYER_KINDS))
        .join(
            inputs.employers.select(employer="id", type="type", emp_district="district", known=pl.lit(True)),
            left_on="beneficiary", right_on="employer", how="left",
        )
    )  # fmt: skip


def _employer_flags(
    hits: pl.DataFrame, check: str, detail: Callable[[], pl.Expr], clause: pl.Expr
) -> pl.DataFrame:
    g = hits.group_by("beneficiary", "policy").agg(
        month=pl.col("month").min(), n=pl.len(), workers=pl.col("subject").n_unique(),
        amount=pl.col("amount_fen").sum(), type=pl.col("type").first(), emp_district=pl.col("emp_district").first(),
        employer_district=pl.col("employer_district").first(), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
        known=pl.col("known").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=clause, subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"),
        related_ids=pl.lit(None, S), flag_key=pl.col("policy"), detail=detail(),
    )  # fmt: skip
    return _finish(out, check, "high")


def excluded_employer(inputs: Inputs) -> pl.DataFrame:
    exclusion = JINSHAN_EMPLOYER_EXCLUSION
    hits = _employer_lines(inputs).filter(
        (pl.col("doc") == "JS") & pl.col("type").is_in(list(exclusion.types))
    )
    labels = EMPLOYER_TYPE_LABELS

    def detail() -> pl.Expr:
        return pl.format(
            "单位 {} 的类型为“{}”，按金就办〔2023〕1号 七(一)不属于补贴对象，但自{}起领取 {} {} 笔共 {}。",
            pl.col("beneficiary"), pl.col("type").replace(labels), month_text(pl.col("month")), pl.col("policy"),
            pl.col("n"), yuan_text(pl.col("amount"), "元"),
        )  # fmt: skip

    clause = _clause_of(pl.col("fund"), pl.lit(exclusion.source) + pl.lit("；") + pl.col("measure_clause"))
    return _employer_flags(hits, "excluded_employer", detail, clause)


def outside_district(inputs: Inputs) -> pl.DataFrame:

    hits = _employer_lines(inputs).filter(
        pl.col("employer_district").is_not_null()
        & (pl.col("known").is_null() | (pl.col("emp_district") != pl.col("employer_district")))
    )

    def detail() -> pl.Expr:
        where = (
            pl.when(pl.col("known").is_null())
            .then(pl.lit("未在用人单位名录中登记"))
            .otherwise(pl.format("注册在{}", pl.col("emp_district").replace(DISTRICT_NAMES)))
        )
        return pl.format(
            "单位 {} {}，而 {} 要求为{}用人单位；自{}起领取 {} 笔共 {}。",
            pl.col("beneficiary"), where, pl.col("policy"), pl.col("employer_district").replace(DISTRICT_NAMES),
            month_text(pl.col("month")), pl.col("n"), yuan_text(pl.col("amount"), "元"),
        )  # fmt: skip

    return _employer_flags(
        hits, "outside_district", detail, _clause_of(pl.col("fund"), pl.col("measure_clause"))
    )
