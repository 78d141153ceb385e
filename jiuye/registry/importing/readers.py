"""Reading import files: CSV (UTF-8 with/without BOM, GB18030/GBK) and XLSX, into all-string Polars frames.

Every value is read as text (or null); typing is the validator's job, so that a bad value can be
reported with exactly what the user typed.  Each frame carries a ``__row`` column with the row number a
user sees in Excel (the header is row 1), so problems can name the row.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from jiuye.spreadsheet import unneutralise_expr

ROW = "__row"
GUIDE_SHEETS = frozenset({"填写说明", "说明"})  # explanation sheets of templates, never data


class ReadError(Exception):
    """A file that cannot be read at all (missing, empty, undecodable, not a spreadsheet)."""


@dataclass
class Sheet:
    """One table-shaped piece of an input file: a CSV file, or one worksheet of a workbook."""

    path: Path
    sheet: str | None  # worksheet name for XLSX, None for CSV
    frame: pl.DataFrame  # all String columns named as in the header, plus ``__row`` (Int64)
    encoding: str | None = None  # CSV only: detected encoding
    table_hint: str | None = None  # the table this sheet holds, when known without looking at headers

    @property
    def where(self) -> str:
        return f"{self.path.name}［{self.sheet}］" if self.sheet else self.path.name


# --- encodings ------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file: ``utf-8-sig`` (BOM), ``utf-8`` or ``gb18030`` (covers GBK and GB2312).

    UTF-8 is checked strictly first: Chinese text in GBK is practically never valid UTF-8 (a GBK
    lead byte 0x81–0xFE followed by a trail byte would have to form complete UTF-8 sequences all the
    way through), whereas every byte string is "valid" in some single-byte code page — so trying
    UTF-8 strictly and falling back to GB18030 never guesses wrong on real Chinese files.  Pure ASCII
    is reported as UTF-8 (it is the same bytes in both).
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if _is_utf8(data):
        return "utf-8"
    row = mixed_encoding_row(data)
    if row is not None:
        raise ReadError(
            f"第 {row} 行是 UTF-8 编码，而文件其余部分是 GBK/GB18030 编码，按一种编码读入会把文字变成乱码。"
            "请把整个文件另存为同一种编码（建议“CSV UTF-8（逗号分隔）”）后重试。"
        )
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(
            f"无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030），第 {line} 行有无法解码的字符。"
            "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重试。"
        ) from None


def _is_utf8(data: bytes) -> bool:
    """Strict UTF-8 check in 4 MB pieces (the incremental decoder joins a character split between two):
    decoding a 1 GB file at once built 2–4 GB of text only to throw it away, and took twice as long."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), 1 << 22):
            decoder.decode(view[start : start + (1 << 22)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# Three-byte UTF-8 sequences (every CJK character in UTF-8); a GBK line practically never decodes as
# UTF-8 as a whole, so a non-ASCII line that does is a UTF-8 line in a GBK file.
_UTF8_CJK = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}")


def mixed_encoding_row(data: bytes) -> int | None:
    """The first line (1 = header) of a GB18030 file that is UTF-8 text instead, or None.

    A file whose rows were pasted together from different sources decodes "successfully" as GB18030
    while 张三 in a UTF-8 row silently becomes 寮犱笁; such a file is refused naming the row.
    """
    checked: set[int] = set()
    for match in _UTF8_CJK.finditer(data):
        start = data.rfind(b"\n", 0, match.start()) + 1
        if start in checked:
            continue
        checked.add(start)
        end = data.find(b"\n", match.end())
        line = data[start : end if end >= 0 else len(data)]
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return data.count(b"\n", 0, start) + 1
    return None


def _utf8(data: bytes, encoding: str) -> bytes:
    if encoding == "utf-8":
        return data
    return data.decode(encoding).encode("utf-8")


# --- CSV ------------------------------------------------------------------------------------------


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip whitespace, make empty cells null, drop wholly empty rows and unnamed empty columns."""
    names = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    value_cols = [c for c in frame.columns if c != ROW]
    frame = frame.with_columns(
        unneutralise_expr(pl.col(c).cast(pl.String).str.strip_chars()).replace("", None).alias(c)
        for c in value_cols
    )
    if value_cols:
        frame = frame.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in value_cols))
    drop = [
        c
        for c in value_cols
        if (c == "" or c.startswith("_duplicated_") or c.startswith("column_"))
        and frame.get_column(c).null_count() == frame.height
    ]
    return frame.drop(drop)


def read_csv(path: Path) -> Sheet:
    data = _read_bytes(path)
    try:
        encoding = detect_encoding(data)
    except ReadError as exc:
        raise ReadError(f"{path.name}：{exc}") from None
    if encoding == "utf-16":
        text = data.decode("utf-16")
        data, encoding_used = text.encode("utf-8"), "utf-16"
    else:
        encoding_used = encoding
        data = _utf8(data, encoding)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _blank(data):
        raise ReadError(f"{path.name}：文件是空的")
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=False,
            raise_if_empty=True,
        )
    except pl.exceptions.NoDataError as exc:
        raise ReadError(f"{path.name}：文件是空的") from exc
    except pl.exceptions.ComputeError as exc:
        raise ReadError(f"{path.name}：{BAD_CSV}") from exc
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    frame = _clean(frame)
    return Sheet(path=path, sheet=None, frame=frame, encoding=encoding_used)


def _blank(data: bytes) -> bool:
    """Nothing but whitespace — without ``data.strip()``, which copies the whole file (0.8 s for 800 MB)."""
    return not data or data.isspace()


# the libraries' reasons (polars, zipfile, openpyxl) are English: the person importing reads what to do instead
BAD_CSV = "不是有效的 CSV 文件：有的行比表头多出列，或引号不成对。请用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”再导入。"
BAD_XLSX = ("不是有效的 Excel（.xlsx）文件：文件已损坏，或不是 .xlsx 格式（如 .xls、.et 或改了扩展名的文件）。"
            "请用 Excel 打开后另存为 .xlsx 再导入。")


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ReadError(f"文件不存在：{path}")
    if path.is_dir():
        raise ReadError(f"{path} 是目录，不是文件")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"无法读取文件 {path}：{exc.strerror}") from exc
    if _blank(data):
        raise ReadError(f"{path.name}：文件是空的")
    return data


# --- XLSX -----------------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    """What the user sees in the cell, as text: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and abs(value) >= 1e15:
        # a spreadsheet number has 15 significant digits: a longer "number" (a card or account number, an ID
        # number typed without the text format) has already lost digits; shown as Excel shows it, so no
        # check can mistake it for the digits the user meant (6.222020200112233e+18, never an account)
        return repr(float(value))
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value)


