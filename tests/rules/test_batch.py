"""Micro-batching (issue 11 item 4): cases evaluated together give exactly what each gives alone —
entitlement lines, findings and explanations (random cases of ``tests/rules/strategies.py``, whose ids
collide on purpose: every case names ``p0``, ``e0`` …)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuye.rules import batch
from jiuye.rules.batch import FALLBACKS, MARK, Job, MicroBatcher, evaluate_many, merge_facts, texts_many
from jiuye.rules.case import Case, parse_case
from jiuye.rules.catalog import all_measures
from jiuye.rules.engine import Result
from jiuye.rules.output import result_text
from tests.rules.strategies import cases

T = TypeVar("T")

ONE_PERSON = Path(__file__).resolve().parents[2] / "examples" / "case-one-person.json"


@pytest.fixture
def one_person() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ONE_PERSON.read_text(encoding="utf-8"))
    return data


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _job(case: dict[str, Any], explain: bool = True, **kw: Any) -> Job:
    parsed = parse_case(case)
    return Job(parsed.facts, parsed.window_from, parsed.window_to, parsed.parameters, explain, **kw)


def _assert_same(got: Result | BaseException, alone: Result) -> None:
    assert isinstance(got, Result), got
    assert got.entitlements.equals(alone.entitlements)
    assert got.findings.equals(alone.findings)
    if alone.explanations is None:
        assert got.explanations is None
    else:
        assert got.explanations is not None and got.explanations.equals(alone.explanations)
    assert got.to_json() == alone.to_json()


def run_threads(target: Callable[..., None], args: Iterable[tuple[Any, ...]], timeout: float | None = None) -> None:
    """``target(*a)`` for every ``a`` of ``args``, each in its own thread, all started before any is joined."""
    threads = [threading.Thread(target=target, args=a) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)


def run_loop(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(main())`` in a thread of its own: Playwright's sync API (the browser tests' session fixture)
    keeps an event loop running in this process's main thread, where ``asyncio.run`` would refuse to start —
    the outcome of these tests must not depend on which tests the same xdist worker ran before."""
    import asyncio

    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(main()))
        except BaseException as exc:  # re-raised in the caller's thread, where pytest sees it
            failure.append(exc)

    run_threads(target, [()])
    if failure:
        raise failure[0]
    return outcome[0]


def _same_window(drawn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c | {"evaluate": drawn[0]["evaluate"]} for c in drawn]


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
@SETTINGS
@given(st.lists(cases(max_persons=3), min_size=2, max_size=4), st.booleans())
def test_cases_evaluated_together_give_exactly_their_results_alone(drawn: list[dict[str, Any]], explain: bool) -> None:
    jobs = [_job(c, explain) for c in _same_window(drawn)]
    together = evaluate_many(jobs)
    for job, got in zip(jobs, together, strict=True):
        _assert_same(got, job.alone())


@SETTINGS
@given(st.lists(cases(max_persons=3), min_size=2, max_size=4), st.booleans(), st.booleans())
def test_texts_written_together_are_each_cases_own_text(drawn: list[dict[str, Any]], explain: bool, mixed: bool) -> None:
    # the evaluate API's response bytes: written for the whole gathering at once, each the case's own text
    drawn = _same_window(drawn)
    if mixed:  # and a case of another window in the same call (its own group)
        drawn.append(drawn[0] | {"evaluate": {"from": "2021-01", "to": "2021-03"}})
    jobs = [_job(c, explain) for c in drawn]
    extras = [None if i % 2 else {"warnings": [f"第{i}条“提示”\\"]} for i in range(len(jobs))]
    for job, extra, got in zip(jobs, extras, texts_many(jobs, extras), strict=True):
        assert got == result_text(job.alone(), indent=None, extra=extra).encode()


