"""Prune first (issue 11): the pruned engine gives exactly the lines of the unpruned one, and every declared
necessary condition really holds for every eligible subject (random registries, hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from jiuye.rules.case import parse_case
from jiuye.rules.catalog import all_measures
from jiuye.rules.engine import evaluate_facts
from jiuye.rules.facts import Facts
from jiuye.rules.prune import NECESSARY_TEXT, necessary_expr, person_summary, survivors
from tests.rules.strategies import cases

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases(max_persons=6))
def test_pruned_engine_gives_exactly_the_lines_of_the_unpruned_one(case: dict[str, Any]) -> None:
    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    pruned = evaluate_facts(*args, prune=True)
    unpruned = evaluate_facts(*args, prune=False)
    explained = evaluate_facts(*args, explain=True)
    assert pruned.entitlements.equals(unpruned.entitlements)
    assert pruned.findings.equals(unpruned.findings)
    assert pruned.entitlements.equals(explained.entitlements)


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
@SETTINGS
@given(cases(max_persons=6))
def test_every_eligible_subject_meets_its_measures_necessary_conditions(case: dict[str, Any]) -> None:
    parsed = parse_case(case)
    explained = evaluate_facts(parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters, explain=True)
    assert explained.explanations is not None
    summary = person_summary(parsed.facts).collect()
    for measure in all_measures():
        expr = necessary_expr(measure)
        if expr is None:
            continue
        eligible = explained.explanations.filter((pl.col("policy") == measure.id) & pl.col("eligible"))["subject"]
        meeting = set(summary.filter(expr)["person"])
        assert set(eligible) <= meeting, (measure.id, measure.necessary)
    lines = explained.entitlements
    alive = survivors(parsed.facts, [m for m in all_measures() if m.necessary])
    for measure_id, persons in alive.items():
        subjects = set(lines.filter(pl.col("policy") == measure_id)["subject"])
        assert subjects <= set(persons), measure_id


def test_declarations_name_known_conditions_and_only_person_subjects() -> None:
    for measure in all_measures():
        assert set(measure.necessary) <= set(NECESSARY_TEXT), measure.id
        if measure.necessary:
            assert measure.subjects == "persons", measure.id
            assert measure.meta.kind != "rule", measure.id


def test_prune_with_explanations_is_refused() -> None:
    with pytest.raises(ValueError):
        evaluate_facts(Facts(), dt.date(2024, 1, 1), dt.date(2024, 1, 1), explain=True, prune=True)


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
@SETTINGS
@given(cases(max_persons=6))
def test_long_format_explanations_equal_the_concat_list_ones(case: dict[str, Any]) -> None:
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    saved = engine._LONG_FORMAT_ROWS
    try:
        engine._LONG_FORMAT_ROWS = 0
        long = evaluate_facts(*args, explain=True)
        engine._LONG_FORMAT_ROWS = 10**9
        wide = evaluate_facts(*args, explain=True)
    finally:
        engine._LONG_FORMAT_ROWS = saved
    assert long.explanations is not None and wide.explanations is not None
    assert long.explanations.equals(wide.explanations)
    assert long.entitlements.equals(wide.entitlements)
