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


# --- a whole text frame as an XLSX sheet, by columns ---------------------------------------------------
# xlsxwriter costs a Python call per cell (~10 s for 100,000 rows × 9 columns here).  A frame whose
# every column is text is written here as the sheet's XML built by whole-column string operations: every
# cell an inline string (``t="inlineStr"``) — stated as text by its type, so never a formula or a number.

_XML_BAD = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20))] + ["\ufffe", "\uffff"]
_XML_BAD_RE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _XML_BAD) + "]"


def _xml_text(col: pl.Expr, controls: bool) -> pl.Expr:
    """Text as XLSX cell XML text: a literal ``_xHHHH_`` kept as itself, ``&<>`` escaped, characters XML
    cannot hold (and CR, which XML would turn into LF) as ``_xHHHH_`` — what Excel and xlsxwriter do."""
    out = col.str.replace_all(r"(_x[0-9A-Fa-f]{4}_)", "_x005F${1}")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        out = out.str.replace_all(raw, escaped, literal=True)
    if controls:
        for ch in _XML_BAD:
            out = out.str.replace_all(ch, f"_x{ord(ch):04X}_", literal=True)
    return out


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_text_xlsx(frame: pl.DataFrame, path: Any, sheet: str, widths: Sequence[float] = ()) -> None:
    """Write ``frame`` (text columns; null = empty cell) as a one-sheet XLSX: a bold header row with the
    column names, then one row per frame row, every cell an explicit string."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    header = pl.DataFrame({c: [c] for c in frame.columns}, schema={c: pl.String for c in frame.columns})
    text = pl.concat([header, frame.select(pl.col(c).cast(pl.String) for c in frame.columns)])
    has_controls = text.select(pl.col(c).str.contains(_XML_BAD_RE).any() for c in text.columns).row(0)
    cells = []
    for i, name in enumerate(text.columns):
        col, controls = pl.col(name), bool(has_controls[i])
        cells.append(
            pl.when(col.is_null() | (col == ""))
            .then(pl.lit(""))
            .otherwise(pl.concat_str([
                pl.lit(f'<c r="{_column_letters(i)}'), pl.col("_r"),
                pl.when(pl.col("_r") == "1").then(pl.lit('" s="1"')).otherwise(pl.lit('"')),
                pl.lit(' t="inlineStr"><is><t xml:space="preserve">'), _xml_text(col, controls), pl.lit("</t></is></c>"),
            ]))
        )
    rows = (
        text.with_row_index("_r", offset=1)
        .with_columns(pl.col("_r").cast(pl.String))
        .select(pl.concat_str([pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *cells, pl.lit("</row>")]).alias("x"))
    )
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths[: frame.width])
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    sheet_start = f"{head}<worksheet {ns} {rel_ns}>" + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
    parts = {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f"{head}<workbook {ns} {rel_ns}><sheets>"
            f'<sheet name={quoteattr(escape(sheet))} sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f"{head}<styleSheet {ns}>"
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, body in parts.items():
            z.writestr(name, body.encode("utf-8"))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(sheet_start.encode("utf-8"))
            # one XML row per line, written by Polars without quoting (the text is already XML-escaped)
            rows.write_csv(out, include_header=False, quote_style="never")
            out.write(b"</sheetData></worksheet>")
