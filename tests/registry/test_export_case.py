from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from jiuye import db
from jiuye.cli import main
from jiuye.registry.facts import load_facts
from jiuye.rules.case import load_case_text

from .sample_data import P1, P2, P3, populate

rules = pytest.importorskip("jiuye.rules")
if not hasattr(rules, "evaluate_facts"):  # pragma: no cover - only while the engine is being written
    pytest.skip("jiuye.rules.evaluate_facts does not exist yet", allow_module_level=True)


@pytest.fixture
def sample_url(migrated_db_url: str) -> str:
    with db.get_engine(migrated_db_url).begin() as conn:
        populate(conn)
    return migrated_db_url


@pytest.mark.parametrize("person", [P1, P2, P3])
def test_exported_case_evaluates_like_the_database(sample_url: str, tmp_path: Path, person: str) -> None:
    out = tmp_path / "case.json"
    argv = ["export-case", "--person", person, "--from", "2023-01", "--to", "2024-12", "--out", str(out),
            "--unmasked", "--reason", "核对测算结果"]  # fmt: skip
    assert main([*argv, "--db", sample_url]) == 0
    case = load_case_text(out.read_text(encoding="utf-8"))  # exact money: JSON numbers as Decimal
    assert [p["id"] for p in case["persons"]] == [person]
    assert case["evaluate"] == {"from": "2023-01", "to": "2024-12"}

    from_case = rules.evaluate(case, explain=False)
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, persons=[person])
    from_db = rules.evaluate_facts(facts, dt.date(2023, 1, 1), dt.date(2024, 12, 1))
    key = ["policy", "beneficiary", "subject", "month"]
    assert_frame_equal(from_case.entitlements.sort(key), from_db.entitlements.sort(key))
    assert from_case.to_json()["entitlements"] == from_db.to_json()["entitlements"]
    assert from_case.to_json().get("findings") == from_db.to_json().get("findings")


def test_exported_case_is_accepted_by_jiuye_evaluate(
    sample_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "case.json"
    assert main(["export-case", "--person", P1, "--to", "2024-06", "--out", str(out), "--db", sample_url]) == 0
    case = json.loads(out.read_text(encoding="utf-8"))
    assert P1 not in out.read_text(encoding="utf-8")  # masked by default: no id_number, the id masked
    assert [p["id"] for p in case["persons"]] == [P1[:6] + "********" + P1[-4:]]
    assert "id_number" not in case["persons"][0]
    assert case["evaluate"] == {"from": "2023-07", "to": "2024-06"}
    ids = {e["id"] for e in case["employers"]} | {o["id"] for o in case["organizations"]}
    assert ids == {c["employer"] for c in case["persons"][0]["contracts"]} | {"o2", "o4"}
    capsys.readouterr()
    assert main(["evaluate", str(out)]) == 0
    assert "entitlements" in json.loads(capsys.readouterr().out)


def test_export_case_errors(sample_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-case", "--person", "123", "--db", sample_url]) == 2
    assert "身份证号码" in capsys.readouterr().err
    unknown = "110101199001011237"
    assert main(["export-case", "--person", unknown, "--db", sample_url]) == 2
    assert "没有身份证号码为" in capsys.readouterr().err
    assert main(["export-case", "--person", P1, "--from", "2024-13", "--db", sample_url]) == 2
    assert main(["export-case", "--person", P1, "--from", "2024-05", "--to", "2024-01", "--db", sample_url]) == 2
