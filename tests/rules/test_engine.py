"""Engine paths that must agree: shared derivations (large inputs) vs plain plans (small inputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiuye.rules import derived, evaluate
from jiuye.rules.case import load_case_text, parse_case

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "case-all-measures.json"


def test_shared_derivations_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    case = parse_case(load_case_text(EXAMPLE.read_text("utf-8")))
    plain = evaluate(case, explain=True).to_json()
    monkeypatch.setattr(derived, "_MEMO_MIN_ROWS", 0)  # what a million-person registry does
    shared = evaluate(case, explain=True).to_json()
    assert json.dumps(shared, default=str) == json.dumps(plain, default=str)
    assert "_derived" not in case.facts.__dict__  # the cache lives for one evaluation only


def test_example_case_covers_every_computable_measure() -> None:
    from jiuye.rules.catalog import all_measures

    result = evaluate(parse_case(load_case_text(EXAMPLE.read_text("utf-8"))), explain=False).to_json()
    policies = {line["policy"] for line in result["entitlements"]}
    expected = {m.id for m in all_measures() if m.computable and m.meta.kind != "rule"}
    assert expected <= policies, sorted(expected - policies)
    assert result["findings"] == [{"rule": "JS-05r", "subject": "o-incub-dd", "year": 2023, "kind": "title_revoked"}]
