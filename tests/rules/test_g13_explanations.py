"""G13 (rev. 2) in explanations: a subject whose every line an end removed is not shown as eligible.

Before this, a person who died before JS-03a's 6th insured month (or a base deregistered before JS-05's grade)
was explained with every condition met and ``eligible: true``, and had no line: a resident saw "符合" and no
money, with no reason.  The explanation now carries one G13 condition wherever an end applies to the
subject's lines (``docs/case-format-extensions.md``); a case without any end fact is explained as before.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuye.rules import engine, evaluate
from jiuye.rules.measure import G13_CLAUSE, G13_TEXT
from tests.rules.strategies import cases

CASES = Path(__file__).parent / "cases"


def _case(path: str) -> dict[str, Any]:
    spec = yaml.safe_load((CASES / path).read_text("utf-8"))
    return json.loads(json.dumps(spec["case"], default=str), parse_float=Decimal)


def _explanation(case: dict[str, Any], policy: str, subject: str) -> dict[str, Any]:
    found = [e for e in evaluate(case, explain=True).to_json()["explanations"]
             if e["policy"] == policy and e["subject"] == subject]  # fmt: skip
    assert len(found) == 1
    return found[0]


def _g13(explanation: dict[str, Any]) -> dict[str, Any] | None:
    found = [c for c in explanation["conditions"] if c["text"] == G13_TEXT]
    assert len(found) <= 1
    return found[0] if found else None


def _lines(case: dict[str, Any], policy: str, subject: str) -> list[dict[str, Any]]:
    return [line for line in evaluate(case).to_json()["entitlements"]
            if line["policy"] == policy and line["subject"] == subject]  # fmt: skip


def _cut_by_an_end(case: dict[str, Any], policy: str, subject: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The explanation and its G13 condition of a subject an end left without any line: not eligible, failed."""
    assert _lines(case, policy, subject) == []
    explanation = _explanation(case, policy, subject)
    g13 = _g13(explanation)
    assert explanation["eligible"] is False
    assert g13 is not None and g13["met"] is False
    return explanation, g13


@pytest.mark.parametrize(
    ("path", "policy", "subject", "detail"),
    [
        # died 2024-11-30, 6th insured month 2024-12: the once-only line falls after the death
        ("JS-03a/g13-death-in-sixth-month.yaml", "JS-03a", "died-11-30", "2024-11 死亡"),
        # deregistered 2024-02-29, grade published 2024-03
        ("JS-05/deregistered-organisation.yaml", "JS-05", "gone-before", "2024-02 机构注销"),
        # a per-worker employer measure: the employer d1 (beneficiary) was deregistered before the worker's line
        ("CM-10d/g13-employer-deregistered.yaml", "CM-04a", "x", "2023-07 用人单位注销"),
    ],
)
def test_an_end_before_every_line_fails_the_g13_condition(path: str, policy: str, subject: str, detail: str) -> None:
    explanation, g13 = _cut_by_an_end(_case(path), policy, subject)
    assert g13["clause"] == G13_CLAUSE
    assert g13["detail"] == f"{detail}，此后月份不发放；符合条件的月份均在此后"
    # every other condition is met: the G13 condition is the only reason given
    assert all(c["met"] for c in explanation["conditions"] if c is not g13 and c["text"] != G13_TEXT)


def test_a_once_only_key_whose_first_occurrence_an_end_cut_is_not_eligible() -> None:
    """G4 with G13 (JS-12, once per worker whichever agency): the worker's first occurrence (2023-04, through a1,
    deregistered 2023-03) takes the slot and is not paid, and the later one through a2 (2023-05) does not take its
    place.  Nothing is paid, so the explanation is not eligible: it was, because the a2 line survives G13."""
    case = _case("JS-12/g13-first-occurrence-after-agency-deregistered.yaml")
    explanation, g13 = _cut_by_an_end(case, "JS-12", "w-first-ended")
    assert g13["detail"] == "2023-03 机构注销，此后月份不发放；符合条件的月份均在此后"
    assert all(c["met"] for c in explanation["conditions"] if c is not g13)
    control = _explanation(case, "JS-12", "w-control")  # a3 not deregistered: paid, no end to show
    assert _lines(case, "JS-12", "w-control") and control["eligible"] is True and _g13(control) is None
    # the later agency deregistered instead: the first occurrence (a1) is paid, and the end is shown as met
    for org in case["organizations"]:
        org["deregistered_on"] = "2023-03-15" if org["id"] == "a2" else None
    assert [line["beneficiary"] for line in _lines(case, "JS-12", "w-first-ended")] == ["a1"]
    explanation = _explanation(case, "JS-12", "w-first-ended")
    assert explanation["eligible"] is True and _g13(explanation) == {
        "text": G13_TEXT, "met": True, "detail": "2023-03 机构注销，此后月份不发放", "clause": G13_CLAUSE}


