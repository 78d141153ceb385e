"""Money (catalog G11): integer fen inside, exact decimal yuan outside; never float arithmetic.

The one place money becomes text, for single values and for whole columns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import polars as pl

FEN_PER_YUAN = 100


class MoneyError(ValueError):
    pass


def yuan_to_fen(value: int | str | Decimal) -> int:
    """Exact conversion; more than two decimals is an error, not a rounding."""
    if type(value) is int:  # whole yuan: no Decimal (a case reads one per insured month)
        return value * FEN_PER_YUAN
    if isinstance(value, bool | float):
        raise MoneyError(f"金额必须是精确的数（整数或两位小数），不能是 {value!r}")
    try:
        amount = Decimal(value) * FEN_PER_YUAN
    except InvalidOperation as exc:
        raise MoneyError(f"不是金额：{value!r}") from exc
    if amount != amount.to_integral_value():
        raise MoneyError(f"金额最多两位小数：{value}")
    return int(amount)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_json_number(fen: int) -> int | Decimal:
    """1000 yuan -> 1000; 20000.50 yuan -> Decimal('20000.5') (written exactly by our JSON encoder)."""
    if fen % FEN_PER_YUAN == 0:
        return fen // FEN_PER_YUAN
    return (Decimal(fen) / FEN_PER_YUAN).normalize()


def fen_to_text(fen: int) -> str:
    """'1,000.00 元' style text for explanations and payment files."""
    return f"{fen_to_yuan(fen):,.2f}"


def percent_of_fen(fen: int, percent: Decimal | int) -> int:
    """``percent`` % of an amount, rounded half up to the fen (G11)."""
    exact = Decimal(fen) * Decimal(percent) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_plain_text(fen: int) -> str:
    """'1234.50' style: exact yuan with two decimals, no separators (files, keys, messages)."""
    return f"{fen_to_yuan(fen)}"


def yuan_text(fen: pl.Expr, suffix: str = "") -> pl.Expr:
    """Column of integer fen as :func:`fen_to_plain_text` writes it (-150 → '-1.50'), then ``suffix``."""
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (fen.abs() // FEN_PER_YUAN).cast(pl.String)
    cents = (fen.abs() % FEN_PER_YUAN).cast(pl.String).str.zfill(2)
    return pl.concat_str([sign, whole, pl.lit("."), cents, pl.lit(suffix)])
