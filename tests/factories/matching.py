"""Synthetic populations for ledger tests and benchmarks (columnar, no loop over people).

:func:`js02_population` builds ``n`` Jinshan residents who all qualify for JS-02 (灵活就业补贴):
unemployed from 2022-01-05 until the day before their flexible-employment registration on
2023-01-10, aged 30, insured as flexible workers every month from 2023-01 to ``insured_to``.
With the 12-month cap each earns 12 monthly lines of 1000 yuan (2023-01 … 2023-12).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from jiuye.rules.facts import Facts


def person_ids(n: int, prefix: str = "P") -> pl.Series:
    return pl.Series("id", [f"{prefix}{i:08d}" for i in range(n)], dtype=pl.String)


def js02_population(n: int, insured_to: dt.date = dt.date(2024, 6, 1), prefix: str = "P") -> Facts:
    ids = person_ids(n, prefix)
    persons = pl.DataFrame({"id": ids}).with_columns(
        id_number=pl.lit(None, pl.String), birth_date=pl.lit(dt.date(1993, 5, 1)), gender=pl.lit("male"),
        hukou_district=pl.lit("jinshan"), hukou_agricultural=pl.lit(False), origin_district=pl.lit(None, pl.String),
    )  # fmt: skip
    unemployment = pl.DataFrame({"person": ids}).with_columns(
        start=pl.lit(dt.date(2022, 1, 5)), end=pl.lit(dt.date(2023, 1, 9))
    )
    flexible = pl.DataFrame({"person": ids}).with_columns(
        start=pl.lit(dt.date(2023, 1, 10)), end=pl.lit(None, pl.Date)
    )
    months = pl.date_range(dt.date(2023, 1, 1), insured_to, "1mo", eager=True).alias("month")
    insurance = (
        pl.DataFrame({"person": ids})
        .join(pl.DataFrame({"month": months}), how="cross")
        .with_columns(scheme=pl.lit("flexible"), employer=pl.lit(None, pl.String), base_fen=pl.lit(731_000, pl.Int64),
                      paid=pl.lit(True))
    )  # fmt: skip
    return Facts.from_frames(
        persons=persons, unemployment=unemployment, flexible=flexible, social_insurance=insurance
    )