def test_concurrent_text_callers_each_get_their_own_text(one_person: dict[str, Any]) -> None:
    second = one_person | {"persons": [one_person["persons"][0] | {"birth_date": "1980-04-01",
                                                                     "id_number": "310116198004010034"}]}  # fmt: skip
    jobs = [_job(one_person), _job(second)]
    expected = [result_text(j.alone(), indent=None, extra={"warnings": [str(i)]}).encode() for i, j in enumerate(jobs)]
    batcher = MicroBatcher(window=0.05)
    got: dict[int, bytes] = {}
    results: dict[int, Any] = {}

    def call(i: int) -> None:
        if i == 7:  # a Result caller in the same gathering
            results[i] = batcher.evaluate(jobs[1]).to_json()
        else:
            got[i] = batcher.evaluate_text(jobs[i % 2], {"warnings": [str(i % 2)]})

    run_threads(call, [(i,) for i in range(8)])
    assert all(got[i] == expected[i % 2] for i in range(7))
    assert results[7] == jobs[1].alone().to_json()
    assert batcher.jobs == 8 and batcher.gatherings < 8


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
@SETTINGS
@given(st.lists(cases(max_persons=2), min_size=2, max_size=5))
def test_different_windows_and_parameters_are_never_merged(drawn: list[dict[str, Any]]) -> None:
    # each case keeps its own window; odd ones also set a G6 amount: every result must still be its own
    drawn = [c | {"parameters": {"JS-04.monthly_amount": 123 + i}} if i % 2 else c for i, c in enumerate(drawn)]
    jobs = [_job(c) for c in drawn]
    for job, got in zip(jobs, evaluate_many(jobs), strict=True):
        _assert_same(got, job.alone())


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases(max_persons=2), min_size=2, max_size=3))
def test_a_subset_of_measures_as_the_self_check_asks(drawn: list[dict[str, Any]]) -> None:
    measures = tuple(m for m in all_measures() if m.computable and "person" in m.meta.payee_kinds)
    jobs = [_job(c, measures=measures) for c in _same_window(drawn)]
    for job, got in zip(jobs, evaluate_many(jobs), strict=True):
        _assert_same(got, job.alone())


def test_a_case_holding_the_marker_character_is_evaluated_alone(one_person: dict[str, Any]) -> None:
    sneaky = one_person | {"persons": [one_person["persons"][0] | {"id": f"{MARK}0{MARK}p-js02"}]}
    jobs = [_job(one_person), _job(sneaky), _job(one_person)]
    before = FALLBACKS.total
    results = evaluate_many(jobs)
    for job, got in zip(jobs, results, strict=True):
        _assert_same(got, job.alone())
    assert any(MARK in s for s in results[1].explanations["subject"])  # type: ignore[index]
    assert FALLBACKS.total == before + 1  # the gathering fell back once (and said so)


