"""Engine paths that must agree: shared derivations (large inputs) vs plain plans (small inputs)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from jiuye.rules import derived, evaluate
from jiuye.rules.case import load_case_text, parse_case
from tests.rules.strategies import cases

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "case-all-measures.json"


def test_shared_derivations_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    case = parse_case(load_case_text(EXAMPLE.read_text("utf-8")))
    monkeypatch.setattr(derived, "_MEMO_TINY_MAX_ROWS", -1)  # plain plans, as a mid-sized case
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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_single_row_explanations_equal_the_ranked_ones(case: dict[str, Any]) -> None:
    """Subjects with one candidate row skip the ranking (issue 11 item 4); it must choose what ranking chooses."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    fast = engine.evaluate_facts(*args, explain=True)
    saved = engine._RANK_SINGLE_ROWS
    try:
        engine._RANK_SINGLE_ROWS = True
        ranked = engine.evaluate_facts(*args, explain=True)
    finally:
        engine._RANK_SINGLE_ROWS = saved
    assert fast.explanations is not None and ranked.explanations is not None
    assert fast.explanations.equals(ranked.explanations)
    assert fast.entitlements.equals(ranked.entitlements)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_condition_lists_made_in_python_equal_the_concat_list_ones(case: dict[str, Any]) -> None:
    """Small candidate frames make their explanations' condition lists in Python (``engine._gathered_rows``): the
    frame must be the one of ``concat_list`` over the conditions' structs (a G13 condition left out alike)."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    in_python = engine.evaluate_facts(*args, explain=True)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(engine, "_PYTHON_GATHER_ROWS", -1)
        structs = engine.evaluate_facts(*args, explain=True)
    assert in_python.explanations is not None and structs.explanations is not None
    assert in_python.explanations.equals(structs.explanations)


def test_condition_lists_of_examples_made_in_python_equal_the_concat_list_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from jiuye.rules import engine

    for path in sorted(EXAMPLE.parent.glob("case-*.json")):
        case = parse_case(load_case_text(path.read_text("utf-8")))
        in_python = evaluate(case, explain=True)
        for rows in (-1, 10**6):  # structs everywhere; Python everywhere (the default mixes both by frame size)
            with monkeypatch.context() as m:
                m.setattr(engine, "_PYTHON_GATHER_ROWS", rows)
                other = evaluate(case, explain=True)
            assert in_python.explanations is not None and other.explanations is not None
            assert in_python.explanations.equals(other.explanations), (path.name, rows)


def test_condition_lists_of_policy_cases_with_ends_made_in_python_equal_the_concat_list_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The random cases have no G13 end (death, move-out, deregistration); these policy cases do."""
    import yaml

    from jiuye.rules import engine

    paths = [p for p in sorted((EXAMPLE.parents[1] / "tests" / "rules" / "cases").glob("*/*.yaml"))
             if re.search(r"died_on|moved_out_on|deregistered_on", p.read_text("utf-8"))]  # fmt: skip
    assert paths
    for path in paths:
        case = json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8"))["case"], default=str), parse_float=Decimal)
        in_python = evaluate(case, explain=True)
        monkeypatch.setattr(engine, "_PYTHON_GATHER_ROWS", -1)
        structs = evaluate(case, explain=True)
        monkeypatch.undo()
        assert in_python.explanations is not None and structs.explanations is not None
        assert in_python.explanations.equals(structs.explanations), path


def test_single_row_explanations_of_examples_equal_the_ranked_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from jiuye.rules import engine

    for path in sorted(EXAMPLE.parent.glob("case-*.json")):
        case = parse_case(load_case_text(path.read_text("utf-8")))
        fast = evaluate(case, explain=True).to_json()
        with monkeypatch.context() as m:
            m.setattr(engine, "_RANK_SINGLE_ROWS", True)
            ranked = evaluate(case, explain=True).to_json()
        assert json.dumps(fast, default=str) == json.dumps(ranked, default=str), path.name