def test_hukou_moved_out_before_every_line_of_a_hukou_measure() -> None:
    case = _case("JS-02/g13-hukou-moved-out-month-counts.yaml")
    case["persons"][0]["hukou"]["moved_out_on"] = "2023-07-31"  # before the first line (2023-08)
    _, g13 = _cut_by_an_end(case, "JS-02", "moved-09-15")
    assert g13["detail"].startswith("2023-07 户籍迁出，此后月份不发放")


def test_hukou_move_out_does_not_apply_to_a_measure_without_hukou() -> None:
    """JS-13 does not require hukou in Jinshan: a move-out is no end for it, and no G13 condition is shown."""
    case = _case("JS-13/hukou-moved-out-not-a-hukou-measure.yaml")
    for explanation in evaluate(case, explain=True).to_json()["explanations"]:
        if explanation["policy"] == "JS-13":
            assert _g13(explanation) is None


@pytest.mark.parametrize(
    ("path", "policy", "subject", "detail"),
    [
        ("JS-03a/g13-death-in-sixth-month.yaml", "JS-03a", "died-12-20", "2024-12 死亡，此后月份不发放"),
        ("JS-05/deregistered-organisation.yaml", "JS-05", "gone-in-month", "2024-03 机构注销，此后月份不发放"),
        ("JS-02/g13-hukou-moved-out-month-counts.yaml", "JS-02", "moved-09-15", "2023-09 户籍迁出，此后月份不发放"),
    ],
)
def test_the_month_of_the_end_still_counts(path: str, policy: str, subject: str, detail: str) -> None:
    case = _case(path)
    assert _lines(case, policy, subject)
    explanation = _explanation(case, policy, subject)
    g13 = _g13(explanation)
    assert explanation["eligible"] is True
    assert g13 == {"text": G13_TEXT, "met": True, "detail": detail, "clause": G13_CLAUSE}


def test_an_end_after_the_window_is_shown_and_met() -> None:
    case = _case("JS-02/g13-hukou-moved-out-month-counts.yaml")
    case["persons"][0]["hukou"]["moved_out_on"] = None
    case["persons"][0]["died_on"] = "2026-05-02"
    explanation = _explanation(case, "JS-02", "moved-09-15")
    assert explanation["eligible"] is True
    assert _g13(explanation) == {"text": G13_TEXT, "met": True, "detail": "2026-05 死亡，此后月份不发放",
                                 "clause": G13_CLAUSE}  # fmt: skip


