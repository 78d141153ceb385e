"""Payments after death, after the hukou moved away, after the employer was deregistered."""

from __future__ import annotations

import polars as pl

from jiuye.rules.identifiers import mask
from jiuye.rules.money import yuan_text
from jiuye.supervision.checks._common import _clause_of, _finish, _lines, _person_lines, month_of, month_text
from jiuye.supervision.frames import Inputs

FAMILY = 3
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "after_death": "人员死亡后仍有发放",
    "after_hukou_move": "户籍迁出后仍发放以本区户籍为条件的补贴",
    "after_deregistration": "单位或机构注销后仍有发放",
}


def _after(
    lines: pl.DataFrame, event: str, check: str, what: str, subject_kind: str, subject_col: str
) -> pl.DataFrame:
    late = lines.filter(pl.col("month") > month_of(pl.col(event)))
    g = late.group_by(subject_col, "policy", "beneficiary").agg(
        month=pl.col("month").min(), n=pl.col("month").n_unique(), amount=pl.col("amount_fen").sum(),
        event_on=pl.col(event).first(), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("measure_clause")),
        subject_kind=pl.lit(subject_kind), subject_id=pl.col(subject_col), related_ids=pl.col("beneficiary"),
        flag_key=pl.format("{}|{}", pl.col("policy"), pl.col("beneficiary")),
        detail=pl.format(
            "{} {} 于 {} {}，但 {} 仍在此后 {} 个月（自{}起）向 {} 发放共 {}。请核实并追回。",
            pl.lit("人员" if subject_kind == "person" else "单位"),
            mask(pl.col(subject_col)) if subject_kind == "person" else pl.col(subject_col),
            pl.col("event_on").dt.strftime("%Y-%m-%d"), pl.lit(what), pl.col("policy"), pl.col("n"),
            month_text(pl.col("month")), mask(pl.col("beneficiary")), yuan_text(pl.col("amount"), "元"),
        ),
    )  # fmt: skip
    return _finish(out, check, "high")


def after_death(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs).join(
        inputs.persons.select(person="id", died_on="died_on").filter(pl.col("died_on").is_not_null()),
        on="person",
    )
    return _after(lines, "died_on", "after_death", "死亡", "person", "person")


def after_hukou_move(inputs: Inputs) -> pl.DataFrame:
    lines = (
        _person_lines(inputs)
        .filter(pl.col("hukou"))
        .join(
            inputs.persons.select(person="id", moved="hukou_moved_out_on").filter(
                pl.col("moved").is_not_null()
            ),
            on="person",
        )
    )
    return _after(lines, "moved", "after_hukou_move", "户籍迁出本区", "person", "person")


def after_deregistration(inputs: Inputs) -> pl.DataFrame:
    """Lines paid to an employer or an organisation for a month after the month it was deregistered (G13)."""
    ended = pl.concat([
        inputs.employers.select(employer="id", dereg="deregistered_on"),
        inputs.organizations.select(employer="id", dereg="deregistered_on"),
    ]).filter(pl.col("dereg").is_not_null())  # fmt: skip
    lines = _lines(inputs).join(ended, left_on="beneficiary", right_on="employer").with_columns(
        employer=pl.col("beneficiary")
    )
    return _after(lines, "dereg", "after_deregistration", "注销", "employer", "employer")
