"""Policy cases a policy officer can read: ``tests/rules/cases/<措施ID>/*.yaml``.

Each file holds a description (Chinese), the case (case-format JSON written as YAML) and the expected
entitlements (and findings).  The lines of the folder's measure (of every measure with
``all_policies: true``) must match exactly — order included — so a case checks both what is paid and
what is not.  ``explanations`` checks name conditions that must have failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from jiuye.rules import evaluate
from jiuye.rules.catalog import measure_ids
from jiuye.rules.jsonio import dumps

CASES = Path(__file__).parent / "cases"


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text("utf-8"))


def _json_roundtrip(data: Any) -> Any:
    """YAML gives floats for decimals; the case format wants exact numbers: go through their text."""
    import json
    from decimal import Decimal

    return json.loads(json.dumps(data, default=str), parse_float=Decimal)


def _normalise(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import json

    return json.loads(dumps(lines))


CASE_FILES = sorted(CASES.glob("*/*.yaml"))


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in CASE_FILES])
def test_policy_case(path: Path) -> None:
    spec = _load(path)
    assert spec.get("description"), "每个案例都要写明它检验的是什么"
    result = evaluate(_json_roundtrip(spec["case"]), explain=True).to_json()
    expected = spec["expected"]
    lines = result["entitlements"]
    if not spec.get("all_policies"):  # by default a case speaks about the measure of its folder only
        lines = [line for line in lines if line["policy"] == path.parent.name]
    assert _normalise(lines) == _normalise(expected.get("entitlements", [])), spec["description"]
    if "findings" in expected:
        assert result["findings"] == expected["findings"], spec["description"]
    _hints_only_on_declared_thresholds(result, spec["case"].get("parameters") or {})
    for check in spec.get("explanations", []):
        # e.g. {policy: JS-02, subject: p2, eligible: false, failed: ["连续失业时间超过6个月…"]}
        found = [e for e in result["explanations"]
                 if e["policy"] == check["policy"] and e["subject"] == check["subject"]]  # fmt: skip
        assert len(found) == 1, f"no explanation for {check}"
        assert found[0]["eligible"] == check["eligible"]
        failed = [c["text"] for c in found[0]["conditions"] if not c["met"]]
        for text in check.get("failed", []):
            assert any(text in f for f in failed), f"{text!r} not among failed conditions {failed}"


def _hints_only_on_declared_thresholds(result: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Issue 13: a hint ("what would change it") appears only on a failed condition that declares a threshold."""
    import datetime as dt

    from jiuye.rules.catalog import all_measures
    from jiuye.rules.engine import measure_parameters
    from jiuye.rules.measure import Context

    measures = {m.id: m for m in all_measures()}
    ctx = Context(dt.date(2023, 1, 1), dt.date(2023, 1, 1), dict(overrides))
    for explanation in result["explanations"]:
        hinted = [c for c in explanation["conditions"] if "hint" in c]
        if not hinted:
            continue
        measure = measures[explanation["policy"]]
        p = measure_parameters(measure, overrides)
        with_threshold = {c.text for c in measure.all_conditions(p, ctx) if c.threshold is not None}
        for c in hinted:
            assert not c["met"] and c["text"] in with_threshold, (explanation["policy"], c)


def test_every_computable_measure_has_cases() -> None:
    from jiuye.rules.catalog import all_measures

    missing = [m.id for m in all_measures() if m.computable and not list((CASES / m.id).glob("*.yaml"))]
    assert not missing, f"measures without policy cases: {missing}"


def test_case_folders_name_real_measures() -> None:
    unknown = {p.parent.name for p in CASE_FILES} - set(measure_ids())
    assert not unknown
