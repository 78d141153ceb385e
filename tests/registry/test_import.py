"""``jiuye import`` against a real database (SQLite and PostgreSQL via the ``migrated_db_url`` fixture)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye.cli import main
from jiuye.rules.identifiers import make_credit_code, make_id_number

PERSON_HEADER = ["身份证号码", "姓名", "出生日期", "性别", "户籍所在区", "户籍所在街镇", "原农业户籍"]
EMPLOYER_HEADER = [
    "统一社会信用代码",
    "单位名称",
    "单位类型",
    "注册所在区",
    "所在街镇",
    "企业规模",
    "国有企业",
]
CONTRACT_HEADER = ["身份证号码", "用人单位统一社会信用代码", "合同开始日期", "合同终止日期", "已就业登记"]


# --- helpers (also used by test_import_kill.py) ----------------------------------------------------


def person(i: int, *, area: str = "310116", gender: str | None = None) -> list[str]:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=(i * 37) % 16000)
    g = gender or ("male" if i % 2 else "female")
    number = make_id_number(area, born, i % 500, g)
    return [number, f"人员{i}", born.isoformat(), "男" if g == "male" else "女", "金山区", "朱泾镇", "否"]


def employer(i: int) -> list[str]:
    return [make_credit_code("310116", 1000 + i), f"单位{i}", "企业", "金山区", "亭林镇", "小型", "否"]


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    text = "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def run(url: str, *args: str | Path) -> int:
    return main(["import", "--db", url, *map(str, args)])


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    from jiuye.db import get_engine

    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def count(url: str, table: str) -> int:
    return int(query(url, f"SELECT count(*) FROM {table}")[0][0])  # type: ignore[call-overload]


REGISTRY_TABLES = (
    "persons", "employers", "organizations", "contracts", "education", "statuses", "social_insurance",
    "change_log",
)  # fmt: skip


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(query(url, f"SELECT * FROM {t}"), key=repr) for t in REGISTRY_TABLES}


# --- the cases of the issue --------------------------------------------------------------------------


def test_gbk_csv_with_bad_id_is_rejected_whole_naming_its_row(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [person(i) for i in range(10)]
    rows[3][0] = rows[3][0][:17] + ("1" if rows[3][0][17] != "1" else "2")  # file row 5 (header is row 1)
    path = write_csv(tmp_path / "人员.csv", PERSON_HEADER, rows, encoding="gbk")
    assert run(migrated_db_url, path) == 2
    err = capsys.readouterr().err
    assert "人员.csv 第5行【身份证号码】" in err
    assert "校验位错误" in err and "整批拒绝" in err
    assert count(migrated_db_url, "persons") == 0
    assert not (tmp_path / "人员.rejected.csv").exists()

    assert run(migrated_db_url, path, "--skip-invalid") == 0
    assert count(migrated_db_url, "persons") == 9
    reject = tmp_path / "人员.rejected.csv"
    text = reject.read_bytes().decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].split(",") == ["行号", *PERSON_HEADER, "错误原因"]
    assert len(lines) == 2 and lines[1].startswith(f"5,{rows[3][0]},人员3,")
    assert "身份证号码校验位错误" in lines[1]
    assert rows[3][0] not in {r[0] for r in query(migrated_db_url, "SELECT id_number FROM persons")}


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gb18030", False)])
def test_encodings(migrated_db_url: str, tmp_path: Path, encoding: str, bom: bool) -> None:
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, [person(i) for i in range(5)], encoding, bom)
    assert run(migrated_db_url, path) == 0
    assert sorted(r[0] for r in query(migrated_db_url, "SELECT name FROM persons")) == [
        f"人员{i}" for i in range(5)
    ]
    assert query(migrated_db_url, "SELECT DISTINCT hukou_town, gender FROM persons WHERE name = '人员1'") == [
        ("朱泾镇", "male")
    ]


def test_english_headers_and_codes(migrated_db_url: str, tmp_path: Path) -> None:
    header = ["id_number", "name", "birth_date", "gender", "hukou_district", "hukou_agricultural"]
    rows = [
        [p[0], p[1], p[2], "male" if p[3] == "男" else "female", "jinshan", "false"]
        for p in map(person, range(3))
    ]
    assert run(migrated_db_url, write_csv(tmp_path / "people.csv", header, rows)) == 0
    assert count(migrated_db_url, "persons") == 3


def test_xlsx_workbook_with_several_tables(migrated_db_url: str, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "登记.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for title, header, rows in [
        ("劳动合同", CONTRACT_HEADER, [[person(0)[0], employer(0)[0], "2023-07-01", "", "是"]]),
        ("人员", PERSON_HEADER, [person(i) for i in range(3)]),
        ("用人单位", EMPLOYER_HEADER, [employer(0)]),
    ]:
        ws = book.add_worksheet(title)
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row)
    book.close()
    assert run(migrated_db_url, path) == 0
    got = query(
        migrated_db_url,
        "SELECT p.id_number, e.credit_code, c.start, c.registered FROM contracts c "
        "JOIN persons p ON p.id = c.person_id JOIN employers e ON e.id = c.employer_id",
    )
    assert len(got) == 1 and got[0][0] == person(0)[0] and got[0][1] == employer(0)[0]
    assert str(got[0][2]) == "2023-07-01" and bool(got[0][3]) is True


def test_every_validation_kind_is_reported(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [person(i) for i in range(12)]
    rows = [list(r) for r in good]
    rows[0][0] = rows[0][0][:17] + ("0" if rows[0][0][17] != "0" else "1")  # checksum
    rows[1][2] = "1961-02-30"  # impossible date
    rows[2][2] = "1999-01-01"  # disagrees with the ID number
    rows[3][3] = "女" if rows[3][3] == "男" else "男"  # gender disagrees
    rows[4][4] = "火星区"  # unknown district
    rows[5][5] = "堡镇"  # a Chongming town under Jinshan
    rows[6][6] = "也许"  # not a boolean
    rows[7][1] = ""  # required
    rows[8] = list(rows[9])  # duplicate inside the file
    rows[10][0] = rows[10][0][:5]  # wrong length
    persons = write_csv(tmp_path / "persons.csv", PERSON_HEADER, rows)
    emp = employer(1)
    emp[0] = emp[0][:17] + ("0" if emp[0][17] != "0" else "1")
    bad_type = employer(2)
    bad_type[2] = "外企"
    employers = write_csv(tmp_path / "employers.csv", EMPLOYER_HEADER, [emp, bad_type, employer(3)])
    contracts = write_csv(
        tmp_path / "contracts.csv",
        CONTRACT_HEADER,
        [
            [good[11][0], employer(3)[0], "2024-01-01", "2023-01-01", "是"],  # ends before it starts
            [
                make_id_number("310116", dt.date(1990, 5, 5), 7, "male"),
                employer(3)[0],
                "2024-01-01",
                "",
                "是",
            ],
            [good[11][0], make_credit_code("310116", 999_999), "2024-02-01", "", "是"],
        ],
    )
    assert run(migrated_db_url, persons, employers, contracts) == 2
    err = capsys.readouterr().err
    expected = [
        "persons.csv 第2行【身份证号码】", "校验位错误（GB 11643",
        "persons.csv 第3行【出生日期】“1961-02-30”：日期不存在",
        "persons.csv 第4行【出生日期】“1999-01-01”：出生日期与身份证号码不符",
        "persons.csv 第5行【性别】", "性别与身份证号码不符",
        "persons.csv 第6行【户籍所在区】“火星区”：不是允许的取值",
        "persons.csv 第7行【户籍所在街镇】“堡镇”：街镇不属于该区",
        "persons.csv 第8行【原农业户籍】“也许”", "persons.csv 第9行【姓名】（空）：必填项为空",
        "persons.csv 第10行【身份证号码】", "重复：与persons.csv 第11行的身份证号码相同",
        "persons.csv 第12行【身份证号码】", "身份证号码应为18位",
        "employers.csv 第2行【统一社会信用代码】", "校验位错误（GB 32100",
        "employers.csv 第3行【单位类型】“外企”：不是允许的取值",
        "contracts.csv 第2行【合同终止日期】“2023-01-01”：合同终止日期早于合同开始日期",
        "contracts.csv 第3行【身份证号码】", "引用的人员不存在",
        "contracts.csv 第4行【用人单位统一社会信用代码】", "引用的用人单位不存在",
    ]  # fmt: skip
    for text in expected:
        assert text in err, text
    assert count(migrated_db_url, "persons") == 0 and count(migrated_db_url, "employers") == 0


def test_idempotent_and_changes_are_logged(migrated_db_url: str, tmp_path: Path) -> None:
    rows = [person(i) for i in range(6)]
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, rows)
    assert run(migrated_db_url, path) == 0
    before = snapshot(migrated_db_url)
    assert run(migrated_db_url, path) == 0
    assert snapshot(migrated_db_url) == before  # nothing touched, not even updated_at
    assert count(migrated_db_url, "change_log") == 0

    rows[2][1] = "新名字"
    rows[2][6] = "是"
    rows[4][5] = "亭林镇"
    assert run(migrated_db_url, write_csv(tmp_path / "p.csv", PERSON_HEADER, rows)) == 0
    log = sorted(
        query(
            migrated_db_url, "SELECT table_name, row_key, column_name, old_value, new_value FROM change_log"
        )
    )
    assert log == sorted([
        ("persons", rows[2][0], "name", "人员2", "新名字"),
        ("persons", rows[2][0], "hukou_agricultural", "否", "是"),
        ("persons", rows[4][0], "hukou_town", "朱泾镇", "亭林镇"),
    ])  # fmt: skip
    assert query(migrated_db_url, f"SELECT name FROM persons WHERE id_number = '{rows[2][0]}'") == [
        ("新名字",)
    ]
    changed_by = query(
        migrated_db_url, f"SELECT created_by, updated_by FROM persons WHERE id_number = '{rows[2][0]}'"
    )
    assert changed_by[0][0] != changed_by[0][1]
    assert count(migrated_db_url, "persons") == 6


def test_references_against_the_database(migrated_db_url: str, tmp_path: Path) -> None:
    assert (
        run(
            migrated_db_url, write_csv(tmp_path / "persons.csv", PERSON_HEADER, [person(i) for i in range(3)])
        )
        == 0
    )
    assert run(migrated_db_url, write_csv(tmp_path / "employers.csv", EMPLOYER_HEADER, [employer(0)])) == 0
    contracts = write_csv(
        tmp_path / "contracts.csv",
        CONTRACT_HEADER,
        [[person(i)[0], employer(0)[0], "2024-01-01", "", "是"] for i in range(3)],
    )
    assert run(migrated_db_url, contracts) == 0
    assert count(migrated_db_url, "contracts") == 3
    # A contract's end date changes: the row is updated, keyed by (person, employer, start).
    rows = [
        [person(i)[0], employer(0)[0], "2024-01-01", "2024-06-30" if i == 1 else "", "是"] for i in range(3)
    ]
    assert run(migrated_db_url, write_csv(tmp_path / "contracts.csv", CONTRACT_HEADER, rows)) == 0
    assert count(migrated_db_url, "contracts") == 3
    assert query(migrated_db_url, "SELECT row_key, column_name, old_value, new_value FROM change_log") == [
        (f"{person(1)[0]}|{employer(0)[0]}|2024-01-01", "end", None, "2024-06-30")
    ]


def test_skip_invalid_cascades_to_rows_referencing_a_rejected_row(
    migrated_db_url: str, tmp_path: Path
) -> None:
    people = [person(i) for i in range(3)]
    people[1][2] = "1900-13-01"
    persons = write_csv(tmp_path / "persons.csv", PERSON_HEADER, people)
    employers = write_csv(tmp_path / "employers.csv", EMPLOYER_HEADER, [employer(0)])
    contracts = write_csv(
        tmp_path / "contracts.csv",
        CONTRACT_HEADER,
        [[p[0], employer(0)[0], "2024-01-01", "", "是"] for p in people],
    )
    assert run(migrated_db_url, persons, employers, contracts, "--skip-invalid") == 0
    assert count(migrated_db_url, "persons") == 2 and count(migrated_db_url, "contracts") == 2
    rejected = (tmp_path / "contracts.rejected.csv").read_text(encoding="utf-8-sig")
    assert "引用的人员在本次导入中被拒绝" in rejected


def test_case_json_import(migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = make_id_number("310116", dt.date(1995, 4, 1), 3, "male")
    credit = make_credit_code("310116", 42)
    case = {
        "evaluate": {"from": "2024-01", "to": "2024-12"},
        "persons": [{
            "id": "p1", "id_number": pid, "birth_date": "1995-04-01", "gender": "male",
            "hukou": {"district": "jinshan", "agricultural": False},
            "education": [{"level": "bachelor", "full_time": True, "graduation_date": "2023-06-30"}],
            "contracts": [{"employer": credit, "start": "2023-07-01", "end": None, "registered": True}],
            "social_insurance": [{"month": "2023-07", "scheme": "urban_employee", "employer": credit,
                                  "base": 7310.5, "paid": True}],
        }],
        "employers": [{"id": credit, "name": "某某制造有限公司", "type": "enterprise", "district": "jinshan",
                       "size": "small", "state_owned": False}],
        "organizations": [{"id": "o1", "kind": "internship_base", "district": "jinshan"}],
    }  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    assert run(migrated_db_url, path) == 0
    assert query(migrated_db_url, "SELECT id_number, name, hukou_district FROM persons") == [
        (pid, "p1", "jinshan")
    ]
    assert query(migrated_db_url, "SELECT org_id, name FROM organizations") == [("o1", "o1")]
    assert query(migrated_db_url, "SELECT base_fen FROM social_insurance") == [(731050,)]
    assert count(migrated_db_url, "contracts") == 1 and count(migrated_db_url, "education") == 1
    before = snapshot(migrated_db_url)
    assert run(migrated_db_url, path) == 0
    assert snapshot(migrated_db_url) == before

    # Keys a registry needs and the case lacks are reported, not invented.
    case["employers"][0]["id"] = "e1"  # type: ignore[index]
    case["persons"][0]["contracts"][0]["employer"] = "e1"  # type: ignore[index]
    case["persons"][0]["social_insurance"][0]["employer"] = "e1"  # type: ignore[index]
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert run(migrated_db_url, path) == 2
    assert "统一社会信用代码应为18位" in capsys.readouterr().err
    # An invalid case is reported with its JSON paths.
    path.write_text('{"persons": [{"id": "p1"}]}', encoding="utf-8")
    assert run(migrated_db_url, path) == 2
    assert "persons[0].birth_date" in capsys.readouterr().err


def test_user_errors(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jiuye import db

    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, [person(0)])
    assert run(db_url, tmp_path / "nope.csv") == 2
    assert "文件不存在" in capsys.readouterr().err
    assert run(db_url, path) == 3  # not migrated
    assert "jiuye db upgrade" in capsys.readouterr().err
    db.upgrade(db_url)
    (tmp_path / "empty.csv").write_bytes(b"")
    assert run(db_url, tmp_path / "empty.csv") == 2
    assert "文件是空的" in capsys.readouterr().err
    (tmp_path / "x.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    assert run(db_url, tmp_path / "x.csv") == 2
    assert "无法识别的表头" in capsys.readouterr().err
    (tmp_path / "h.csv").write_text(",".join(PERSON_HEADER) + "\n", encoding="utf-8")
    assert run(db_url, tmp_path / "h.csv") == 2
    assert "没有数据行" in capsys.readouterr().err
    assert count(db_url, "persons") == 0


def test_templates_round_trip(migrated_db_url: str, tmp_path: Path) -> None:
    assert main(["import", "--template", str(tmp_path / "t")]) == 0
    persons_csv = (tmp_path / "t" / "persons.csv").read_bytes().decode("utf-8-sig").strip()
    assert persons_csv.startswith("身份证号码,姓名,出生日期,性别")
    filled = tmp_path / "t" / "persons.csv"
    header = persons_csv.split(",")
    row = dict(zip(PERSON_HEADER, person(0), strict=True))
    filled.write_text(
        ",".join(header) + "\n" + ",".join(row.get(h, "") for h in header) + "\n", encoding="utf-8-sig"
    )
    assert run(migrated_db_url, filled) == 0
    assert count(migrated_db_url, "persons") == 1

    from openpyxl import load_workbook

    book_path = tmp_path / "t" / "导入模板.xlsx"
    book = load_workbook(book_path)
    ws = book["人员"]
    headers = [c.value for c in ws[1]]
    row2 = dict(zip(PERSON_HEADER, person(1), strict=True))
    ws.append([row2.get(str(h)) for h in headers])
    book.save(book_path)
    assert run(migrated_db_url, book_path) == 0  # the guide sheet and empty sheets are skipped
    assert count(migrated_db_url, "persons") == 2