# --- what openpyxl's fast reader does not tell: merged cells, formulas without a stored result -------
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
MAX_CELLS_NAMED = 10


@dataclass
class CellTraps:
    """Per worksheet: merged ranges (text, first row, last row) and formula cells without a value."""

    merged: list[tuple[str, int, int]]
    formulas_without_value: list[tuple[str, int]]  # (cell, row)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet title → its XML part in the package."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[sheet.get("name", "")] = target
    return parts


def cell_traps(path: Path) -> dict[str, CellTraps]:
    """Merged cells and formula cells without a cached value, per worksheet title.

    The raw XML is searched first (fast, in C); cells are walked only in a sheet that has formulas.
    """
    found: dict[str, CellTraps] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for title, part in _sheet_parts(zf).items():
                try:
                    xml = zf.read(part)
                except KeyError:
                    continue
                traps = CellTraps([], [])
                for m in _MERGE.finditer(xml):
                    a, r1, b, r2 = (g.decode() if g else None for g in m.groups())
                    assert a is not None and r1 is not None
                    ref = f"{a}{r1}" + (f":{b}{r2}" if b else "")
                    traps.merged.append((ref, int(r1), int(r2 or r1)))
                if _FORMULA.search(xml):
                    for _event, cell in ElementTree.iterparse(io.BytesIO(xml)):
                        if cell.tag != f"{_NS_MAIN}c":
                            continue
                        formula = cell.find(f"{_NS_MAIN}f")
                        value = cell.find(f"{_NS_MAIN}v")
                        if formula is not None and (value is None or not (value.text or "").strip()):
                            ref = cell.get("r", "")
                            row = int(re.sub(r"[A-Z]+", "", ref) or 0)
                            traps.formulas_without_value.append((ref, row))
                        cell.clear()
                found[title] = traps
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}  # openpyxl reports an unreadable package itself
    return found


