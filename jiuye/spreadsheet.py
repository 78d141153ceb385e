"""Cells the project writes into files others open in Excel: never a live formula (issue 9).

- XLSX: every cell is written explicitly as a string or a number (:func:`write_cell`), never through
  xlsxwriter's auto-detection (``write``/``write_row`` turn ``=HYPERLINK(…)`` into a formula).
- CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised
  as the OWASP CSV-injection guidance says — prefixed with a single quote, so a spreadsheet shows it as
  text.  Plain numbers (``-12.50``) are left alone: they are not formulas.  The CSV writer quotes cells
  holding the separator, quotes or line breaks.
- Import reverses exactly this (:func:`unneutralise_expr`): a cell ``'=…`` written by us reads back as
  ``=…`` (and is then judged by the column's checks like any other text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
_NUMBER_RE = r"^-?[0-9]+(\.[0-9]+)?$"
_NUMBER = re.compile(_NUMBER_RE)


def neutralise(text: str) -> str:
    """One CSV cell: ``'`` + text when the text could be read as a formula."""
    if text and text[0] in FORMULA_START and not _NUMBER.match(text):
        return "'" + text
    return text


def neutralise_expr(col: pl.Expr) -> pl.Expr:
    return (
        pl.when(col.str.contains(_FORMULA_RE) & ~col.str.contains(_NUMBER_RE))
        .then(pl.lit("'") + col)
        .otherwise(col)
    )


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``frame`` neutralised (other columns as they are)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(neutralise_expr(pl.col(c)).alias(c) for c in text)


def unneutralise_expr(col: pl.Expr) -> pl.Expr:
    """Undo :func:`neutralise_expr` on import: drop a ``'`` that precedes a formula character."""
    return pl.when(col.str.contains(r"^'[=+\-@\t\r]")).then(col.str.slice(1)).otherwise(col)


def write_cell(ws: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    """Write one XLSX cell with its type stated: text as a string, int as a number, None as blank.

    Money is never a float inside jiuye: a :class:`~decimal.Decimal` is written as its exact text.
    """
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, Decimal):
        ws.write_string(row, col, f"{value:f}", fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_row(ws: Any, row: int, values: Sequence[object], fmt: Any = None) -> None:
    for c, value in enumerate(values):
        write_cell(ws, row, c, value, fmt)
