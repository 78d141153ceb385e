"""A clean synthetic district for the supervision tests and the benchmark (vectorised, seeded).

Jinshan persons with valid ID numbers, one phone and one bank account each, addresses shared by at most
two persons (households); Jinshan enterprises with valid credit codes; one contract per person whose
length follows the same monthly ending hazard for everybody (subsidised or not); JS-11 paid per worker
for up to 12 insured months from the hire, JS-02 paid to some flexible workers, social insurance for
the JS-11 workers under their employer.  Nothing in it is fraud: every flag a check raises on it is a
false flag.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from jiuye.rules.identifiers import credit_serial, with_credit_check, with_id_check
from jiuye.supervision.frames import Inputs

AS_OF = dt.date(2026, 12, 1)
SIZES = ("micro", "small", "medium", "large")


def id_numbers(index: pl.Expr, area: str = "310116") -> pl.Expr:
    """A valid, distinct ID number for each non-negative integer ``index`` (< 12 million)."""
    birth = pl.lit(dt.date(1968, 1, 1)) + pl.duration(days=(index // 1000) % 12000)
    return with_id_check(
        pl.lit(area) + birth.dt.strftime("%Y%m%d") + (index % 1000).cast(pl.String).str.zfill(3)
    )


def credit_codes(index: pl.Expr, admin: str = "310116") -> pl.Expr:
    """A valid, distinct unified social credit code for each integer ``index``."""
    return with_credit_check(pl.concat_str([pl.lit("91" + admin), credit_serial(index)]))


def _months(start: pl.Expr, n: pl.Expr) -> pl.Expr:
    return pl.date_ranges(start, start.dt.offset_by(pl.format("{}mo", n - 1)), interval="1mo")


def clean_district(
    n_persons: int = 20_000, n_employers: int = 1_000, seed: int = 7, js11_share: float = 0.15,
    js02_share: float = 0.03, monthly_hazard: float = 0.02,
) -> Inputs:  # fmt: skip
    rng = np.random.default_rng(seed)
    idx = pl.int_range(0, pl.len(), dtype=pl.Int64)
    persons = (
        pl.DataFrame({"i": np.arange(n_persons)})
        .with_columns(
            id=id_numbers(pl.col("i")),
            phone=pl.lit("13") + (pl.col("i") + 100_000_000).cast(pl.String).str.zfill(9),
            bank_account=pl.lit("6222") + (pl.col("i") + 10**14).cast(pl.String),
            address=pl.format("金山区卫零路{}号", pl.col("i") // 2),  # households of two
            hukou_district=pl.lit("jinshan"),
        )
        .with_columns(id_number=pl.col("id"))
    )
    sizes = rng.choice(len(SIZES), n_employers, p=[0.5, 0.3, 0.15, 0.05])
    employers = pl.DataFrame({"i": np.arange(n_employers), "s": sizes}).with_columns(
        id=credit_codes(idx + 1000), type=pl.lit("enterprise"), district=pl.lit("jinshan"),
        size=pl.col("s").replace_strict(dict(enumerate(SIZES)), return_dtype=pl.String),
        bank_account=pl.lit("955") + (idx + 10**12).cast(pl.String),
    )  # fmt: skip
    emp_ids = employers["id"].to_numpy()
    start_day = rng.integers(0, 365 * 3, n_persons)  # hires 2022-01 … 2024-12
    length = rng.geometric(monthly_hazard, n_persons)  # months until the contract ends
    contracts = pl.DataFrame(
        {"person": persons["id"], "employer": emp_ids[rng.integers(0, n_employers, n_persons)],
         "d": start_day, "len": length}
    ).with_columns(start=pl.lit(dt.date(2022, 1, 1)) + pl.duration(days=pl.col("d")))  # fmt: skip
    contracts = contracts.with_columns(
        end=pl.col("start").dt.offset_by(pl.format("{}mo", pl.col("len"))) - pl.duration(days=1)
    ).with_columns(
        end=pl.when(pl.col("end") > pl.lit(dt.date(2030, 1, 1))).then(None).otherwise(pl.col("end"))
    )
    kind = rng.random(n_persons)
    contracts = contracts.with_columns(kind=pl.Series(kind))
    # JS-11: hires from 2023 on, paid for each month the contract covers in full up to 12
    js11 = (
        contracts.filter((pl.col("kind") < js11_share) & (pl.col("start") >= pl.lit(dt.date(2023, 1, 1))))
        .with_columns(
            first=pl.col("start").dt.truncate("1mo"),
            n=pl.min_horizontal(
                pl.lit(12),
                pl.when(pl.col("end").is_null())
                .then(pl.lit(12))
                .otherwise(
                    (pl.col("end").dt.year() - pl.col("start").dt.year()) * 12
                    + pl.col("end").dt.month()
                    - pl.col("start").dt.month()
                ),
            ),
        )
        .filter(pl.col("n") >= 3)
    )
    js11_pay = (
        js11.with_columns(month=_months(pl.col("first"), pl.col("n")))
        .explode("month")
        .select(policy=pl.lit("JS-11"), beneficiary="employer", subject="person", month="month",
                amount_fen=pl.lit(50_000, pl.Int64))
    )  # fmt: skip
    si = js11_pay.select(person="subject", month="month", employer="beneficiary",
                         scheme=pl.lit("urban_employee"), paid=pl.lit(True))  # fmt: skip
    js02 = (
        persons.select(person="id")
        .filter((pl.Series(kind) >= js11_share) & (pl.Series(kind) < js11_share + js02_share))
        .with_columns(first=pl.lit(dt.date(2024, 1, 1)), n=pl.lit(12))
    )
    js02_pay = (
        js02.with_columns(month=_months(pl.col("first"), pl.col("n")))
        .explode("month")
        .select(policy=pl.lit("JS-02"), beneficiary="person", subject="person", month="month",
                amount_fen=pl.lit(100_000, pl.Int64))
    )  # fmt: skip
    payments = pl.concat([js11_pay, js02_pay]).with_columns(
        payment_id=pl.format("P{}", pl.int_range(0, pl.len())), state=pl.lit("paid")
    )
    return Inputs.from_frames(
        as_of=AS_OF, persons=persons, employers=employers, contracts=contracts,
        social_insurance=si, payments=payments,
    )  # fmt: skip