def _trap_problems(where: str, traps: CellTraps, header_row: int) -> list[str]:
    problems = []
    merged = [ref for ref, _first, last in traps.merged if last > header_row]
    if merged:
        shown = "、".join(merged[:MAX_CELLS_NAMED]) + ("等" if len(merged) > MAX_CELLS_NAMED else "")
        problems.append(
            f"{where}：单元格 {shown} 是合并单元格。合并后只有左上角的单元格有值，其余行会被当作空白导入。"
            "请取消合并，并在每一行填入各自的值后重试。"
        )
    formulas = [ref for ref, row in traps.formulas_without_value if row > header_row]
    if formulas:
        shown = "、".join(formulas[:MAX_CELLS_NAMED]) + ("等" if len(formulas) > MAX_CELLS_NAMED else "")
        problems.append(
            f"{where}：单元格 {shown} 是公式，但文件中没有保存计算结果，导入会得到空白。"
            "请在 Excel 中打开并保存该文件（或把公式替换为数值）后重试。"
        )
    return problems


def _iter_sheet_rows(ws: object) -> Iterator[tuple[object, ...]]:
    yield from ws.iter_rows(values_only=True)  # type: ignore[attr-defined]


def read_xlsx(path: Path) -> list[Sheet]:
    """Every non-empty worksheet of a workbook, first non-empty row as the header."""
    _read_bytes(path)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ReadError(f"{path.name}：{BAD_XLSX}") from exc
    sheets: list[Sheet] = []
    traps = cell_traps(path)
    problems: list[str] = []
    try:
        for ws in wb.worksheets:
            if ws.title.strip() in GUIDE_SHEETS:
                continue
            header: list[str] | None = None
            header_row = 0
            rows: list[list[str | None]] = []
            numbers: list[int] = []
            for index, raw in enumerate(_iter_sheet_rows(ws), start=1):
                cells = [_cell_text(v) for v in raw]
                if header is None:
                    if any(c is not None and c.strip() for c in cells):
                        header = [(c or "").strip() for c in cells]
                        header_row = index
                    continue
                if not any(c is not None and c.strip() for c in cells):
                    continue
                width = len(header)
                cells = (cells + [None] * width)[:width]
                rows.append(cells)
                numbers.append(index)
            if header is None:
                continue
            if ws.title in traps:
                problems += _trap_problems(f"{path.name}［{ws.title}］", traps[ws.title], header_row)
            # Unique, non-empty column names (empty trailing header cells are ignored).
            names: list[str] = []
            for i, name in enumerate(header):
                names.append(name if name and name not in names else f"column_{i + 1}")
            columns = {
                name: pl.Series(name, [r[i] for r in rows], dtype=pl.String) for i, name in enumerate(names)
            }
            frame = pl.DataFrame({ROW: pl.Series(ROW, numbers, dtype=pl.Int64), **columns})
            sheets.append(Sheet(path=path, sheet=ws.title, frame=_clean(frame)))
    finally:
        wb.close()
    if problems:
        raise ReadError("\n".join(problems))
    if not sheets:
        raise ReadError(f"{path.name}：工作簿中没有数据")
    return sheets


def read_table_file(path: Path) -> list[Sheet]:
    """A CSV file or an XLSX workbook → its sheets.  Raises :class:`ReadError` with a Chinese reason."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".xls":
        _read_bytes(path)
        raise ReadError(f"{path.name}：不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV")
    return [read_csv(path)]