def assert_same_result(a: Any, b: Any) -> None:
    """Two evaluations of one case by two engine paths: the same lines, findings, explanations and line facts."""
    assert a.entitlements.equals(b.entitlements)
    assert a.findings.equals(b.findings)
    assert (a.explanations is None) == (b.explanations is None)
    if a.explanations is not None and b.explanations is not None:
        assert a.explanations.equals(b.explanations)
    assert (a.line_facts is None) == (b.line_facts is None)
    if a.line_facts is not None and b.line_facts is not None:
        assert a.line_facts.equals(b.line_facts)


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_unoptimised_small_plans_give_the_optimised_result(case: dict[str, Any]) -> None:
    """Small inputs run without Polars' optimiser (issue 11 item 4): the results must be the optimised ones."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    saved = engine._UNOPTIMISED_MAX_ROWS
    try:
        for explain in (True, False):
            engine._UNOPTIMISED_MAX_ROWS = 10**9
            plain = engine.evaluate_facts(*args, explain=explain)
            engine._UNOPTIMISED_MAX_ROWS = -1
            optimised = engine.evaluate_facts(*args, explain=explain)
            assert_same_result(plain, optimised)
    finally:
        engine._UNOPTIMISED_MAX_ROWS = saved


@pytest.mark.slow  # many engine evaluations (Hypothesis examples)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_the_streaming_engine_of_large_inputs_gives_the_in_memory_result(case: dict[str, Any]) -> None:
    """Large inputs run on Polars' streaming engine, with shared derivations materialised and the insured months
    restricted to the callers' contracts (issue 11, 1 M people): the same lines, findings and explanations as
    the in-memory engine and plain plans of small inputs."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    saved = derived._STREAMING_MIN_ROWS, derived._MEMO_MIN_ROWS, derived._MEMO_TINY_MAX_ROWS
    try:
        for explain in (True, False):
            derived._STREAMING_MIN_ROWS, derived._MEMO_MIN_ROWS, derived._MEMO_TINY_MAX_ROWS = 10**12, 10**12, -1
            small = engine.evaluate_facts(*args, explain=explain)
            derived._STREAMING_MIN_ROWS, derived._MEMO_MIN_ROWS, derived._MEMO_TINY_MAX_ROWS = 0, 0, -1
            assert derived.polars_engine(0) == "streaming"
            large = engine.evaluate_facts(*args, explain=explain)
            assert_same_result(small, large)
    finally:
        derived._STREAMING_MIN_ROWS, derived._MEMO_MIN_ROWS, derived._MEMO_TINY_MAX_ROWS = saved


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_tiny_cases_materialise_shared_frames_and_nothing_changes(case: dict[str, Any]) -> None:
    """A tiny evaluation (a web form's case) materialises the derivations and the frames several measures start
    from once (issue 11 item 4); a mid-sized one keeps plain plans: the same lines, findings and explanations."""
    from contextlib import contextmanager

    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    opened: list[derived.SharedDerivations] = []
    sharing = derived.sharing_derivations

    @contextmanager
    def recorded(facts: Any) -> Any:
        with sharing(facts) as shared:
            opened.append(shared)
            yield shared

    saved = derived._MEMO_TINY_MAX_ROWS, derived.sharing_derivations
    try:
        derived.sharing_derivations = recorded  # type: ignore[assignment]
        for explain in (True, False):
            derived._MEMO_TINY_MAX_ROWS = -1
            plain = engine.evaluate_facts(*args, explain=explain)
            assert not opened[-1].frames
            derived._MEMO_TINY_MAX_ROWS = saved[0]
            tiny = engine.evaluate_facts(*args, explain=explain)
            assert_same_result(plain, tiny)
        # with explanations every measure is planned, so the frames the Chongming measures share were materialised
        assert {"person_contracts", "insured_month_lists"} <= {k[0] if isinstance(k, tuple) else k
                                                               for k in opened[1].frames}
    finally:
        derived._MEMO_TINY_MAX_ROWS, derived.sharing_derivations = saved


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=3))
def test_derivations_skip_joins_with_empty_facts_tables_and_nothing_changes(case: dict[str, Any]) -> None:
    """A derivation joining a facts table without rows adds what the join would add, without it (derived.no_rows,
    issue 11): forcing every such join gives the same lines, findings, explanations and facts behind lines."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    saved = derived.no_rows
    try:
        for explain in (True, False):
            skipped = engine.evaluate_facts(*args, explain=explain, line_facts=True)
            derived.no_rows = lambda table: False  # type: ignore[assignment]
            joined = engine.evaluate_facts(*args, explain=explain, line_facts=True)
            derived.no_rows = saved  # type: ignore[assignment]
            assert skipped.line_facts is not None and (skipped.explanations is not None) == explain
            assert_same_result(skipped, joined)
    finally:
        derived.no_rows = saved  # type: ignore[assignment]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=3))
def test_empty_derived_frames_kept_across_evaluations_change_nothing(case: dict[str, Any]) -> None:
    """A derivation over a facts table without rows is its schema, kept across evaluations (derived._empty,
    issue 11): with the frames kept from an evaluation over another window and without parameters the result is
    the one of an evaluation that builds them."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    derived._EMPTY.clear()
    built = engine.evaluate_facts(*args, explain=True, line_facts=True)
    assert derived._EMPTY or parsed.facts.contracts.height > 0
    derived._EMPTY.clear()
    engine.evaluate_facts(parsed.facts, dt.date(2020, 1, 1), dt.date(2030, 12, 31))  # the same tables without rows, another window: kept
    kept = engine.evaluate_facts(*args, explain=True, line_facts=True)
    assert_same_result(built, kept)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=3))
