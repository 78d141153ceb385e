"""Import without a database: encodings, readers, header recognition, vectorised checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuye.registry.importing import checks
from jiuye.registry.importing.readers import ReadError, detect_encoding, read_csv, read_table_file
from jiuye.registry.importing.validate import LayoutError, identify
from jiuye.rules.identifiers import (
    CREDIT_ALPHABET,
    credit_code_problem,
    id_number_problem,
    make_credit_code,
    make_id_number,
)

HEADER = "身份证号码,姓名,出生日期,性别,户籍所在区,原农业户籍"


def _row(i: int) -> str:
    born = dt.date(1990, 1, 1) + dt.timedelta(days=i)
    return f"{make_id_number('310116', born, i, 'male')},张{i},{born},男,金山区,否"


def _text(n: int = 3) -> str:
    return "\n".join([HEADER, *(_row(i) for i in range(n))]) + "\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
    ],
)
def test_encodings_are_detected_and_read(tmp_path: Path, encoding: str, prefix: bytes, expected: str) -> None:
    path = tmp_path / "persons.csv"
    path.write_bytes(prefix + _text().encode(encoding))
    assert detect_encoding(path.read_bytes()) == expected
    sheet = read_csv(path)
    assert sheet.encoding == expected
    assert sheet.frame.columns[1] == "身份证号码"  # no BOM left in the first header
    assert sheet.frame.get_column("姓名").to_list() == ["张0", "张1", "张2"]
    assert sheet.frame.get_column("__row").to_list() == [2, 3, 4]


def test_gbk_text_that_is_not_utf8_is_never_taken_for_utf8() -> None:
    # Every town name of the two districts, in GBK, must come out as GB18030, not mojibake UTF-8.

    names = "石化街道朱泾镇枫泾镇张堰镇亭林镇吕巷镇廊下镇金山卫镇漕泾镇山阳镇城桥镇堡镇新河镇庙镇竖新镇向化镇"
    for i in range(len(names) - 1):
        data = ("a,b\n" + names[i : i + 2] + ",1\n").encode("gbk")
        assert detect_encoding(data) == "gb18030"


def test_utf8_is_checked_in_pieces_without_splitting_a_character() -> None:
    # The strict UTF-8 check runs over 4 MB pieces: a character cut by a piece boundary is still UTF-8,
    # and a bad byte after the first piece still sends the file to GB18030 (or a refusal).
    piece = 1 << 22
    for offset in (1, 2):  # the boundary falls inside the three bytes of 张
        data = b"a,b\n" + b"x" * (piece - 4 - offset) + "张,1\n".encode()
        assert data[piece - offset : piece - offset + 3] == "张".encode()
        assert detect_encoding(data) == "utf-8"
    gbk = b"a,b\n" + b"x" * piece + "朱泾镇,1\n".encode("gbk")
    assert detect_encoding(gbk) == "gb18030"
    assert detect_encoding(b"a,b\n" + b"x" * piece + "张".encode()[:2]) == "gb18030"  # cut at the very end


def test_undecodable_and_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"  \n")
    with pytest.raises(ReadError, match="空"):
        read_table_file(empty)
    with pytest.raises(ReadError, match="不存在"):
        read_table_file(tmp_path / "missing.csv")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="Excel"):
        read_table_file(bad)


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("人员")
    ws.write_row(0, 0, HEADER.split(","))
    ws.write_row(1, 0, _row(0).split(","))
    ws.write_datetime(1, 2, dt.datetime(1990, 1, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_number(2, 5, 1)  # a sparse row: only one cell
    book.add_worksheet("空表")
    book.close()
    sheets = read_table_file(path)
    assert [s.sheet for s in sheets] == ["人员"]
    frame = sheets[0].frame
    assert frame.get_column("出生日期").to_list() == ["1990-01-01", None]
    assert frame.get_column("原农业户籍").to_list() == ["否", "1"]
    assert frame.get_column("__row").to_list() == [2, 3]


def test_headers_chinese_english_and_aliases(tmp_path: Path) -> None:
    for header, name in [
        (HEADER, "zh.csv"),
        ("id_number,name,birth_date,gender,hukou_district,hukou_agricultural", "en.csv"),
        ("公民身份号码, 姓名 ,出生日期*,性别,户籍所在区,是否农业户籍", "alias.csv"),
    ]:
        path = tmp_path / name
        path.write_text(header + "\n" + _row(0) + "\n", encoding="utf-8")
        piece = identify(read_csv(path))
        assert piece.table.name == "persons", header
        assert set(piece.headers) >= {"id_number", "name", "birth_date", "gender", "hukou_agricultural"}


def test_unknown_layout_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    with pytest.raises(LayoutError, match="无法识别的表头"):
        identify(read_csv(path))
    named = tmp_path / "persons.csv"
    named.write_text("身份证号码,姓名\n1,2\n", encoding="utf-8")
    with pytest.raises(LayoutError, match="缺少必填列：出生日期"):
        identify(read_csv(named))


def _reasons(values: list[str], reason: object) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(reason).to_series().to_list()  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    born=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    seq=st.integers(0, 499),
    gender=st.sampled_from(["male", "female"]),
    pos=st.integers(0, 17),
    char=st.sampled_from("0123456789X"),
)
def test_vectorised_id_check_agrees_with_gb11643(
    born: dt.date, seq: int, gender: str, pos: int, char: str
) -> None:
    good = make_id_number("310116", born, seq, gender)
    mutated = good[:pos] + char + good[pos + 1 :]
    values = [good, mutated, good[:17], good + "1"]
    got = _reasons(values, checks.id_number_reason(pl.col("v")))
    assert got == [id_number_problem(v) for v in values]


@settings(max_examples=60, deadline=None)
@given(
    serial=st.integers(0, 31**9 - 1), pos=st.integers(0, 17), char=st.sampled_from(CREDIT_ALPHABET + "IOZS")
)
def test_vectorised_credit_check_agrees_with_gb32100(serial: int, pos: int, char: str) -> None:
    good = make_credit_code("310116", serial)
    mutated = good[:pos] + char + good[pos + 1 :]
    values = [good, mutated, good[:10]]
    got = _reasons(values, checks.credit_code_reason(pl.col("v")))
    assert got == [credit_code_problem(v) for v in values]


def test_dates_months_money() -> None:
    frame = pl.DataFrame({"v": ["2024-02-29", "2023-02-29", "2024/3/5", "20240305", "2024年3月5日", "x"]})
    out = frame.select(checks.parse_date(pl.col("v")), checks.date_reason(pl.col("v")).alias("r"))
    assert out["v"].to_list()[:5] == [
        dt.date(2024, 2, 29), None, dt.date(2024, 3, 5), dt.date(2024, 3, 5), dt.date(2024, 3, 5)
    ]  # fmt: skip
    assert out["r"].to_list() == [None, "日期不存在", None, None, None, "不是日期（应为 YYYY-MM-DD）"]
    months = pl.DataFrame({"v": ["2024-03", "2024-13", "2024-03-01", "202403"]})
    assert months.select(checks.parse_month(pl.col("v"))).to_series().to_list() == [
        dt.date(2024, 3, 1), None, dt.date(2024, 3, 1), dt.date(2024, 3, 1)
    ]  # fmt: skip
    money = pl.DataFrame({"v": ["7310", "7,310.5", "0.01", "1.234", "-3"]})
    assert money.select(checks.parse_yuan_to_fen(pl.col("v"))).to_series().to_list()[:3] == [
        731000,
        731050,
        1,
    ]
    assert money.select(checks.money_reason(pl.col("v"), "yuan")).to_series().to_list()[3:] == [
        "金额应为数字（元），最多两位小数", "金额不能为负数"
    ]  # fmt: skip
