"""Amounts above the measure's standard; months or times above its cap."""

from __future__ import annotations

import polars as pl

from jiuye.rules.identifiers import mask
from jiuye.rules.money import yuan_text
from jiuye.supervision.checks._common import _clause_of, _finish, _joined, _lines, month_text
from jiuye.supervision.frames import Inputs

FAMILY = 8
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "amount_above_cap": "单笔发放金额超过补贴标准",
    "months_above_cap": "累计发放月数或次数超过上限",
}


def amount_above_cap(inputs: Inputs) -> pl.DataFrame:
    lines = _lines(inputs).filter(
        pl.col("max_line_fen").is_not_null() & (pl.col("amount_fen") > pl.col("max_line_fen"))
    )
    g = lines.group_by("policy", "beneficiary", "subject", "month").agg(
        amount=pl.col("amount_fen").sum(), cap=pl.col("max_line_fen").first(),
        ids=_joined(pl.col("payment_id"), ","), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("measure_clause")),
        subject_kind=pl.lit("payment"), subject_id=pl.format("{}|{}", pl.col("policy"), pl.col("beneficiary")),
        related_ids=pl.col("ids"),
        flag_key=pl.format("{}|{}", pl.col("subject"), pl.col("month").dt.strftime("%Y-%m")),
        detail=pl.format(
            "{} 向 {}（对象 {}）{}发放 {}，超过该项补贴单笔标准 {}。",
            pl.col("policy"), mask(pl.col("beneficiary")), mask(pl.col("subject")),
            month_text(pl.col("month")), yuan_text(pl.col("amount"), "元"), yuan_text(pl.col("cap"), "元"),
        ),
    )  # fmt: skip
    return _finish(out, "amount_above_cap", "high")


def months_above_cap(inputs: Inputs) -> pl.DataFrame:
    lines = (
        _lines(inputs)
        .filter(pl.col("cap").is_not_null())
        .with_columns(
            kb=pl.when(pl.col("cap_by_beneficiary")).then(pl.col("beneficiary")).otherwise(pl.lit("")),
            ks=pl.when(pl.col("cap_by_subject")).then(pl.col("subject")).otherwise(pl.lit("")),
        )
    )
    g = lines.group_by("policy", "kb", "ks").agg(
        used=pl.when(pl.col("cap_count").first() == "lines").then(pl.len()).otherwise(pl.col("month").n_unique()),
        cap=pl.col("cap").first(), count=pl.col("cap_count").first(),
        beneficiaries=_joined(pl.col("beneficiary"), "、"), subject=pl.col("subject").first(),
        month=pl.col("month").max(), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
    ).filter(pl.col("used") > pl.col("cap"))  # fmt: skip
    unit = pl.when(pl.col("count") == "lines").then(pl.lit("次")).otherwise(pl.lit("个月"))
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("measure_clause")),
        subject_kind=pl.lit("person"), subject_id=pl.col("subject"), related_ids=pl.col("beneficiaries"),
        flag_key=pl.format("{}|{}", pl.col("policy"), pl.col("kb")),
        detail=pl.format(
            "{} 对 {} 已发放 {} {}，超过上限 {} {}（收款方 {}）。",
            pl.col("policy"), mask(pl.col("subject")), pl.col("used"), unit, pl.col("cap"), unit,
            pl.col("beneficiaries"),
        ),
    )  # fmt: skip
    return _finish(out, "months_above_cap", "high")
