"""From the registry through the commands: match → approve → pay → reverse → audit verify → export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from jiuye.cli import main
from jiuye.db import get_engine
from jiuye.ledger.models import entitlements, payments
from jiuye.registry.store import insert_frame, polars_schema
from jiuye.rules.identifiers import make_id_number

PEOPLE = [make_id_number("310116", dt.date(1993, 5, 1), i, "male") for i in range(4)]


def populate(url: str) -> None:
    def frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
        types = polars_schema(table)
        return pl.DataFrame([{c: r.get(c) for c in types} for r in rows], schema=types, orient="row")

    months = [dt.date(2023, m, 1) for m in range(1, 13)] + [dt.date(2024, m, 1) for m in range(1, 4)]
    tables = {
        "persons": [{"id_number": p, "name": f"测试{i}", "birth_date": dt.date(1993, 5, 1), "gender": "male",
                     "hukou_district": "jinshan", "hukou_agricultural": False, "bank_account": f"62220000{i:04d}"}
                    for i, p in enumerate(PEOPLE)],
        "unemployment_registrations": [{"person": p, "start": dt.date(2022, 1, 5), "end": dt.date(2023, 1, 9)}
                                       for p in PEOPLE],
        "flexible_employment": [{"person": p, "registered_on": dt.date(2023, 1, 10)} for p in PEOPLE],
        "social_insurance": [{"person": p, "month": m, "scheme": "flexible", "base_fen": 731_000, "paid": True}
                             for p in PEOPLE for m in months],
    }  # fmt: skip
    with get_engine(url).begin() as conn:
        for name, rows in tables.items():
            insert_frame(conn, name, frame(name, rows), "test")


def run(url: str, *args: str) -> int:
    return main([*args, "--db", url])


def test_match_approve_pay_verify(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_db_url
    assert run(url, "pay", "--month", "2023-03") == 6  # nothing approved yet
    populate(url)
    assert run(url, "match", "--from", "2023-03", "--to", "2023-03", "--chunk-size", "3") == 0
    with get_engine(url).connect() as c:
        n = c.execute(sa.select(sa.func.count()).select_from(entitlements)).scalar_one()
    assert n == 4 * 3  # January and February are arrears, stored too
    assert run(url, "match", "--from", "2023-03", "--to", "2023-03") == 0
    assert "新发现 0 条，变更 0 条，撤销 0 条" in capsys.readouterr().out
    assert run(url, "settings", "auto", "JS-02", "off", "--by", "局长") == 0
    assert run(url, "approve", "--month", "2023-03", "--policy", "JS-02") == 5
    assert run(url, "settings", "auto", "JS-02", "on", "--by", "局长") == 0
    assert run(url, "approve", "--month", "2023-03", "--by", "科员") == 0
    assert run(url, "pay", "--month", "2023-03", "--out", str(tmp_path / "pay")) == 0
    out = capsys.readouterr().out
    assert "12 笔，合计 12000.00 元" in out
    text = next((tmp_path / "pay").glob("*.csv")).read_text(encoding="utf-8-sig")
    assert "测试0" in text and "310116********" in text and "622200000000" in text
    with get_engine(url).connect() as c:
        pid = c.execute(sa.select(sa.func.min(payments.c.id))).scalar_one()
    assert run(url, "reverse", str(pid), "--reason", "追回测试") == 0
    assert run(url, "reverse", "99999", "--reason", "不存在") == 4
    assert run(url, "review", "99999", "approve", "--reason", "不存在") == 4
    assert run(url, "entitlement", "1") == 0
    assert '"eligible": true' in capsys.readouterr().out
    assert run(url, "entitlement", "99999") == 4
    assert run(url, "audit", "verify") == 0
    assert "审计链完整" in capsys.readouterr().out
    for table in ("entitlements", "payments", "audit_events"):
        target = tmp_path / f"{table}.csv"
        assert run(url, "export", table, "--format", "csv", "--out", str(target)) == 0
        assert target.read_text(encoding="utf-8-sig").count("\n") > 1
    assert "310116********" in (tmp_path / "entitlements.csv").read_text(encoding="utf-8-sig")


def test_not_migrated(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["match", "--from", "2023-01", "--to", "2023-03"], ["pay", "--month", "2023-03"], ["audit", "verify"],
                 ["approve", "--month", "2023-03"]):  # fmt: skip
        assert run(db_url, *args) != 0
    assert "jiuye db upgrade" in capsys.readouterr().err
