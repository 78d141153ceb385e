"""Export any registry table to CSV or XLSX, generic over :mod:`jiuye.registry.schema`.

Files use the Chinese headers of the import templates, so an unmasked export imports again as is:

- rows sorted by the natural key (nulls last) — two exports of the same data are byte-identical;
- personal data masked unless ``unmasked`` (the policy: ``Column.personal`` in the schema, the masks in
  :data:`jiuye.rules.identifiers.MASKS`; docs/personal-data.md);
- dates ``YYYY-MM-DD``, months ``YYYY-MM``, booleans ``是/否``, money in yuan with two decimals, enums
  as their Chinese labels, empty cells for missing values;
- CSV: UTF-8 with BOM (Excel opens it correctly), ``\\n`` line ends; a text cell beginning with a formula
  character is prefixed with ``'`` (:mod:`jiuye.spreadsheet`; import removes it again);
- XLSX: one sheet named after the table's Chinese title, header row, ID numbers and codes as text,
  dates as date cells, money and ints as numbers, fixed workbook properties (creation date
  2000-01-01) so the bytes do not depend on when the export ran.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import polars as pl
import sqlalchemy as sa

from jiuye.registry import schema
from jiuye.registry.store import read_table
from jiuye.rules.identifiers import mask
from jiuye.rules.money import yuan_text

Format = Literal["csv", "xlsx"]
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
FIXED_CREATED = dt.datetime(2000, 1, 1)


def text_frame(table: str, frame: pl.DataFrame, *, unmasked: bool = False) -> pl.DataFrame:
    """A logical frame as the file shows it: every column text (null = empty), named by its header."""
    spec = schema.TABLES[table]
    exprs: list[pl.Expr] = []
    for col in spec.columns:
        c = pl.col(col.name)
        if col.type in ("str", "town"):
            e = c
            if col.personal and not unmasked:
                e = mask(c, col.personal)
        elif col.type == "date":
            e = c.dt.strftime("%Y-%m-%d")
        elif col.type == "month":
            e = c.dt.strftime("%Y-%m")
        elif col.type == "bool":
            e = pl.when(c).then(pl.lit("是")).when(c.not_()).then(pl.lit("否"))
        elif col.type == "int":
            e = c.cast(pl.String)
        elif col.type == "money":
            e = yuan_text(c)
        elif col.type == "enum":
            assert col.enum is not None
            labels = schema.ENUM_LABELS.get(col.enum, {})
            e = c.replace_strict(labels, default=c, return_dtype=pl.String) if labels else c
        else:  # pragma: no cover - every type is handled above
            raise ValueError(col.type)
        exprs.append(e.cast(pl.String).alias(col.header))
    return frame.select(exprs)


def export_frame(
    conn: sa.Connection,
    table: str,
    district: str | None = None,
    town: str | None = None,
    *,
    unmasked: bool = False,
) -> pl.DataFrame:
    """The rows of ``table`` (filtered, sorted by natural key) as the file will show them."""
    return text_frame(table, read_table(conn, table, district, town), unmasked=unmasked)


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """UTF-8 with BOM; a text cell that could be read as a formula is neutralised (OWASP)."""
    from jiuye.spreadsheet import neutralise_frame

    data = neutralise_frame(frame).write_csv(include_header=True, line_terminator="\n", null_value="")
    path.write_bytes(b"\xef\xbb\xbf" + data.encode("utf-8"))


def write_xlsx(table: str, frame: pl.DataFrame, path: Path) -> None:
    """Write a text frame (from :func:`text_frame`) as a one-sheet workbook with stable bytes."""
    import xlsxwriter

    if frame.height > XLSX_MAX_ROWS:
        raise ValueError("too many rows for one sheet")
    spec = schema.TABLES[table]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        wb.set_properties({"title": spec.title, "author": "jiuye", "created": FIXED_CREATED})
        ws = wb.add_worksheet(_sheet_name(spec.title))
        head = wb.add_format({"bold": True})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        money_fmt = wb.add_format({"num_format": "0.00"})
        writers: list[Any] = []
        for i, col in enumerate(spec.columns):
            ws.write_string(0, i, col.header, head)
            ws.set_column(i, i, max(10, 2 * len(col.header) + 2))
            writers.append(_cell_writer(ws, col, date_fmt, money_fmt))
        ws.freeze_panes(1, 0)
        for r, row in enumerate(frame.iter_rows(), start=1):
            for i, value in enumerate(row):
                if value is not None:
                    writers[i](r, i, value)
    finally:
        wb.close()


def _cell_writer(ws: Any, col: schema.Column, date_fmt: Any, money_fmt: Any) -> Any:
    if col.type == "date":
        return lambda r, c, v: ws.write_datetime(r, c, dt.datetime.strptime(v, "%Y-%m-%d"), date_fmt)
    if col.type == "money":
        # presentation only: the cell holds the yuan amount exactly as its two-decimal text
        return lambda r, c, v: ws.write_number(r, c, float(v), money_fmt)
    if col.type == "int":
        return lambda r, c, v: ws.write_number(r, c, int(v))
    return ws.write_string


def _sheet_name(title: str) -> str:
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return name[:31] or "Sheet1"


def export_table(
    conn: sa.Connection,
    table: str,
    path: Path,
    fmt: Format,
    district: str | None = None,
    town: str | None = None,
    *,
    unmasked: bool = False,
) -> int:
    """Export ``table`` to ``path``; returns the number of rows written."""
    frame = export_frame(conn, table, district, town, unmasked=unmasked)
    if fmt == "csv":
        write_csv(frame, path)
    else:
        write_xlsx(table, frame, path)
    return frame.height
