"""Every importable table: import → export → import into an empty database → export gives identical files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jiuye.cli import main
from jiuye.registry.importing.validate import importable_tables
from jiuye.registry.schema import TABLES
from jiuye.rules.identifiers import make_credit_code, make_id_number

from .test_import import count, write_csv


def _rows() -> dict[str, list[dict[str, str]]]:
    """A little of everything, by logical column name (cells as a user would type them)."""
    people = [
        make_id_number("310116", dt.date(1980, 1, 1) + dt.timedelta(days=400 * i), i, "male" if i % 2 else "female")
        for i in range(6)
    ]
    firms = [make_credit_code("310116", 500 + i) for i in range(3)]
    return {
        "villages": [{"district": "金山区", "town": "朱泾镇", "name": "待泾村", "kind": "村委会"}],
        "persons": [
            {
                "id_number": p, "name": f"测试{i}", "birth_date": f"{p[6:10]}-{p[10:12]}-{p[12:14]}",
                "gender": "男" if i % 2 else "女", "hukou_district": "金山区" if i < 4 else "",
                "hukou_town": "朱泾镇" if i < 2 else "", "hukou_agricultural": "是" if i == 1 else "否",
                "origin_district": "崇明区" if i == 2 else "", "phone": "13800000000" if i == 0 else "",
                "address": "金山区朱泾镇某路1号,2室" if i == 0 else "", "died_on": "2025-01-31" if i == 5 else "",
            }
            for i, p in enumerate(people)
        ],
        "employers": [
            {"credit_code": c, "name": f"公司{i}", "type": "企业" if i else "社工机构", "district": "金山区",
             "town": "亭林镇", "size": "小型", "state_owned": "否", "industry": "制造业"}
            for i, c in enumerate(firms)
        ],
        "organizations": [
            {"org_id": "JS-O1", "name": "见习基地甲", "kind": "见习基地", "district": "金山区"},
            {"org_id": "JS-O2", "name": "培训学校乙", "kind": "培训机构", "district": "金山区", "town": "枫泾镇"},
            {"org_id": "JS-O3", "name": "人力资源丙", "kind": "人力资源服务机构", "district": "金山区",
             "quality_certified": "是", "credit_code": firms[2]},
            {"org_id": "JS-O4", "name": "孵化基地丁", "kind": "创业孵化基地", "district": "金山区"},
            {"org_id": "JS-O5", "name": "项目戊", "kind": "创业项目", "district": "金山区"},
        ],
        "education": [{"person": people[0], "level": "本科", "full_time": "是", "graduation_date": "2003-06-30",
                       "school_district": "松江区", "school": "某大学"}],
        "statuses": [{"person": people[1], "kind": "就业困难人员", "start": "2022-01-01", "end": ""}],
        "unemployment_registrations": [{"person": people[2], "start": "2023-01-05", "end": "2023-09-30"}],
        "flexible_employment": [{"person": people[3], "registered_on": "2023-08-01", "ended_on": ""}],
        "contracts": [
            {"person": people[i], "employer": firms[i % 3], "start": "2023-07-01", "end": "" if i else "2024-06-30",
             "registered": "是", "referred_by": "JS-O3" if i == 1 else ""}
            for i in range(4)
        ],
        "social_insurance": [
            {"person": people[i], "month": f"2024-{m:02d}", "employer": firms[i % 3] if i < 3 else "",
             "scheme": "城镇职工" if i < 3 else "灵活就业", "base_fen": "7310.50" if m % 2 else "7310", "paid": "是"}
            for i in range(4) for m in range(1, 4)
        ],
        "internships": [{"person": people[4], "base": "JS-O1", "start": "2024-03-01", "end": "2024-08-31",
                         "contract_signed_on": "2024-09-01"}],
        "certificates": [{"person": people[0], "level": "技师", "obtained_on": "2024-05-20",
                          "training_institution": "JS-O2", "occupation": "电工"}],
        "skill_evaluations": [{"person": people[0], "level": "高级工", "date": "2023-04-10", "fee_fen": "400"}],
        "org_evaluations": [{"org": "JS-O4", "year": "2023", "grade": "A", "published_on": "2024-03-15"}],
        "org_city_subsidies": [{"org": "JS-O4", "year": "2023", "amount_fen": "40000", "granted_on": "2024-02-01"}],
        "org_events": [{"event_id": "EV1", "org": "JS-O4", "name": "创业大赛", "held_on": "2024-06-01",
                        "cost_fen": "120000.00"}],
        "org_awards": [{"event": "EV1", "place": "1", "winner": "JS-O5"}],
        "org_landings": [{"org": "JS-O5", "registered_on": "2023-03-01", "award_on": "2022-11-01",
                          "approved_amount_fen": "80000", "operating_normally": "是", "employs_jinshan_hukou": "否"}],
    }


def _write_inputs(directory: Path) -> list[Path]:
    directory.mkdir()
    paths = []
    for name, rows in _rows().items():
        table = TABLES[name]
        header = [c.header for c in table.columns]
        cells = [[_quote(r.get(c.name, "")) for c in table.columns] for r in rows]
        paths.append(write_csv(directory / f"{name}.csv", header, cells, encoding="gbk"))
    return paths


def _quote(text: str) -> str:
    return f'"{text}"' if "," in text else text


def _export_all(url: str, directory: Path) -> dict[str, bytes]:
    directory.mkdir()
    out = {}
    for name in importable_tables():
        path = directory / f"{name}.csv"
        assert main(["export", name, "--out", str(path), "--unmasked", "--reason", "测试", "--db", url]) == 0
        out[name] = path.read_bytes()
    return out


def test_every_table_round_trips(migrated_db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    assert set(_rows()) == set(importable_tables())  # the test covers every importable table
    inputs = _write_inputs(tmp_path / "in")
    assert main(["import", "--db", migrated_db_url, "-q", *map(str, inputs)]) == 0
    for name, rows in _rows().items():
        assert count(migrated_db_url, name) == len(rows), name
    first = _export_all(migrated_db_url, tmp_path / "out1")

    # A second, empty database of the same kind.
    from jiuye import db

    if migrated_db_url.startswith("sqlite"):
        other = f"sqlite:///{tmp_path}/other.db"
        db.upgrade(other)
        assert main(["import", "--db", other, "-q", *(str(tmp_path / "out1" / f"{n}.csv") for n in first)]) == 0
        second = _export_all(other, tmp_path / "out2")
        db.get_engine(other).dispose()
    else:
        # PostgreSQL: empty the schema's registry tables instead of creating a second schema.
        import sqlalchemy as sa

        with db.get_engine(migrated_db_url).begin() as conn:
            for name in reversed(list(importable_tables())):
                conn.execute(sa.text(f'DELETE FROM "{name}"'))
            conn.execute(sa.text("DELETE FROM change_log"))
        files = [str(tmp_path / "out1" / f"{n}.csv") for n in first]
        assert main(["import", "--db", migrated_db_url, "-q", *files]) == 0
        second = _export_all(migrated_db_url, tmp_path / "out2")
    for name in first:
        assert first[name] == second[name], name
    # and importing the export into the database it came from changes nothing
    assert count(migrated_db_url, "change_log") == 0