def test_measures_without_candidates_are_not_planned_and_nothing_changes(case: dict[str, Any]) -> None:
    """A measure whose first pass has no row gets no second-pass queries (issue 11 item 4): same result."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    saved = engine._PLAN_EMPTY
    try:
        for explain in (True, False):
            engine._PLAN_EMPTY = False
            skipped = engine.evaluate_facts(*args, explain=explain, line_facts=True)
            engine._PLAN_EMPTY = True
            planned = engine.evaluate_facts(*args, explain=explain, line_facts=True)
            assert skipped.line_facts is not None and (skipped.explanations is not None) == explain
            assert_same_result(skipped, planned)
    finally:
        engine._PLAN_EMPTY = saved


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=3))
def test_every_measure_has_no_candidate_row_when_its_universe_is_empty(case: dict[str, Any]) -> None:
    """The engine plans nothing for a measure whose ``universe_tables`` are all empty (issue 11 item 4): each
    measure's declaration must hold, whatever the other tables hold — and it must name a table the candidate rows
    start from (emptying everything else keeps them)."""
    from jiuye.rules.catalog import all_measures
    from jiuye.rules.engine import measure_parameters
    from jiuye.rules.facts import Facts
    from jiuye.rules.measure import Context

    parsed = parse_case(case)
    tables = parsed.facts.tables()
    ctx = Context(parsed.window_from, parsed.window_to, dict(parsed.parameters))
    for measure in all_measures():
        if not measure.computable:
            continue
        p = measure_parameters(measure, parsed.parameters)
        emptied = Facts(**{name: frame.clear() if name in measure.universe_tables else frame
                           for name, frame in tables.items()})  # fmt: skip
        assert measure.candidates(emptied, p, ctx).collect().is_empty(), measure.id
        only = Facts(**{name: frame if name in measure.universe_tables else frame.clear()
                        for name, frame in tables.items()})  # fmt: skip
        universe_rows = sum(tables[name].height for name in measure.universe_tables)
        assert measure.candidates(only, p, ctx).collect().height >= min(universe_rows, 1), measure.id


def test_conform_keeps_a_frame_already_in_the_schema_and_casts_any_other() -> None:
    import polars as pl

    from jiuye.rules.facts import SCHEMAS, conform

    exact = pl.DataFrame({"person": ["p1"], "start": [None], "end": [None]}, schema=SCHEMAS["flexible"])
    assert conform("flexible", exact) is exact
    loose = pl.DataFrame({"end": ["2024-01-31"], "person": ["p1"], "start": ["2024-01-01"]})
    loose = loose.with_columns(pl.col("start", "end").str.to_date())
    conformed = conform("flexible", loose)
    assert conformed.columns == list(SCHEMAS["flexible"]) and conformed.row(0)[0] == "p1"
    wide = pl.DataFrame({"id": ["o1"]}).with_columns(pl.lit(1, pl.Int64).alias("year"))
    assert conform("city_subsidies", wide.rename({"id": "org"})).schema["year"] == SCHEMAS["city_subsidies"]["year"]


def test_facts_behind_lines_come_in_one_order() -> None:
    """The per-subject facts (matching's fingerprints) are sorted like the rest of the result: their group-by
    has no order, and two evaluations of the same case listed them differently (a flaky equality above)."""
    from jiuye.rules.engine import evaluate_facts

    parsed = parse_case(load_case_text(EXAMPLE.read_text(encoding="utf-8")))
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    first = evaluate_facts(*args, line_facts=True).line_facts
    assert first is not None and first.height > 1
    assert first.equals(first.sort(["policy", "subject"]))
    for _ in range(10):
        again = evaluate_facts(*args, line_facts=True).line_facts
        assert again is not None and again.equals(first)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_hints_of_conditions_met_everywhere_are_not_computed_and_nothing_changes(case: dict[str, Any]) -> None:
    """A threshold condition every candidate row meets has no hint on any row: the second pass skips its hint
    expression (and the unused ranking score) — the explanations must be those of the full template."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    trimmed = engine.evaluate_facts(*args, explain=True)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(engine._Template, "scored_for", lambda self, met_everywhere, ranked: self.scored_list)
        full = engine.evaluate_facts(*args, explain=True)
    assert_same_result(trimmed, full)
    assert json.dumps(trimmed.to_json(), default=str) == json.dumps(full.to_json(), default=str)


def test_hint_trimming_keeps_the_example_explanations(monkeypatch: pytest.MonkeyPatch) -> None:
    from jiuye.rules import engine

    for path in sorted(EXAMPLE.parent.glob("case-*.json")):
        case = parse_case(load_case_text(path.read_text("utf-8")))
        trimmed = json.dumps(evaluate(case, explain=True).to_json(), default=str)
        with monkeypatch.context() as m:
            m.setattr(engine._Template, "scored_for", lambda self, met_everywhere, ranked: self.scored_list)
            full = json.dumps(evaluate(case, explain=True).to_json(), default=str)
        assert trimmed == full, path.name
        assert '"hint"' in full or path.name != "case-all-measures.json"  # the examples do show hints


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_persons=4))
def test_small_cases_run_their_queries_side_by_side_with_the_same_result(case: dict[str, Any]) -> None:
    """A tiny case's queries run in chunks while being built and in shares on several threads (issue 11 item 4):
    the result must be the one of a single ``collect_all`` per pass, frames in the same order."""
    from jiuye.rules import engine

    parsed = parse_case(case)
    args = (parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters)
    for explain, chunk in ((True, 1), (True, 4), (False, 2)):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(engine, "_PIPELINE_CHUNK", chunk)
            m.setattr(engine, "_PARALLEL_MAX_ROWS", 10**9)
            parallel = engine.evaluate_facts(*args, explain=explain, line_facts=True)
            m.setattr(engine, "_PARALLEL_SMALL", False)
            single = engine.evaluate_facts(*args, explain=explain, line_facts=True)
        assert_same_result(parallel, single)
        assert parallel.line_facts is not None and single.line_facts is not None
        assert parallel.line_facts.equals(single.line_facts)


@pytest.mark.parametrize("values", [[], [None], [True], [False], [True, None], [False, None], [True, False],
                                    [None, None, True, False, None, True, False, True, None, False]])  # fmt: skip
@pytest.mark.parametrize("python_rows", [0, 100])
def test_first_pass_frame_tests_answer_as_polars(values: list[bool | None], python_rows: int) -> None:
    """The engine's any/all/distinct tests of a tiny frame read the column in Python: the same answers as Polars."""
    import polars as pl

    from jiuye.rules import engine

    column = pl.Series("c", values, dtype=pl.Boolean)
    texts = pl.Series("s", [None if v is None else str(v) for v in values], dtype=pl.String)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(engine, "_PYTHON_TEST_ROWS", python_rows)
        assert engine._any(column) is bool(column.any())
        assert engine._all(column) is bool(column.all())
        assert engine._all_distinct(texts) is (texts.n_unique() == texts.len())
        assert engine._all_distinct(column) is (column.n_unique() == column.len())
