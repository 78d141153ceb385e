"""No full ID number or bank account of a person leaves the system unless someone asked for it with a
reason (issue 10): every default export, every command's output and every log line (stderr, the audit
log) on the demo district is scanned, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye.cli import main
from jiuye.db import get_engine, load_models
from jiuye.registry import schema

FROM, TO = "2025-01", "2026-10"


def _secrets(url: str) -> tuple[set[str], set[str]]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT id_number, bank_account FROM persons")).all()
    ids = {r[0] for r in rows}
    accounts = {r[1] for r in rows if r[1]}
    return ids, accounts


_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")


def leaks(text: str, ids: set[str], accounts: set[str], *, accounts_allowed: bool = False) -> list[str]:
    found = [m for m in _ID.findall(text) if m.upper() in ids]
    if not accounts_allowed:
        found += [m for m in _DIGITS.findall(text) if m in accounts]
    return found


def test_nothing_personal_leaks_by_default(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_db_url
    outputs: dict[str, str] = {}

    def run(*argv: str) -> int:
        code = main([*argv, "--db", url])
        out, err = capsys.readouterr()
        outputs[" ".join(argv)] = out + err
        return code

    assert run("demo-data", "--persons", "1500", "--reference-month", "2026-11") == 0
    ids, accounts = _secrets(url)
    assert ids and accounts
    some_person = sorted(ids)[0]
    assert run("tables") == 0
    assert run("match", "--from", FROM, "--to", TO) == 0
    assert run("approve", "--month", TO) == 0
    assert run("pay", "--month", TO, "--out", str(tmp_path / "pay")) == 0
    with get_engine(url).begin() as conn:  # three paid people share one account: a flag names them
        pair = [r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT e.beneficiary FROM entitlements e JOIN payments p ON p.entitlement_id = e.id "
            "JOIN persons s ON s.id_number = e.beneficiary ORDER BY e.beneficiary LIMIT 3"))]  # fmt: skip
        assert len(pair) == 3
        conn.execute(sa.text("UPDATE persons SET bank_account = '6222020000001234567', phone = '15912346236' "
                             "WHERE id_number IN (:a, :b, :c)"), dict(zip("abc", pair, strict=True)))  # fmt: skip
    ids, accounts = _secrets(url)
    assert run("supervise", "--as-of", TO) == 0
    assert run("flag", "1", "confirmed", "--reason", "核实") == 0
    assert run("entitlement", "1") == 0
    assert run("review", "1", "approve", "--reason", "核实") in (0, 5)
    assert run("export-case", "--person", some_person, "--out", str(tmp_path / "case.json")) == 0
    assert run("import", str(tmp_path / "missing.csv")) == 2
    assert run("audit", "verify") == 0
    load_models()
    exports = tmp_path / "exports"
    exports.mkdir()
    for table in schema.TABLES:
        assert run("export", table, "--format", "csv", "--out", str(exports / f"{table}.csv")) == 0, table
    problems = []
    for command, text in outputs.items():
        problems += [f"{command}: {hit}" for hit in leaks(text, ids, accounts)]
    for path in [*sorted(exports.glob("*.csv")), tmp_path / "case.json"]:
        problems += [f"{path.name}: {hit}" for hit in leaks(path.read_text(encoding="utf-8-sig"), ids, accounts)]
    payment_files = sorted((tmp_path / "pay").glob("*.csv"))
    assert payment_files
    for path in payment_files:  # the bank needs the account; everything else is masked
        text = path.read_text(encoding="utf-8-sig")
        problems += [f"{path.name}: {hit}" for hit in leaks(text, ids, accounts, accounts_allowed=True)]
        assert any(a in text for a in accounts), "payment files keep the full bank account"
    assert sorted({p.split(": ")[0] for p in problems}) == [], problems[:5]
    # asked for, with a reason: in full, and recorded
    full = tmp_path / "full.csv"
    assert run("export", "persons", "--format", "csv", "--out", str(full), "--unmasked", "--by", "张科长",
               "--reason", "银行核对账户") == 0  # fmt: skip
    assert leaks(full.read_text(encoding="utf-8-sig"), ids, accounts)
    with get_engine(url).connect() as conn:
        event = conn.execute(sa.text(
            "SELECT actor, action, entity, reason, payload, at FROM audit_events ORDER BY seq DESC LIMIT 1"
        )).one()  # fmt: skip
    assert event[:4] == ("张科长", "export_unmasked", "persons", "银行核对账户")
    payload = event[4] if isinstance(event[4], dict) else __import__("json").loads(event[4])
    assert payload["rows"] == len(ids) and payload["file"] == str(full) and event[5] is not None
    assert run("export", "persons", "--format", "csv", "--out", str(full), "--unmasked") == 2
    assert "必须用 --reason 写明用途" in outputs["export persons --format csv --out " + str(full) + " --unmasked"]