def test_a_case_without_end_facts_does_not_plan_the_g13_work(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[object] = []
    monkeypatch.setattr(engine, "_with_end_reasons", lambda *a: called.append(a) or a[1])
    case = _case("JS-02/g13-hukou-moved-out-month-counts.yaml")
    case["persons"][0]["hukou"]["moved_out_on"] = None
    evaluate(case, explain=True)
    assert called == []


def _strip_ends(case: dict[str, Any]) -> dict[str, Any]:
    case = copy.deepcopy(case)
    for person in case.get("persons", []):
        person.pop("died_on", None)
        person.get("hukou", {}).pop("moved_out_on", None)
    for entity in [*case.get("employers", []), *case.get("organizations", [])]:
        entity.pop("deregistered_on", None)
    return case


_BEFORE_EVERYTHING = "1999-12-31"  # before every fact of the strategies and the policy cases but birth dates


def _with_lines() -> list[dict[str, Any]]:
    """The policy cases that expect lines, without their ends: random strategy cases rarely have any line
    (2 of 40 when measured), so the removal property would seldom be exercised on them alone."""
    out = []
    for path in sorted(CASES.glob("*/*.yaml")):
        spec = yaml.safe_load(path.read_text("utf-8"))
        if spec["expected"].get("entitlements"):
            out.append(_strip_ends(_case(str(path.relative_to(CASES)))))
    return out


WITH_LINES = _with_lines()


_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(case=st.one_of(cases(), st.sampled_from(WITH_LINES)))
def test_without_end_facts_or_payments_the_general_path_gives_exactly_the_same(case: dict[str, Any]) -> None:
    """The strategies draw no end facts and no payments (and the policy cases are taken without their ends): forcing
    the paths of a case with ends and payments (the G13 condition, the lines' joins with ends and payments) gives the
    same lines and explanations, byte for byte, as the paths without them (a web form's case takes those)."""
    for explain in (True, False):
        plain = evaluate(case, explain=explain).to_json()
        saved = engine.has_ends, engine.has_payments
        engine.has_ends = engine.has_payments = lambda facts: True  # type: ignore[assignment]
        try:
            forced = evaluate(case, explain=explain).to_json()
        finally:
            engine.has_ends, engine.has_payments = saved  # type: ignore[assignment]
        assert json.dumps(forced, sort_keys=True, default=str) == json.dumps(plain, sort_keys=True, default=str)


def _dates_but_births(value: Any, key: str = "") -> list[str]:
    """Every date or month of a case but birth dates (values that are one: an id such as born-1987-08-02 is none)."""
    if isinstance(value, dict):
        return [d for k, v in value.items() for d in _dates_but_births(v, k)]
    if isinstance(value, list):
        return [d for v in value for d in _dates_but_births(v, key)]
    text = str(value)
    return [text] if key != "birth_date" and re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", text) else []


@st.composite
def _cases_with_ends(draw: Any) -> tuple[dict[str, Any], set[str]]:
    """A random case (drawn, or a policy case with lines), and the entities given an end before every fact
    (so G13 removes every line they are beneficiary or subject of); others get an end on a random day or none."""
    # mostly policy cases: the removal needs lines to remove
    case = copy.deepcopy(draw(st.one_of(st.sampled_from(WITH_LINES), st.sampled_from(WITH_LINES), cases())))
    assert min(_dates_but_births(case), default="9999") > _BEFORE_EVERYTHING
    gone: set[str] = set()
    for entity in [*case.get("persons", []), *case.get("employers", []), *case.get("organizations", [])]:
        choice = draw(st.sampled_from(["none", "early", "early", "random"]))
        if choice == "none":
            continue
        day = _BEFORE_EVERYTHING if choice == "early" else draw(st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31))).isoformat()
        if "birth_date" not in entity:
            entity["deregistered_on"] = day
        elif draw(st.booleans()):
            entity["died_on"] = day
        else:
            entity["hukou"]["moved_out_on"] = day  # cuts only hukou measures: such a person is not "gone"
            continue
        if choice == "early":
            gone.add(entity["id"])
    return case, gone


@_PROPERTY
@given(drawn=_cases_with_ends())
def test_eligible_is_false_whenever_g13_removed_every_line(drawn: tuple[dict[str, Any], set[str]]) -> None:
    case, gone = drawn
    result = evaluate(case, explain=True).to_json()
    for explanation in result["explanations"]:  # a failed G13 condition is never shown as eligible
        g13 = _g13(explanation)
        if g13 is not None:
            assert g13["detail"] and g13["clause"] == G13_CLAUSE
            assert g13["met"] or explanation["eligible"] is False
    # the (measure, subject)s that had lines without the ends, every one of them of an entity that is gone
    without = defaultdict(list)
    for line in evaluate(_strip_ends(case)).to_json()["entitlements"]:
        without[(line["policy"], line["subject"])].append(bool({line["beneficiary"], line["subject"]} & gone))
    explanations = {(e["policy"], e["subject"]): e for e in result["explanations"]}
    removed = [key for key, cut in without.items() if all(cut)]
    assert not {(line["policy"], line["subject"]) for line in result["entitlements"]}.intersection(removed)
    for key in removed:
        g13 = _g13(explanations[key])
        assert explanations[key]["eligible"] is False and g13 is not None and g13["met"] is False, explanations[key]
