"""Import files that used to lose data silently (issue 10): merged cells, formulas without a stored
result, a file mixing encodings, the ID normalisation rule, dates that cannot be in the future, and a
file given twice.  Database tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from jiuye.registry.importing.readers import ReadError, mixed_encoding_row, read_csv, read_table_file
from jiuye.rules.identifiers import make_id_number
from tests.registry.test_import import PERSON_HEADER, count, person, query, run, write_csv


def _workbook(path: Path, rows: list[list[object]], *, merge: str | None = None, formula: str | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人员")
    for r, row in enumerate([PERSON_HEADER, *rows]):
        for c, value in enumerate(row):
            ws.write_string(r, c, str(value))
    if merge:
        ws.merge_range(merge, str(rows[0][4]))
    if formula:
        ws.write_formula(formula, '="金山区"')  # xlsxwriter stores no result unless given one
    wb.close()
    return path


def test_merged_cells_are_an_error_naming_the_cells(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [person(i) for i in range(4)], merge="E2:E5")
    with pytest.raises(ReadError) as info:
        read_table_file(path)
    assert str(info.value) == (
        "p.xlsx［人员］：单元格 E2:E5 是合并单元格。合并后只有左上角的单元格有值，其余行会被当作空白导入。"
        "请取消合并，并在每一行填入各自的值后重试。"
    )


def test_a_merged_title_above_the_header_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人员")
    ws.merge_range("A1:G1", "")  # an empty merged banner: not data
    for c, h in enumerate(PERSON_HEADER):
        ws.write_string(1, c, h)
    for c, value in enumerate(person(1)):
        ws.write_string(2, c, value)
    wb.close()
    (sheet,) = read_table_file(path)
    assert sheet.frame.height == 1


def test_formula_without_a_stored_result_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "人员"
    for row in [PERSON_HEADER, *(person(i) for i in range(3))]:
        ws.append(row)
    ws["E3"] = '="金山区"'  # openpyxl stores the formula only: no computed value until Excel saves it
    path = tmp_path / "f.xlsx"
    wb.save(path)
    with pytest.raises(ReadError) as info:
        read_table_file(path)
    assert str(info.value) == (
        "f.xlsx［人员］：单元格 E3 是公式，但文件中没有保存计算结果，导入会得到空白。"
        "请在 Excel 中打开并保存该文件（或把公式替换为数值）后重试。"
    )


def test_formula_with_a_stored_result_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人员")
    for c, h in enumerate(PERSON_HEADER):
        ws.write_string(0, c, h)
    for c, value in enumerate(person(1)):
        ws.write_string(1, c, value)
    ws.write_formula(1, 4, '="金山区"', None, "金山区")
    wb.close()
    (sheet,) = read_table_file(path)
    assert sheet.frame["户籍所在区"].to_list() == ["金山区"]


def test_a_gbk_file_with_one_utf8_row_is_rejected_naming_the_row(tmp_path: Path) -> None:
    rows = [",".join(person(i)) for i in range(5)]
    data = (",".join(PERSON_HEADER) + "\r\n").encode("gbk")
    for i, row in enumerate(rows):
        data += (row + "\r\n").encode("utf-8" if i == 3 else "gbk")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    assert mixed_encoding_row(data) == 5
    with pytest.raises(ReadError) as info:
        read_csv(path)
    assert str(info.value) == (
        "mixed.csv：第 5 行是 UTF-8 编码，而文件其余部分是 GBK/GB18030 编码，按一种编码读入会把文字变成乱码。"
        "请把整个文件另存为同一种编码（建议“CSV UTF-8（逗号分隔）”）后重试。"
    )
    assert mixed_encoding_row((",".join(PERSON_HEADER) + "\r\n" + "\r\n".join(rows)).encode("gbk")) is None


def test_id_numbers_are_normalised_by_the_shared_rule(migrated_db_url: str, tmp_path: Path) -> None:
    number = make_id_number("310116", dt.date(1990, 1, 2), 5, "male")
    variants = [number[:17] + "x" if number.endswith("X") else number, "".join(chr(ord(c) + 0xFEE0) for c in number)]
    row = person(1)
    row[0] = variants[1]
    row[2], row[3] = "1990-01-02", "男"
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, [row])
    assert run(migrated_db_url, path) == 0
    assert query(migrated_db_url, "SELECT id_number FROM persons") == [(number,)]


def test_future_death_date_is_rejected(migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = [*PERSON_HEADER, "死亡日期"]
    path = write_csv(tmp_path / "p.csv", header, [[*person(1), "2030-01-01"], [*person(2), "2020-01-01"]])
    assert run(migrated_db_url, path) == 2
    err = capsys.readouterr().err
    today = dt.date.today().isoformat()
    assert f"p.csv 第2行【死亡日期】“2030-01-01”：死亡日期晚于今天（{today}），此列只能填写已经发生的日期。" in err
    assert "第3行" not in err
    assert count(migrated_db_url, "persons") == 0


def test_a_file_given_twice(migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, [person(1)])
    assert run(migrated_db_url, path, path) == 2
    assert f"错误：同一个文件 {path} 被指定了两次。请每个文件只给一次。" in capsys.readouterr().err
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    assert run(migrated_db_url, path, copy) == 2
    err = capsys.readouterr().err
    assert "与的" not in err
    assert "重复：与copy.csv 第2行的身份证号码相同。" in err
