"""The engine keeps data-independent pieces between evaluations (conditions, explanation templates, condition
columns: issue 11 item 4) and plans shared derivations once per evaluation.  Whatever was evaluated before, in
this thread or another, a case's result must be what a fresh process gives."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jiuye.rules import evaluate

ROOT = Path(__file__).resolve().parents[2]
ONE = ROOT / "examples" / "case-one-person.json"
ALL = ROOT / "examples" / "case-all-measures.json"

FRESH = """
import json, sys
from jiuye.rules import evaluate
print(json.dumps(evaluate(json.loads(sys.stdin.read())).to_json(), default=str, ensure_ascii=False))
"""


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return case


def _variant(case: dict[str, Any], window: tuple[str, str], parameters: dict[str, Any]) -> dict[str, Any]:
    """The same facts under another evaluation window and other parameter overrides (other cache keys)."""
    out = copy.deepcopy(case)
    out["evaluate"] = {"from": window[0], "to": window[1]}
    out["parameters"] = {**out.get("parameters", {}), **parameters}
    return out


def _cases() -> dict[str, dict[str, Any]]:
    one, every = _load(ONE), _load(ALL)
    return {
        "one": one,
        "one, other window and amount": _variant(one, ("2023-01", "2023-09"), {"JS-02.max_age": 25}),
        "all measures": every,
        "all measures, other window and amounts": _variant(
            every, ("2023-04", "2024-03"), {"JS-02.min_unemployed_months": 9, "JS-02.monthly_amount": 900}
        ),
    }


def _text(result: dict[str, Any]) -> str:
    return json.dumps(result, default=str, ensure_ascii=False)


def _fresh(case: dict[str, Any]) -> str:
    """The case's result computed by a new Python process (nothing cached)."""
    done = subprocess.run([sys.executable, "-c", FRESH], input=json.dumps(case), capture_output=True, text=True,
                          check=True, cwd=ROOT)  # fmt: skip
    return done.stdout.strip()


def test_each_case_after_other_cases_windows_and_parameters_equals_a_fresh_process() -> None:
    cases = _cases()
    fresh = {name: _fresh(case) for name, case in cases.items()}
    assert len(set(fresh.values())) == len(fresh), "the variants must differ, or the test proves nothing"
    # every case after every other one, in both orders, so each evaluation follows a different case/window/parameters
    order = [*cases, *reversed(cases), *cases]
    for name in order:
        assert _text(evaluate(cases[name]).to_json()) == fresh[name], name


def test_two_threads_evaluating_different_cases_each_get_their_own_result() -> None:
    cases = _cases()
    names = ["one", "all measures, other window and amounts", "one, other window and amount", "all measures"]
    expected = {name: _text(evaluate(cases[name]).to_json()) for name in names}

    def run(name: str) -> list[str]:
        return [_text(evaluate(cases[name]).to_json()) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run, name) for name in names}
        for name, future in futures.items():
            assert future.result() == [expected[name]] * 4, name