def test_every_fallback_is_counted_and_logged(one_person: dict[str, Any], caplog: pytest.LogCaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # a bug of the merged evaluation must not show only as slowness: each caller still gets its own result,
    # and the fallback is counted by exception type and logged as a warning (in Chinese, with the exception)
    jobs = [_job(one_person), _job(one_person)]
    alone = [j.alone() for j in jobs]
    real = batch.evaluate_facts

    def broken_when_merged(*args: Any, **kw: Any) -> Result:
        if kw.get("namespaced"):
            raise RuntimeError("合并评估的缺陷")
        return real(*args, **kw)

    monkeypatch.setattr(batch, "evaluate_facts", broken_when_merged)
    before = dict(FALLBACKS.by_type)
    with caplog.at_level(logging.WARNING, logger=batch.__name__):
        results = evaluate_many(jobs)
    for got, expected in zip(results, alone, strict=True):
        _assert_same(got, expected)
    assert FALLBACKS.by_type.get("RuntimeError", 0) == before.get("RuntimeError", 0) + 1
    [record] = [r for r in caplog.records if r.name == batch.__name__]
    assert record.levelno == logging.WARNING
    assert "逐个评估" in record.getMessage() and "合并评估的缺陷" in record.getMessage()


def test_a_fallback_log_never_shows_an_id_number(one_person: dict[str, Any], caplog: pytest.LogCaptureFixture,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # a Polars error about one case may quote its data: the warning goes through the masking policy
    number = one_person["persons"][0]["id_number"]
    real = batch.evaluate_facts

    def quoting_when_merged(*args: Any, **kw: Any) -> Result:
        if kw.get("namespaced"):
            raise ValueError(f"无法转换值 {number!r}")
        return real(*args, **kw)

    monkeypatch.setattr(batch, "evaluate_facts", quoting_when_merged)
    with caplog.at_level(logging.WARNING, logger=batch.__name__):
        evaluate_many([_job(one_person), _job(one_person)])
    [record] = [r for r in caplog.records if r.name == batch.__name__]
    assert record.exc_info is None and record.exc_text is None
    shown = caplog.text
    assert "ValueError" in shown and "逐个评估" in shown
    assert number not in shown and number[:6] + "********" + number[-4:] in shown


STARTUP = {"id": "startup0", "kind": "startup", "district": "jinshan", "quality_certified": False,
           "landing": {"registered_on": "2022-01-10", "award_on": "2021-06-01", "approved_amount": 80000,
                       "operating_normally": True, "employs_jinshan_hukou": True}}  # fmt: skip


def test_a_gathering_whose_cases_share_a_value_is_evaluated_merged(one_person: dict[str, Any]) -> None:
    # cases that hold the same day (here every startup's landing) merge into a column of one repeated value,
    # which Polars compared with a literal on the left (JS-07c: the evaluated range's end ≥ the day one year of
    # operation is complete) into one row instead of one per row: every gathering of 2–4 such cases fell back
    # to one evaluation per case (correct, but silently slow)
    case = one_person | {"organizations": [STARTUP]}
    moved = STARTUP | {"landing": STARTUP["landing"] | {"registered_on": "2023-03-01"}}
    later = one_person | {"organizations": [moved]}
    for drawn in ([case, case], [case, case, later], [later, case, case, later]):
        jobs = [_job(c, explain) for explain in (True, False) for c in drawn]
        before = dict(FALLBACKS.by_type)
        results = evaluate_many(jobs)
        assert FALLBACKS.by_type == before  # evaluated merged: no fallback
        for job, got in zip(jobs, results, strict=True):
            _assert_same(got, job.alone())
        assert any(got.explanations is not None and "JS-07c" in got.explanations["policy"].to_list()
                   for got in results if isinstance(got, Result))  # fmt: skip


@pytest.mark.slow  # every policy case and example, alone and merged with copies of itself (~1 min)
@pytest.mark.parametrize("explain", [True, False])
def test_every_policy_case_gathered_with_copies_of_itself_is_evaluated_merged(explain: bool) -> None:
    # copies of one case merge into columns of one repeated value in every data column: the gathering where
    # an expression that reads such a column as a single value (a literal compared on the left) fails
    from tests.rules.test_policy_cases import CASE_FILES, _json_roundtrip, _load

    drawn = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(ONE_PERSON.parent.glob("*.json"))]
    drawn += [_json_roundtrip(_load(p)["case"]) for p in CASE_FILES]
    before = dict(FALLBACKS.by_type)
    for case in drawn:
        jobs = [_job(case, explain) for _ in range(3)]
        alone = jobs[0].alone()
        for got in evaluate_many(jobs):
            _assert_same(got, alone)
    assert FALLBACKS.by_type == before


def test_merged_ids_never_collide(one_person: dict[str, Any]) -> None:
    a, b = _job(one_person), _job(one_person)
    merged = merge_facts([a.facts, b.facts])
    assert merged.persons["id"].n_unique() == 2
    assert merged.social_insurance["person"].n_unique() == 2
    assert merged.persons["id_number"].n_unique() == 1  # data columns are not touched


def test_concurrent_callers_each_get_their_own_result(one_person: dict[str, Any]) -> None:
    drawn = [one_person]
    second = dict(one_person)
    second["persons"] = [one_person["persons"][0] | {"birth_date": "1980-04-01", "id_number": "310116198004010034"}]
    drawn.append(second)
    jobs = [_job(c) for c in drawn]
    expected = [j.alone().to_json() for j in jobs]
    batcher = MicroBatcher(window=0.05)
    got: dict[int, Any] = {}

    def call(i: int) -> None:
        got[i] = batcher.evaluate(jobs[i % 2]).to_json()

    run_threads(call, [(i,) for i in range(8)])
    assert all(got[i] == expected[i % 2] for i in range(8))
    assert batcher.jobs == 8 and batcher.gatherings < 8  # some were evaluated together


def test_an_error_reaches_only_its_own_caller(one_person: dict[str, Any]) -> None:
    good = _job(one_person)
    bad = Job(good.facts, good.window_from, good.window_to, {"NO-SUCH.x": 1})
    results = evaluate_many([good, bad, good])
    _assert_same(results[0], good.alone())
    _assert_same(results[2], good.alone())


def test_explanations_of_the_merged_case_have_no_marker_left(one_person: dict[str, Any]) -> None:
    results = evaluate_many([_job(one_person), _job(one_person)])
    for r in results:
        assert isinstance(r, Result) and r.explanations is not None
        texts = r.explanations.select(pl.col("conditions").list.eval(pl.element().struct.field("detail")).list.join(""))
        assert not any(MARK in (t or "") for t in texts.to_series())


def test_many_callers_without_a_window_all_get_their_own_result(one_person: dict[str, Any]) -> None:
    job = _job(one_person)
    expected = job.alone().to_json()
    batcher = MicroBatcher(window=0)
    got: list[Any] = []

    def call() -> None:
        got.append(batcher.evaluate(job).to_json())

    run_threads(call, [()] * 30, timeout=300)
    assert len(got) == 30 and all(g == expected for g in got)
    assert batcher.jobs == 30


def test_async_callers_share_gatherings_and_each_get_their_own_text(one_person: dict[str, Any]) -> None:
    # the evaluate API awaits on the event loop (no thread held); thread callers may lead or follow it
    import asyncio

    second = one_person | {"persons": [one_person["persons"][0] | {"birth_date": "1980-04-01",
                                                                     "id_number": "310116198004010034"}]}  # fmt: skip
    jobs = [_job(one_person), _job(second)]
    expected = [result_text(j.alone(), indent=None, extra={"warnings": [str(i)]}).encode() for i, j in enumerate(jobs)]
    batcher = MicroBatcher(window=0.05)
    threaded: dict[int, bytes] = {}

    def in_thread(i: int) -> None:
        threaded[i] = batcher.evaluate_text(jobs[i % 2], {"warnings": [str(i % 2)]})

    async def main() -> list[bytes]:
        threads = [threading.Thread(target=in_thread, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        got = await asyncio.gather(*(batcher.evaluate_text_async(jobs[i % 2], {"warnings": [str(i % 2)]})
                                     for i in range(6)))  # fmt: skip
        for t in threads:
            t.join()
        # a lone async caller afterwards leads through a thread of its own, and an error reaches its caller
        got.append(await batcher.evaluate_text_async(jobs[1], {"warnings": ["1"]}))
        return list(got)

    got = run_loop(main)
    assert all(got[i] == expected[i % 2] for i in range(6)) and got[6] == expected[1]
    assert all(threaded[i] == expected[i % 2] for i in range(2))
    assert batcher.jobs == 9 and batcher.gatherings < 9


def test_an_async_callers_error_is_raised_to_it_and_the_batcher_goes_on(one_person: dict[str, Any]) -> None:

    batcher = MicroBatcher(window=0)
    broken = Job(None, dt.date(2024, 1, 1), dt.date(2024, 12, 1))  # type: ignore[arg-type]

    async def main() -> bytes:
        with pytest.raises(AttributeError):
            await batcher.evaluate_text_async(broken)
        return await batcher.evaluate_text_async(_job(one_person))

    assert run_loop(main) == result_text(_job(one_person).alone(), indent=None).encode()


def _delayed_callers(one_person: dict[str, Any], **options: Any,
                     ) -> tuple[MicroBatcher, bytes, list[bytes], Callable[[float], None]]:  # fmt: skip
    """A batcher (``options``), the one-person case's own text, the texts its callers got, and a caller that
    waits ``delay`` seconds (none: no sleep at all) and then asks the batcher for the case's text."""
    import time

    job = _job(one_person)
    batcher = MicroBatcher(**options)
    got: list[bytes] = []

    def call(delay: float = 0.0) -> None:
        if delay:
            time.sleep(delay)
        got.append(batcher.evaluate_text(job))

    return batcher, result_text(job.alone(), indent=None).encode(), got, call


def test_a_gathering_under_load_waits_for_jobs_still_arriving(one_person: dict[str, Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # two callers at once (load), a third shortly after, within ``quiet``: one gathering, not two
    import time

    batcher, expected, got, call = _delayed_callers(one_person, window=0.1, quiet=0.4, max_wait=3)
    job = _job(one_person)
    run_threads(call, [(0.0,), (0.0,), (0.2,)])
    assert got == [expected] * 3
    assert batcher.jobs == 3 and batcher.gatherings == 1
    # a lone caller does not wait for ``quiet``: the gathering's sleeps are recorded, not timed
    slept: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(batch.time, "sleep", lambda s: (slept.append(s), real_sleep(s))[1])
    lone = MicroBatcher(window=0.01, quiet=5, max_wait=5)
    assert lone.evaluate_text(job) == expected
    assert slept == [0.01]


def test_a_caller_whose_event_loop_closed_does_not_stop_the_others(one_person: dict[str, Any]) -> None:
    # a server shutting down while a request waits: waking it must not leave the other callers (or the next
    # leader) waiting for ever
    import asyncio

    from jiuye.rules.batch import _Waiter

    loop = asyncio.new_event_loop()
    gone = _Waiter(_job(one_person), future=loop.create_future())
    loop.close()
    batcher = MicroBatcher(window=0)
    batcher._pending.append(gone)
    batcher._leading = True
    batcher._lead()  # evaluates the gone caller's job and wakes it: must not raise
    assert gone.result is not None and not batcher._leading
    assert batcher.evaluate_text(_job(one_person)) == result_text(_job(one_person).alone(), indent=None).encode()


def test_a_cancelled_async_caller_leaves_the_others_and_the_next_gathering_unharmed(one_person: dict[str, Any]) -> None:
    # a client that disconnects while its request waits for the gathering: the request's task is cancelled; the
    # other caller of the gathering still gets its text, and the batcher is free for the next one
    import asyncio

    job = _job(one_person)
    expected = result_text(job.alone(), indent=None).encode()
    batcher = MicroBatcher(window=0.3)

    async def main() -> tuple[bytes, bytes, bool]:
        gone = asyncio.create_task(batcher.evaluate_text_async(job))
        stays = asyncio.create_task(batcher.evaluate_text_async(job))
        await asyncio.sleep(0.05)  # both are waiting in the gathering
        gone.cancel()
        kept = await asyncio.wait_for(stays, 120)
        with contextlib.suppress(asyncio.CancelledError):
            await gone
        return kept, await asyncio.wait_for(batcher.evaluate_text_async(job), 120), gone.cancelled()

    kept, after, cancelled = run_loop(main)
    assert cancelled and kept == expected and after == expected
    assert batcher.jobs == 3 and not batcher._pending and not batcher._leading


def test_cases_read_by_the_gathering_each_get_their_own_text_or_error(one_person: dict[str, Any]) -> None:
    # the evaluate API hands the gathering the decoded JSON: read together (one GB 11643 query for all ID
    # numbers), each caller still gets exactly parse_case + check + its own text, warnings included, or the
    # CaseError reading its case alone raises
    import asyncio

    from jiuye.rules import CaseError
    from jiuye.rules.case import parse_cases

    person = one_person["persons"][0]
    other = one_person | {"persons": [person | {"birth_date": "1980-04-01", "id_number": "310116198004010034"}]}
    noted = one_person | {"note": "未知字段：一条警告"}
    bad = one_person | {"persons": [person | {"id_number": "310116199504010036"}]}  # wrong check character
    wrong_birth = one_person | {"persons": [person | {"birth_date": "1995-04-02"}]}  # ID number says 04-01
    no_number = one_person | {"persons": [{k: v for k, v in person.items() if k != "id_number"}]}
    cases = [one_person, other, noted, bad, wrong_birth, no_number, other]

    def alone(case: dict[str, Any]) -> bytes | list[str]:
        try:
            parsed = parse_case(case)
        except CaseError as exc:
            return exc.problems
        extra = {"warnings": list(parsed.warnings)} if parsed.warnings else None
        return result_text(Job.of(parsed).alone(), indent=None, extra=extra).encode()

    expected = [alone(c) for c in cases]
    assert isinstance(expected[2], bytes) and b"warnings" in expected[2]
    assert isinstance(expected[3], list) and isinstance(expected[4], list)
    together = parse_cases(cases)
    for case, read in zip(cases, together, strict=True):
        if isinstance(read, Exception):
            assert isinstance(read, CaseError) and read.problems == alone(case)
        else:
            single = parse_case(case)
            assert read.warnings == single.warnings and read.window_from == single.window_from
            assert all(read.facts.tables()[n].equals(t) for n, t in single.facts.tables().items())
    batcher = MicroBatcher(window=0.05)

    async def one(case: dict[str, Any]) -> bytes | list[str]:
        try:
            return await batcher.case_text_async(case)
        except CaseError as exc:
            return exc.problems

    async def main() -> list[bytes | list[str]]:
        return list(await asyncio.gather(*(one(c) for c in cases)))

    assert run_loop(main) == expected
    assert batcher.gatherings < len(cases)


def test_after_a_busy_gathering_the_next_waits_for_its_callers_past_a_pause(one_person: dict[str, Any]) -> None:
    # under load the callers of a gathering come back one by one, with pauses longer than ``quiet`` while the
    # server writes the other responses: the first to come back must not leave alone (one more whole
    # evaluation for all the others) — the next gathering waits until as many as last time are in
    batcher, expected, got, call = _delayed_callers(one_person, window=0.2, quiet=0.05, max_wait=5)
    run_threads(call, [(0.0,)] * 3)
    assert batcher.gatherings == 1
    run_threads(call, [(0.0,), (0.5,), (0.6,)])  # alone after ``window``, then pauses ≫ quiet
    assert got == [expected] * 6
    assert batcher.jobs == 6 and batcher.gatherings == 2


def test_callers_waiting_at_hand_over_and_the_ones_answered_make_one_gathering(
        one_person: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # two callers are answered while two others waited through their evaluation: the next gathering expects all
    # four (the answered ones come back, as a server's clients do) instead of leaving with the two that waited —
    # which would split the callers into two cohorts evaluated alternately, each paying the fixed cost
    import time

    job = _job(one_person)
    expected = result_text(job.alone(), indent=None).encode()
    batcher = MicroBatcher(window=0.1, quiet=0.05, max_wait=5)
    sizes: list[int] = []
    real_run = batch._run

    def slow_first(jobs: Any, extras: Any) -> Any:
        sizes.append(len(jobs))
        if len(sizes) == 1:
            time.sleep(0.6)  # the first evaluation lasts long enough for the second pair to arrive meanwhile
        return real_run(jobs, extras)

    monkeypatch.setattr(batch, "_run", slow_first)
    got: list[bytes] = []

    def answered_then_back() -> None:
        got.append(batcher.evaluate_text(job))
        time.sleep(0.3)  # ≫ quiet: a pause that alone would end the gathering
        got.append(batcher.evaluate_text(job))

    def waits_through() -> None:
        time.sleep(0.35)
        got.append(batcher.evaluate_text(job))

    run_threads(lambda f: f(), [(answered_then_back,), (answered_then_back,), (waits_through,), (waits_through,)])
    assert got == [expected] * 6
    assert sizes == [2, 4], sizes


def test_a_gathering_leaves_as_soon_as_every_expected_caller_is_in(
        one_person: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # three callers answered come back together: the next gathering expects three and leaves when the third is
    # in — no further ``quiet`` to see whether a fourth comes (the waits are recorded, not timed)
    import time

    batcher, expected, got, call = _delayed_callers(one_person, window=0.3, quiet=0.05, max_wait=60)
    run_threads(call, [()] * 3)
    assert batcher.gatherings == 1
    waits: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(batch.time, "sleep", lambda s: (waits.append(s), real_sleep(s))[1])
    arrived = getattr(batcher, "_arrived", None)  # the leader's waits for arrivals, where it has them
    if arrived is not None:
        real_wait = arrived.wait
        monkeypatch.setattr(arrived, "wait", lambda t=None: (waits.append(t or 0), real_wait(t))[1])
    batcher.quiet = 30  # a gathering that waited for quiet would take 30 s
    run_threads(call, [()] * 3)
    assert got == [expected] * 6
    assert batcher.gatherings == 2 and batcher.jobs == 6
    assert waits == [0.3], waits  # the window only


def test_a_case_polars_cannot_read_fails_alone_in_its_gathering(one_person: dict[str, Any]) -> None:
    # one caller's ID number with a lone surrogate (json.loads accepts "\ud800") made the gathering's shared
    # GB 11643 query raise, and every caller of the gathering got that error
    import asyncio

    from jiuye.rules.case import parse_cases

    person = one_person["persons"][0]
    broken = one_person | {"persons": [person | {"id_number": "31011619950401\ud8001"}]}
    read = parse_cases([one_person, broken])
    assert isinstance(read[0], Case) and isinstance(read[1], Exception)
    batcher = MicroBatcher(window=0.05)

    async def one(case: dict[str, Any]) -> bytes | str:
        try:
            return await batcher.case_text_async(case)
        except Exception as exc:
            return type(exc).__name__

    async def both() -> list[bytes | str]:
        return list(await asyncio.gather(one(one_person), one(broken)))

    good, bad = run_loop(both)
    assert isinstance(good, bytes) and isinstance(bad, str)


def test_a_case_whose_frames_polars_cannot_build_fails_alone(one_person: dict[str, Any]) -> None:
    # the frames of a gathering's cases are built together: a lone surrogate in a person's id passes the reader
    # (any non-empty text) and fails only when the frame is built — that case alone, as when read on its own
    from jiuye.rules.case import parse_cases

    person = one_person["persons"][0]
    broken = one_person | {"persons": [person | {"id": "p\ud800"}]}
    read = parse_cases([one_person, broken, one_person])
    assert isinstance(read[0], Case) and isinstance(read[2], Case) and isinstance(read[1], Exception)
    alone = parse_case(one_person)
    for got in (read[0], read[2]):
        assert isinstance(got, Case)
        assert all(got.facts.tables()[n].equals(t) for n, t in alone.facts.tables().items())


def test_a_merged_results_json_is_its_own_however_often_and_whatever_it_became(one_person: dict[str, Any]) -> None:
    # a merged evaluation reads the dicts of all its cases at once for the first to_json: a second call, and a
    # copy of a result with other frames, still give that result's own dict
    import dataclasses

    second = one_person | {"persons": [one_person["persons"][0] | {"birth_date": "1980-04-01",
                                                                     "id_number": "310116198004010034"}]}  # fmt: skip
    jobs = [_job(one_person), _job(second), _job(one_person)]
    together = evaluate_many(jobs)
    alone = [j.alone() for j in jobs]
    for got, own in zip(together, alone, strict=True):
        assert isinstance(got, Result)
        first = got.to_json()
        assert first == own.to_json() and got.to_json() == first and got.to_json() is not first
    fresh = evaluate_many(jobs)[0]
    assert isinstance(fresh, Result) and isinstance(together[1], Result)
    copy = dataclasses.replace(fresh, entitlements=together[1].entitlements)
    assert copy.to_json()["entitlements"] == alone[1].to_json()["entitlements"]
    assert copy.to_json()["explanations"] == alone[0].to_json()["explanations"]
    assert fresh.to_json() == alone[0].to_json()


def test_a_case_read_with_others_evaluates_as_read_alone() -> None:
    # parse_cases builds one frame per table for the whole gathering and slices it per case: a case with no
    # landing read beside one with a landing got an empty slice of that frame, on which a Polars query of JS-07c's
    # explanations raised InvalidOperationError — that caller got an error instead of its result
    landing = {"registered_on": "2025-01-01", "award_on": "2023-06-20", "approved_amount": 80000,
               "operating_normally": False, "employs_jinshan_hukou": False}  # fmt: skip
    landed = {"evaluate": {"from": "2023-01", "to": "2024-12"},
              "organizations": [{"id": "s", "kind": "startup", "district": "jinshan", "landing": landing}]}  # fmt: skip
    none = {"evaluate": {"from": "2023-01", "to": "2023-01"},
            "organizations": [{"id": "x", "kind": "startup"}, {"id": "y", "kind": "startup"}]}  # fmt: skip
    import asyncio

    def alone(case: dict[str, Any]) -> bytes:
        parsed = parse_case(case)
        extra = {"warnings": list(parsed.warnings)} if parsed.warnings else None
        return result_text(Job.of(parsed).alone(), indent=None, extra=extra).encode()

    expected = [alone(landed), alone(none)]
    batcher = MicroBatcher(window=0.05)

    async def one(case: dict[str, Any]) -> bytes:
        return await batcher.case_text_async(case)

    async def both() -> list[bytes]:
        return list(await asyncio.gather(one(landed), one(none)))

    assert run_loop(both) == expected
    assert batcher.gatherings == 1


@pytest.mark.slow  # engine evaluations of Hypothesis examples
@SETTINGS
@given(st.lists(cases(max_persons=3), min_size=2, max_size=5))
def test_random_cases_read_together_evaluate_as_read_alone(drawn: list[dict[str, Any]]) -> None:
    # parse_cases slices each case's frames out of the gathering's: each must evaluate exactly as parse_case's
    from jiuye.rules.case import parse_cases

    for case, read in zip(drawn, parse_cases(drawn), strict=True):
        assert isinstance(read, Case)
        alone = parse_case(case)
        assert result_text(Job.of(read).alone(), indent=None) == result_text(Job.of(alone).alone(), indent=None)
