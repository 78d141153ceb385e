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

import pytest

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


_PERSON_TABLES = ("contracts", "education", "internships", "certificates", "skill_evaluations", "statuses",
                  "flexible_employment", "social_insurance", "unemployment_registrations")  # fmt: skip


def _emptied(case: dict[str, Any], table: str) -> dict[str, Any]:
    """``case`` with one facts table without rows (a shape whose derivations skip their joins, issue 11)."""
    out = copy.deepcopy(case)
    if table in _PERSON_TABLES:
        for person in out["persons"]:
            person[table] = []
    else:  # an organisation's table: incubation evaluations, or the awards of competition events
        for org in out["organizations"]:
            if table == "awards":
                for event in org.get("events", []):
                    event["awards"] = []
            else:
                org.pop(table, None)
    return out


@pytest.mark.slow  # a fresh process per shape: seconds
def test_cases_with_a_table_without_rows_between_full_ones_equal_a_fresh_process() -> None:
    # derived.null_columns keeps a join's null columns across evaluations by a name: the case with all its
    # tables, then without one, then with it again, in one process, must each give what a fresh process gives —
    # a name keeping another shape's columns (or a frame kept from an earlier case) would show here
    full = _load(ALL)
    shapes = {table: _emptied(full, table) for table in (*_PERSON_TABLES, "evaluations", "awards")}
    fresh = {table: _fresh(case) for table, case in shapes.items()}
    whole = _fresh(full)
    assert all(text != whole for text in fresh.values()), "every emptied table must change the result"
    for table, case in shapes.items():
        assert _text(evaluate(full).to_json()) == whole, table
        assert _text(evaluate(case).to_json()) == fresh[table], table
    for table, case in reversed(shapes.items()):
        assert _text(evaluate(case).to_json()) == fresh[table], table
