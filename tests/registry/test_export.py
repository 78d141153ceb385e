from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jiuye import db
from jiuye.cli import main
from jiuye.registry import schema

from .sample_data import P1, P2, P3, populate


@pytest.fixture
def sample_url(migrated_db_url: str) -> str:
    with db.get_engine(migrated_db_url).begin() as conn:
        populate(conn)
    return migrated_db_url


def run(*argv: str) -> int:
    return main(list(argv))


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_exports_byte_identically_twice(sample_url: str, tmp_path: Path, fmt: str) -> None:
    for table in schema.TABLES:
        a, b = tmp_path / f"{table}-a.{fmt}", tmp_path / f"{table}-b.{fmt}"
        assert run("export", table, "--format", fmt, "--out", str(a), "--db", sample_url) == 0
        assert run("export", table, "--format", fmt, "--out", str(b), "--db", sample_url) == 0
        assert a.read_bytes() == b.read_bytes(), table


def test_csv_has_template_headers_sorted_rows_and_file_values(sample_url: str, tmp_path: Path) -> None:
    out = tmp_path / "si.csv"
    assert run("export", "social_insurance", "--out", str(out), "--unmasked", "--reason", "测试", "--db", sample_url) == 0
    rows = read_csv(out)
    spec = schema.TABLES["social_insurance"]
    assert rows[0] == [c.header for c in spec.columns]
    body = rows[1:]
    assert len(body) == 10
    keys = [(r[0], r[1], r[2], r[3]) for r in body]
    assert keys == sorted(keys)
    assert body[0][1:] == ["2023-07", body[0][2], "城镇职工", "7310.00", "是"]
    p3 = [r for r in body if r[0] == P3]
    assert p3 == [[P3, "2023-09", "", "灵活就业", "6520.00", "是"]]
    assert any(r[4] == "8000.50" and r[5] == "否" for r in body)


def test_id_numbers_are_masked_unless_unmasked(sample_url: str, tmp_path: Path) -> None:
    masked, full = tmp_path / "m.csv", tmp_path / "u.csv"
    assert run("export", "persons", "--out", str(masked), "--db", sample_url) == 0
    assert run("export", "persons", "--out", str(full), "--unmasked", "--reason", "测试", "--db", sample_url) == 0
    masked_ids = [r[0] for r in read_csv(masked)[1:]]
    full_ids = [r[0] for r in read_csv(full)[1:]]
    assert full_ids == sorted([P1, P2, P3])
    assert masked_ids == [n[:6] + "********" + n[-4:] for n in full_ids]
    assert all(P1 not in line for line in masked.read_text(encoding="utf-8-sig").splitlines())
    # child tables mask the person column too
    edu = tmp_path / "e.csv"
    assert run("export", "education", "--out", str(edu), "--db", sample_url) == 0
    assert read_csv(edu)[1][0] == P2[:6] + "********" + P2[-4:]


def test_filters_by_district_and_town(sample_url: str, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert run("export", "persons", "--district", "金山区", "--out", str(out), "--unmasked", "--reason", "测试", "--db", sample_url) == 0
    assert [r[0] for r in read_csv(out)[1:]] == [P1]
    assert run("export", "contracts", "--district", "chongming", "--out", str(out), "--unmasked", "--reason", "测试",
               "--db", sample_url) == 0  # fmt: skip
    assert [r[0] for r in read_csv(out)[1:]] == [P2]
    assert run("export", "persons", "--town", "朱泾镇", "--out", str(out), "--unmasked", "--reason", "测试", "--db", sample_url) == 0
    assert [r[0] for r in read_csv(out)[1:]] == [P1]
    assert run("export", "organizations", "--district", "jinshan", "--town", "亭林镇", "--out", str(out),
               "--db", sample_url) == 0  # fmt: skip
    assert [r[0] for r in read_csv(out)[1:]] == ["o2"]
    # org child tables follow their organisation, awards follow the winner
    assert run("export", "org_awards", "--district", "jinshan", "--out", str(out), "--db", sample_url) == 0
    assert read_csv(out)[1:] == [["ev1", "1", "o5"]]


def test_filter_and_table_errors_are_chinese(sample_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "x.csv")
    assert run("export", "nosuch", "--out", out, "--db", sample_url) == 2
    assert "没有名为" in capsys.readouterr().err
    assert run("export", "persons", "--district", "火星", "--out", out, "--db", sample_url) == 2
    assert "未知的区" in capsys.readouterr().err
    assert run("export", "persons", "--district", "jinshan", "--town", "堡镇", "--out", out, "--db", sample_url) == 2
    assert "街镇" in capsys.readouterr().err
    assert run("export", "districts", "--town", "堡镇", "--out", out, "--db", sample_url) == 2
    assert "不能按街镇筛选" in capsys.readouterr().err


def test_xlsx_has_one_sheet_with_headers_text_ids_and_fixed_dates(sample_url: str, tmp_path: Path) -> None:
    out = tmp_path / "persons.xlsx"
    assert run("export", "persons", "--out", str(out), "--unmasked", "--reason", "测试", "--db", sample_url) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.title == "人员"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in schema.TABLES["persons"].columns]
    assert rows[1][0] == sorted([P1, P2, P3])[0] and isinstance(rows[1][0], str)
    assert wb.properties.created is not None and wb.properties.created.year == 2000
    with zipfile.ZipFile(out) as z:
        assert len({i.date_time for i in z.infolist()}) == 1  # fixed zip timestamps
    si = tmp_path / "si.xlsx"
    assert run("export", "social_insurance", "--out", str(si), "--db", sample_url) == 0
    values = list(openpyxl.load_workbook(si).worksheets[0].iter_rows(values_only=True))
    assert values[1][4] == 7310


def test_tables_lists_titles_and_counts(sample_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("tables", "--db", sample_url) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert lines["persons"] == ["人员", "3"]
    assert lines["social_insurance"] == ["社会保险缴费", "10"]
    assert lines["towns"] == ["街镇", "29"]


def test_commands_need_a_migrated_database(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("tables", "--db", db_url) == 3
    assert "jiuye db upgrade" in capsys.readouterr().err
    assert run("db", "upgrade", "--db", db_url) == 0
    assert run("tables", "--db", db_url) == 0


def test_missing_sqlite_file_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/none.db"
    assert run("export", "persons", "--out", str(tmp_path / "p.csv"), "--db", url) == 3
    assert "数据库文件不存在" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
