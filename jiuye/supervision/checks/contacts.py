"""Subsidised persons sharing a phone, an address or a bank account."""

from __future__ import annotations

import polars as pl

from jiuye.rules.identifiers import mask
from jiuye.supervision.checks._common import (
    FIELD_LABELS,
    D,
    _clause_of,
    _finish,
    _groups_with,
    _joined,
    _person_lines,
    _subsidy_context,
)
from jiuye.supervision.frames import Inputs, parameters

FAMILY = 6
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "shared_contact": "多名受助人员共用同一电话、地址或银行账号",
    "employer_shared_contact": "单位招用的受助人员共用同一电话、地址或银行账号",
}


def _normalised(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.replace_all(r"[\s\-－]", "").str.to_uppercase()
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned).otherwise(None)


def _contacts(inputs: Inputs, persons: pl.DataFrame) -> pl.DataFrame:
    """(person, field, value) for the given persons, long form, empty values dropped."""
    frame = persons.join(
        inputs.persons.select(person="id", phone="phone", address="address", bank_account="bank_account"),
        on="person",
    )
    return (
        frame.unpivot(index=[c for c in frame.columns if c not in FIELD_LABELS], on=list(FIELD_LABELS),
                      variable_name="field", value_name="value")
        .with_columns(value=_normalised(pl.col("value")))
        .filter(pl.col("value").is_not_null())
    )  # fmt: skip


def _mask_value(field: pl.Expr, value: pl.Expr) -> pl.Expr:
    return (
        pl.when(field == "address")
        .then(value)
        .when(field == "phone")
        .then(mask(value, "phone"))
        .otherwise(mask(value, "bank_account"))
    )


def shared_contact(inputs: Inputs) -> pl.DataFrame:
    n_min = int(parameters()["shared_contact"]["min_persons"])
    lines = _person_lines(inputs)
    subsidised = lines.select("person").unique()
    long = _groups_with(_contacts(inputs, subsidised), ["field", "value"], "person", n_min)
    about = (
        lines.join(long.select("person").unique(), on="person", how="semi")
        .select("person", "policy", "measure_clause", "district", "fund_clause")
        .unique()
    )
    g = long.join(about, on="person").group_by("field", "value").agg(
        n=pl.col("person").n_unique(), persons=_joined(pl.col("person"), ","),
        **_subsidy_context(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.col("field"), subject_id=pl.col("value"), related_ids=pl.col("persons"),
        month=pl.lit(None, D), flag_key=pl.lit("-"),
        detail=pl.format(
            "{} 名受助人员登记了同一{}（{}），涉及补贴 {}。请核实是否为冒名或代领。",
            pl.col("n"), pl.col("field").replace(FIELD_LABELS), _mask_value(pl.col("field"), pl.col("value")),
            pl.col("policies"),
        ),
    )  # fmt: skip
    return _finish(out, "shared_contact", "medium")


def employer_shared_contact(inputs: Inputs) -> pl.DataFrame:
    n_min = int(parameters()["shared_contact"]["employer_min_workers"])
    lines = _person_lines(inputs).filter(pl.col("beneficiary_kind") == "employer_per_worker")
    hires = lines.select("beneficiary", "person").unique()
    long = _groups_with(_contacts(inputs, hires), ["beneficiary", "field", "value"], "person", n_min)
    about = lines.join(
        long.select("beneficiary", "person").unique(), on=["beneficiary", "person"], how="semi"
    )
    about = about.select(
        "beneficiary", "person", "policy", "measure_clause", "district", "fund_clause"
    ).unique()
    g = long.join(about, on=["beneficiary", "person"]).group_by("beneficiary", "field", "value").agg(
        n=pl.col("person").n_unique(), persons=_joined(pl.col("person"), ","),
        **_subsidy_context(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"), related_ids=pl.col("persons"),
        month=pl.lit(None, D), flag_key=pl.format("{}:{}", pl.col("field"), pl.col("value")),
        detail=pl.format(
            "单位 {} 申领按人补贴（{}）的 {} 名人员登记了同一{}（{}）。请核实是否存在虚构用工。",
            pl.col("beneficiary"), pl.col("policies"), pl.col("n"), pl.col("field").replace(FIELD_LABELS),
            _mask_value(pl.col("field"), pl.col("value")),
        ),
    )  # fmt: skip
    return _finish(out, "employer_shared_contact", "medium")
