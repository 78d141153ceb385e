"""Every command against a table of bad arguments and bad environments (issue 10): the exit status is
neither 0 nor 1 (1 is what a Python traceback exits with), no "Traceback" is printed, every message is
Chinese, and the database is unchanged.  On SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import hashlib
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye.cli import build_parser, main
from jiuye.db import get_engine, load_models
from tests.matching.test_cli_flow import populate

M = "2023-03"


def leaf_commands() -> set[str]:
    """Every runnable command, sub-commands included (``audit verify``, ``settings auto`` …)."""
    found: set[str] = set()

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.add(prefix.strip())
        for action in subs:
            for name, child in action.choices.items():
                walk(child, f"{prefix} {name}")

    walk(build_parser(), "")
    return found


def bad_arguments(tmp: Path) -> dict[str, list[list[str]]]:
    """Per command, argument lists that must each be refused with a Chinese message."""
    a_file = tmp / "a-file.txt"
    a_file.write_text("x")
    return {
        "evaluate": [["evaluate", str(tmp / "missing.json")], ["evaluate", str(tmp)],
                     ["evaluate", str(a_file)], ["evaluate", str(a_file), "--indent", "-1"],
                     ["evaluate", str(a_file), "--indent", "²"]],
        "policies": [["policies", "--bogus"]],
        "db upgrade": [["db", "upgrade", "extra"]],
        "db status": [["db", "status", "extra"]],
        "tables": [["tables", "extra"]],
        "export": [["export", "no_such_table", "--out", str(tmp / "x.csv")],
                   ["export", "persons", "--out", "/proc/x/persons.csv", "--format", "csv"],
                   ["export", "persons", "--out", str(a_file / "x.csv"), "--format", "csv"],
                   ["export", "persons", "--out", str(tmp / "x.csv"), "--district", "火星"]],
        "export-case": [["export-case", "--person", "12345"], ["export-case", "--person", "310116199001011234"],
                        ["export-case", "--person", "x", "--from", "2024-13"]],
        "import": [["import", str(tmp / "missing.csv")], ["import", str(a_file), "--table", "no_such"],
                   ["import"]],
        "demo-data": [["demo-data", "--persons", "0"], ["demo-data", "--persons", "99999999999999"],
                      ["demo-data", "--persons", "²"], ["demo-data", "--reference-month", "abc"],
                      ["demo-data", "--district", "mars"]],
        "supervise": [["supervise", "--as-of", "garbage"], ["supervise", "--check", "no_such_check"]],
        "flag": [["flag", "999999", "confirmed", "--reason", "x"], ["flag", "abc", "confirmed", "--reason", "x"],
                 ["flag", "1", "maybe", "--reason", "x"]],
        "match": [["match", "--from", M, "--to", M, "--chunk-size", "0"],
                  ["match", "--from", M, "--to", M, "--chunk-size", "-5"],
                  ["match", "--from", M, "--to", M, "--chunk-size", "²"],
                  ["match", "--from", M, "--to", M, "--chunk-size", "9" * 5000],
                  ["match", "--from", "2024-13", "--to", M], ["match", "--from", "2024-03", "--to", "2024-01"],
                  ["match", "--from", M, "--to", M, "--policy", "JS-99"]],
        "approve": [["approve", "--month", "March"], ["approve", "--month", M, "--policy", "JS-99"]],
        "review": [["review", "999999", "approve", "--reason", "x"], ["review", "abc", "approve", "--reason", "x"],
                   ["review", "1", "maybe", "--reason", "x"]],
        "entitlement": [["entitlement", "999999"], ["entitlement", "abc"]],
        "settings auto": [["settings", "auto", "JS-99", "on"], ["settings", "auto", "JS-02"],
                          ["settings", "auto", "JS-02", "maybe"]],
        "settings confirm": [["settings", "confirm", "JS-99", "on"], ["settings", "confirm", "JS-02"],
                             ["settings", "confirm", "JS-02", "maybe"]],
        "pay": [["pay", "--month", M, "--out", str(a_file)], ["pay", "--month", M, "--out", "/proc/x"],
                ["pay", "--month", "2023-3x"]],
        "reverse": [["reverse", "999999", "--reason", "x"], ["reverse", "abc", "--reason", "x"]],
        "return": [["return", "999999", "--reason", "x"], ["return", "abc", "--reason", "x"], ["return", "1"]],
        "audit verify": [["audit", "verify", "extra"]],
        "settings district": [["settings", "district", "mars"]],
        # accounts create / password ask for a password on the terminal: only refusals before the prompt
        "accounts create": [["accounts", "create", "u1", "--role", "x"]],
        "accounts password": [["accounts", "password"]],
        "accounts enable": [["accounts", "enable", "no_such_user"]],
        "accounts disable": [["accounts", "disable", "no_such_user"]],
        "accounts demo": [["accounts", "demo", "extra"]],
        "accounts list": [["accounts", "list", "extra"]],
        "serve": [["serve", "--port", "abc"], ["serve", "--port", "99999999"], ["serve", "--port", "²"]],
    }  # fmt: skip


def fingerprint(url: str) -> str:
    """Every row of every table, hashed: the database's content."""
    h = hashlib.sha256()
    metadata = load_models()
    with get_engine(url).connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        for table in sorted(metadata.sorted_tables, key=lambda t: t.name):
            if table.name not in names:
                continue
            rows = conn.execute(sa.select(table)).all()
            h.update(table.name.encode())
            h.update(repr(sorted(map(repr, rows))).encode())
    return h.hexdigest()


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code not in (0, 1), (argv, code, out, err)
    assert "Traceback" not in out + err, argv
    assert re.search(r"[\u4e00-\u9fff]", err or out), (argv, err)  # `db status` reports on stdout
    assert "内部出错" not in err, (argv, err)  # refused as input, not failed inside (a port of 99999999)
    assert not re.search(r"应为 _", err), (argv, err)  # argparse names a type function: "（应为 _chunk_size）"


@pytest.fixture
def ready(migrated_db_url: str) -> str:
    populate(migrated_db_url)
    assert main(["match", "--from", M, "--to", M, "--db", migrated_db_url]) == 0
    assert main(["approve", "--month", M, "--db", migrated_db_url]) == 0
    return migrated_db_url


def test_every_command_refuses_bad_arguments_without_changing_the_database(
    ready: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = bad_arguments(tmp_path)
    assert set(table) == leaf_commands(), "every command needs rows in the table of bad arguments"
    before = fingerprint(ready)
    capsys.readouterr()
    for command, cases in table.items():
        for argv in cases:
            needs_db = command not in ("evaluate", "policies")
            refused(capsys, [*argv, "--db", ready] if needs_db and "extra" not in argv else argv)
    assert fingerprint(ready) == before


BAD_ENVIRONMENTS = {
    "garbage": "garbage",
    "unsupported scheme": "mysql://user@host/db",
    "unsupported driver": "postgresql+asyncpg://user@host/db",
    "unreachable server": "postgresql://nobody@127.0.0.1:1/none",
}


@pytest.mark.parametrize("environment", [*BAD_ENVIRONMENTS, "not a SQLite file", "missing file"])
def test_every_database_command_refuses_a_bad_database_address(
    environment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if environment == "not a SQLite file":
        target = tmp_path / "notes.db"
        target.write_text("这不是数据库\n")
        url = f"sqlite:///{target}"
    elif environment == "missing file":
        target = tmp_path / "missing.db"
        url = f"sqlite:///{target}"
    else:
        url = BAD_ENVIRONMENTS[environment]
    monkeypatch.setenv("JIUYE_DATABASE_URL", url)
    table = bad_arguments(tmp_path)
    good = {  # a valid invocation of each database command: only the database is wrong
        "tables": ["tables"], "export": ["export", "persons", "--out", str(tmp_path / "p.csv")],
        "export-case": ["export-case", "--person", "310116199305010019"], "import": ["import", str(tmp_path / "a-file.txt")],
        "supervise": ["supervise"], "flag": ["flag", "1", "confirmed", "--reason", "x"],
        "match": ["match", "--from", M, "--to", M], "approve": ["approve", "--month", M],
        "review": ["review", "1", "approve", "--reason", "x"], "entitlement": ["entitlement", "1"],
        "settings auto": ["settings", "auto"], "settings confirm": ["settings", "confirm"], "pay": ["pay", "--month", M, "--out", str(tmp_path / "pay")],
        "reverse": ["reverse", "1", "--reason", "x"], "return": ["return", "1", "--reason", "x"], "audit verify": ["audit", "verify"], "db status": ["db", "status"],
        "db upgrade": ["db", "upgrade"], "demo-data": ["demo-data", "--persons", "20"],
        "settings district": ["settings", "district"], "accounts enable": ["accounts", "enable", "u1"],
        "accounts disable": ["accounts", "disable", "u1"], "accounts list": ["accounts", "list"],
        "accounts demo": ["accounts", "demo", "--out", str(tmp_path / "accounts.txt")],
        "serve": ["serve", "--port", "1"],  # refused before it would listen
    }  # fmt: skip
    interactive = {"accounts create", "accounts password"}  # they prompt for a password first
    assert set(good) | {"evaluate", "policies"} | interactive == set(table)
    for command, argv in good.items():
        if environment == "missing file" and command in ("db upgrade", "demo-data"):
            continue  # creating the database file is what these are for
        refused(capsys, argv)
    if environment in ("not a SQLite file",):
        assert target.read_text() == "这不是数据库\n"
    if environment == "missing file":
        assert not target.exists()
    assert not os.environ.get("JIUYE_DEBUG")
