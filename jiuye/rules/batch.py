"""Many small cases through the engine as one (issue 11 item 4): the same engine, fewer queries per case.

A one-person evaluation costs the engine about the same whether the case holds one subject or fifty: the
time is the number and size of the queries, not the data.  So a server that receives many small cases at
once (the evaluate API, the public self-check) merges them into one :class:`~jiuye.rules.facts.Facts`,
evaluates it once and splits the result per case.

How the merged evaluation gives exactly each case's own result:

- every id column (:data:`ID_COLUMNS`: the subjects and every reference to one) of case *i* is prefixed
  with the marker ``\\x1f<i>\\x1f``, so two cases that both name ``p1`` or ``e1`` stay apart, and within a
  case every comparison, join and sort of ids is unchanged (one common prefix);
- the engine's one content-based choice (the tie-break between equally close candidate rows of an
  explanation) hashes the row with the marker removed (``evaluate_facts(namespaced=True)``);
- each output row is attributed to its case by the marker of its subject, and every marker is removed
  from every string of the output (details quote ids);
- cases are merged only when they share the window, the parameters, the measures and ``explain``; a case
  with the marker character anywhere in its strings, an output row without a marker, or a beneficiary
  and subject of different cases make the whole group fall back to one evaluation per case.

``tests/rules/test_batch.py`` checks on random cases that the merged result equals the one evaluated
alone, explanations included.  :class:`MicroBatcher` gathers the cases of concurrent requests for a few
milliseconds and hands each caller its own :class:`~jiuye.rules.engine.Result`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from jiuye.rules.case import Case
from jiuye.rules.derived import MARK, MARKER_PATTERN
from jiuye.rules.engine import Result, evaluate_facts
from jiuye.rules.facts import Facts
from jiuye.rules.identifiers import mask_text
from jiuye.rules.measure import Measure
from jiuye.rules.output import compact_texts, result_dicts, result_text

# every column holding an id of a subject or a reference to one (facts.SCHEMAS); nothing else is renamed
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("id",), "education": ("person",), "statuses": ("person",), "unemployment": ("person",),
    "flexible": ("person",), "contracts": ("contract_id", "person", "employer", "referred_by"),
    "social_insurance": ("person", "employer"), "internships": ("internship_id", "person", "base"),
    "certificates": ("person", "training_institution"), "skill_evaluations": ("person",), "employers": ("id",),
    "organizations": ("id",), "evaluations": ("org",), "city_subsidies": ("org",), "events": ("org", "event_id"),
    "awards": ("org", "event_id", "winner"), "landings": ("org",), "payments": ("beneficiary", "subject"),
}  # fmt: skip
MAX_SUBJECTS = 2000  # subjects per merged evaluation (explanations: bounded memory, as MAX_EXPLAINED_SUBJECTS)
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One case to evaluate: its facts, window and parameters, with explanations or not, over ``measures``
    (None = every measure)."""

    facts: Facts
    window_from: dt.date
    window_to: dt.date
    parameters: dict[str, Any] = field(default_factory=dict)
    explain: bool = True
    measures: tuple[Measure, ...] | None = None

    @classmethod
    def of(cls, case: Case, explain: bool = True, measures: Sequence[Measure] | None = None) -> Job:
        return cls(case.facts, case.window_from, case.window_to, case.parameters, explain,
                   None if measures is None else tuple(measures))  # fmt: skip

    def key(self) -> tuple[Any, ...]:
        """Jobs with the same key may be evaluated together."""
        measures = None if self.measures is None else tuple(m.id for m in self.measures)
        return (self.window_from, self.window_to, repr(sorted(self.parameters.items())), self.explain, measures)

    def alone(self) -> Result:
        return evaluate_facts(self.facts, self.window_from, self.window_to, parameters=self.parameters,
                              explain=self.explain, measures=self.measures)  # fmt: skip

    @property
    def subjects(self) -> int:
        f = self.facts
        return f.persons.height + f.employers.height + f.organizations.height


def _marker(i: int) -> str:
    return f"{MARK}{i}{MARK}"


class _Unattributable(Exception):
    """A case holds the marker character, or an output row names no case or two: the group is evaluated case
    by case instead."""


def merge_facts(facts: Sequence[Facts]) -> Facts:
    """One :class:`Facts` holding every case's tables, the ids of case *i* prefixed with its marker.

    Raises :class:`_Unattributable` when any string of any case holds the marker character."""
    merged: dict[str, pl.DataFrame] = {}
    queries: dict[str, pl.LazyFrame] = {}
    every = [f.tables() for f in facts]  # once per case, not once per table (~0.3 ms per case)
    for name, ids in ID_COLUMNS.items():
        tables = [t[name] for t in every]
        heights = [t.height for t in tables]
        if not any(heights):
            merged[name] = tables[0]  # empty in every case (most tables of a one-person case): no query
            continue
        # the frames concatenated as they are and each row's case given as one column: a lazy frame and a
        # literal per case made the plan grow with the cases (~0.2 ms of Python per case)
        raw = pl.concat([t for t in tables if t.height], rechunk=False).lazy()
        case = pl.Series("_i", [i for i, h in enumerate(heights) for _ in range(h)], dtype=pl.Int64)
        strings = [c for c, t in tables[0].schema.items() if t == pl.String]
        marked = pl.any_horizontal(pl.col(strings).str.contains(MARK, literal=True)) if strings else pl.lit(False)
        prefix = [pl.lit(MARK), pl.col("_i").cast(pl.String), pl.lit(MARK)]
        queries[name] = raw.with_columns(case).with_columns(_marked=marked.fill_null(False)).with_columns(
            pl.concat_str([*prefix, pl.col(c)]).alias(c) for c in ids
        ).drop("_i")  # fmt: skip
    for name, frame in zip(queries, pl.collect_all(queries.values(), engine="in-memory"), strict=True):
        if frame["_marked"].any():
            raise _Unattributable("marker in a case")
        merged[name] = frame.drop("_marked")
    return Facts(**merged)


def _strip(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(MARKER_PATTERN, "")


def _tagged(frame: pl.DataFrame, owners: Sequence[str]) -> pl.DataFrame:
    """``frame`` with the integer column ``_case`` (the case of each row, by the marker of its ``owners``
    columns) and every marker removed from its strings."""
    if frame.is_empty():
        return frame.with_columns(_case=pl.lit(None, pl.Int64))
    index = [pl.col(c).str.extract(f"^{MARK}([0-9]+){MARK}", 1).cast(pl.Int64) for c in owners]
    tagged = frame.with_columns(_case=index[0], **{f"_case{k}": e for k, e in enumerate(index[1:])})
    checks = [pl.col("_case").is_null().any()] + [
        (pl.col(f"_case{k}") != pl.col("_case")).fill_null(True).any() for k in range(len(index) - 1)
    ]
    if any(tagged.select(checks).row(0)):
        raise _Unattributable(owners)
    strings: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            strings.append(_strip(pl.col(name)))
        elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
            fields = [f.name for f in dtype.inner.fields if f.dtype == pl.String]
            strings.append(pl.col(name).list.eval(pl.element().struct.with_fields(_strip(pl.field(f)) for f in fields)))
    return tagged.drop([c for c in tagged.columns if c.startswith("_case") and c != "_case"]).with_columns(strings)


def _parts(tagged: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    """A :func:`_tagged` frame cut into one frame per case (without ``_case``)."""
    empty = tagged.clear().drop("_case")
    if tagged.is_empty():
        return [empty for _ in range(n)]
    parts = tagged.partition_by("_case", as_dict=True, include_key=False, maintain_order=True)
    return [parts.get((i,), empty) for i in range(n)]


def _split(frame: pl.DataFrame, n: int, owners: Sequence[str]) -> list[pl.DataFrame]:
    """``frame`` cut into one frame per case by the marker of its ``owners`` columns, markers removed."""
    return _parts(_tagged(frame, owners), n)


class _SharedJson:
    """The ``to_json`` dicts of a merged evaluation's cases, read from the merged columns all at once
    (:func:`~jiuye.rules.output.result_dicts`) when the first of its results is asked for: ~0.1 ms less per case
    than each result reading its own small frames.  Each dict is handed out once, to the result it was split
    into, with that result's frames unchanged; any other call (a second one, a copy with other frames) gets
    None and the result reads its own frames, which give the same dict."""

    def __init__(self, tagged_lines: pl.DataFrame, tagged_explanations: pl.DataFrame | None,
                 parts: list[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]]) -> None:  # fmt: skip
        self._lock = threading.Lock()
        self._merged: tuple[pl.DataFrame, pl.DataFrame | None] | None = (tagged_lines, tagged_explanations)
        self._parts = parts  # per case: its result's (entitlements, findings, explanations)
        self._dicts: list[dict[str, Any] | None] = []

    def of(self, i: int) -> Callable[[Result], dict[str, Any] | None]:
        """Case *i*'s ``Result.shared_json``."""
        return functools.partial(self._take, i)

    def _take(self, i: int, result: Result) -> dict[str, Any] | None:
        frames = (result.entitlements, result.findings, result.explanations)
        if any(a is not b for a, b in zip(self._parts[i], frames, strict=True)):
            return None
        with self._lock:
            if self._merged is not None:
                lines, explanations = self._merged
                self._dicts = list(result_dicts(lines, [f for _, f, _ in self._parts], explanations, "_case"))
                self._merged = None
            found, self._dicts[i] = self._dicts[i], None
        return found


NO_TEXT = object()  # a job whose caller wants its Result, not the text


def _together(jobs: Sequence[Job], extras: Sequence[Any]) -> list[Result | bytes]:
    """Jobs of one key evaluated as one case, split per job (raises _Unattributable).  ``extras[i]`` is
    :data:`NO_TEXT` (job *i* gets its :class:`Result`) or the ``extra`` of its compact text (it gets
    ``result_text(result, indent=None, extra)``, written for all such jobs at once)."""
    first = jobs[0]
    merged = merge_facts([j.facts for j in jobs])
    result = evaluate_facts(merged, first.window_from, first.window_to, parameters=first.parameters,
                            explain=first.explain, measures=first.measures, namespaced=True)  # fmt: skip
    n = len(jobs)
    tagged_lines = _tagged(result.entitlements, ("subject", "beneficiary"))
    tagged_explanations = None if result.explanations is None else _tagged(result.explanations, ("subject",))
    findings = _split(result.findings, n, ("subject",))
    out: list[Result | bytes] = []
    if any(e is NO_TEXT for e in extras):  # frames per case only when some caller wants its Result
        lines = _parts(tagged_lines, n)
        explanations = None if tagged_explanations is None else _parts(tagged_explanations, n)
        parts = [(lines[i], findings[i], None if explanations is None else explanations[i]) for i in range(n)]
        shared = _SharedJson(tagged_lines, tagged_explanations, parts)
        out = [Result(entitlements=e, findings=f, explanations=x, shared_json=shared.of(i))
               for i, (e, f, x) in enumerate(parts)]  # fmt: skip
    if any(e is not NO_TEXT for e in extras):
        texts = compact_texts(tagged_lines, findings, tagged_explanations, "_case",
                              [None if e is NO_TEXT else e for e in extras])  # fmt: skip
        out = [out[i] if e is NO_TEXT else t for i, (t, e) in enumerate(zip(texts, extras, strict=True))]
    return out


def evaluate_many(jobs: Sequence[Job]) -> list[Result | BaseException]:
    """Each job's result (or the exception evaluating it raised), evaluating jobs of one key together."""
    return [r for r in _run(jobs, [NO_TEXT] * len(jobs)) if not isinstance(r, bytes)]


def texts_many(jobs: Sequence[Job], extras: Sequence[dict[str, Any] | None]) -> list[bytes | BaseException]:
    """Each job's compact JSON text, ``result_text(result, indent=None, extra=extras[i])`` (the evaluate
    API's response), or the exception evaluating it raised; jobs of one key evaluated and written together."""
    return [r for r in _run(jobs, extras) if not isinstance(r, Result)]


def _run(jobs: Sequence[Job], extras: Sequence[Any]) -> list[Result | bytes | BaseException]:
    out: list[Result | bytes | BaseException | None] = [None] * len(jobs)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault(job.key(), []).append(i)
    for indexes in groups.values():
        for chunk in _chunks(indexes, jobs):
            results: list[Result | bytes] | None = None
            if len(chunk) > 1:
                try:
                    results = _together([jobs[i] for i in chunk], [extras[i] for i in chunk])
                except Exception as exc:  # _Unattributable or any other: each job alone says what is wrong with it
                    _fell_back(exc, len(chunk))
                    results = None
            for k, i in enumerate(chunk):
                if results is not None:
                    out[i] = results[k]
                    continue
                try:
                    alone = jobs[i].alone()
                    out[i] = alone if extras[i] is NO_TEXT else result_text(alone, indent=None,
                                                                             extra=extras[i]).encode()  # fmt: skip
                except Exception as exc:
                    out[i] = exc
    return [r for r in out if r is not None]


class Fallbacks:
    """How often a merged evaluation failed and its cases were evaluated one by one, by exception type.

    Meant for a bad case in a gathering (one holding the marker character, or one whose data makes the
    engine raise: each caller then gets its own result or its own error); a merge bug would otherwise show
    only as slowness, so every fallback is also logged as a warning."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_type: dict[str, int] = {}

    @property
    def total(self) -> int:
        return sum(self.by_type.values())

    def add(self, exc: BaseException) -> None:
        with self._lock:
            name = type(exc).__name__
            self.by_type[name] = self.by_type.get(name, 0) + 1


FALLBACKS = Fallbacks()  # the process's count (read by tests and benchmarks)


def _fell_back(exc: Exception, cases: int) -> None:
    FALLBACKS.add(exc)
    # a Polars error about one case can quote its values (an ID number, a phone): the server log gets the
    # message and the traceback through the masking policy, never ``exc_info`` (which prints them raw)
    trace = mask_text("".join(traceback.format_exception(exc)))
    LOG.warning("合并评估 %d 个案例失败，改为逐个评估（%s: %s）\n%s", cases, type(exc).__name__, mask_text(str(exc)), trace)


def _chunks(indexes: list[int], jobs: Sequence[Job]) -> list[list[int]]:
    chunks: list[list[int]] = [[]]
    size = 0
    for i in indexes:
        if chunks[-1] and size + jobs[i].subjects > MAX_SUBJECTS:
            chunks.append([])
            size = 0
        chunks[-1].append(i)
        size += jobs[i].subjects
    return chunks


@dataclass
class _Waiter:
    job: Job | None  # None: ``case`` is read by the gathering (:meth:`MicroBatcher.case_text_async`)
    done: threading.Event = field(default_factory=threading.Event)
    extra: Any = NO_TEXT  # NO_TEXT: the caller wants the Result; else the ``extra`` of the compact text it wants
    result: Result | bytes | BaseException | None = None
    lead: bool = False  # this caller gathers and evaluates the next group (set under the lock)
    future: asyncio.Future[None] | None = None  # an async caller's: settled on its loop when the result is in
    case: dict[str, Any] | None = None  # the decoded case JSON, when ``job`` is None …
    make: Callable[[Case], tuple[Job, Any]] | None = None  # … and what makes its job and ``extra`` once read


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():  # the caller may have gone (request cancelled)
        future.set_result(None)


def _settle_all(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        _settle(future)


def _wake_all(waiters: Sequence[_Waiter]) -> None:
    """Each waiter woken (its result is in): a thread caller by its event, the async callers of one event loop
    by one ``call_soon_threadsafe`` — each writes to the loop's wake-up pipe (a system call, the interpreter
    handed back and forth with the loop's thread), so once per gathering instead of once per caller."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for w in waiters:
        if w.future is None:
            w.done.set()
        else:
            by_loop.setdefault(w.future.get_loop(), []).append(w.future)
    for loop, futures in by_loop.items():
        # RuntimeError: that event loop is closed, its callers are gone; the others must still be woken
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle_all, futures)


class MicroBatcher:
    """Gathers the jobs of concurrent callers for ``window`` seconds and evaluates them together.

    No thread of its own: the first caller when nobody is evaluating becomes the leader — it waits ``window``,
    takes every job queued by then (itself first), evaluates them in its own thread and hands each caller its
    result; if more jobs queued meanwhile, the first of them leads the next group.  One group is evaluated at
    a time, so under load groups grow and each case costs less; a lone caller evaluates in its own thread as
    without batching.  ``evaluate`` returns exactly what evaluating the job alone returns.

    An async caller (:meth:`evaluate_text_async`, from an event loop) holds no thread while it waits — so a
    server's thread pool does not bound how many requests one gathering takes — and never leads: when it
    would, a short-lived thread leads in its place.
    """

    def __init__(self, window: float = 0.002, max_jobs: int = 256, quiet: float = 0.004, max_wait: float = 0.03) -> None:
        self.window = window
        self.max_jobs = max_jobs
        self.quiet = quiet  # after ``window``: gather on while a job arrived in the last ``quiet`` seconds …
        self.max_wait = max_wait  # … for at most this long
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # the gathering leader waits on it (``_gather``) …
        self._wake_at = max_jobs + 1  # … woken when this many jobs are pending (set by the leader, under the lock)
        self._pending: list[_Waiter] = []
        self._leading = False
        self.gatherings = 0  # evaluations run (for benchmarks: jobs per gathering)
        self._last_size = 0  # jobs the previous gathering took
        self._carried = 0  # jobs already waiting when it handed over: callers other than the ones it answered
        self.jobs = 0

    def evaluate(self, job: Job) -> Result:
        got = self._wait(_Waiter(job))
        assert isinstance(got, Result)
        return got

    def evaluate_text(self, job: Job, extra: dict[str, Any] | None = None) -> bytes:
        """The compact JSON text of the job's result with ``extra`` members (:func:`texts_many`): the
        gathering writes the texts of all its callers at once."""
        got = self._wait(_Waiter(job, extra=extra))
        assert isinstance(got, bytes)
        return got

    async def evaluate_text_async(self, job: Job, extra: dict[str, Any] | None = None) -> bytes:
        """:meth:`evaluate_text` for a caller on an event loop: awaits the gathering without holding a thread."""
        got = await self._wait_async(_Waiter(job, extra=extra, future=asyncio.get_running_loop().create_future()))
        assert isinstance(got, bytes)
        return got

    async def case_text_async(self, case: dict[str, Any], explain: bool = True) -> bytes:
        """The evaluate API's response to the decoded case JSON ``case``: the compact text of its result with
        its reading warnings (``{"warnings": […]}`` when any), exactly :func:`~jiuye.rules.case.parse_case`,
        :func:`~jiuye.rules.check_explain_size` then :meth:`evaluate_text_async`, the case read in the
        gathering (:meth:`case_async`).  Raises the CaseError reading or checking it raised."""

        def make(parsed: Case) -> tuple[Job, Any]:
            from jiuye.rules import check_explain_size

            if explain:
                check_explain_size(parsed)  # counts rows: no query
            return Job.of(parsed, explain), {"warnings": list(parsed.warnings)} if parsed.warnings else None

        got = await self.case_async(case, make)
        assert isinstance(got, bytes)
        return got

    async def case_async(self, case: dict[str, Any], make: Callable[[Case], tuple[Job, Any]]) -> Result | bytes:
        """The result of the decoded case JSON ``case``, read by the gathering's thread together with the other
        cases it gathered (:func:`~jiuye.rules.case.parse_cases`: one GB 11643 query for all their ID
        numbers) rather than on the caller's event loop — a Polars query there waits for the pool, which is
        busy evaluating the previous gathering, and stalls every other request of the loop meanwhile.
        ``make(parsed)`` (called in that thread) gives the job and its ``extra`` (:data:`NO_TEXT`: the
        :class:`Result` is returned; else the compact text with ``extra``).  Raises the exception reading the
        case or ``make`` raised."""
        waiter = _Waiter(None, future=asyncio.get_running_loop().create_future(), case=case, make=make)
        return await self._wait_async(waiter)

    async def evaluate_async(self, job: Job) -> Result:
        """:meth:`evaluate` for a caller on an event loop (the self-check)."""
        got = await self._wait_async(_Waiter(job, future=asyncio.get_running_loop().create_future()))
        assert isinstance(got, Result)
        return got

    async def _wait_async(self, me: _Waiter) -> Result | bytes:
        assert me.future is not None
        with self._lock:
            self._pending.append(me)
            self._notify_arrival()
            lead = not self._leading
            self._leading = True
        if lead:
            self._lead_elsewhere()
        await me.future
        if isinstance(me.result, BaseException):
            raise me.result
        assert me.result is not None
        return me.result

    def _lead_elsewhere(self) -> None:
        threading.Thread(target=self._lead, name="jiuye-batch", daemon=True).start()

    def _wait(self, me: _Waiter) -> Result | bytes:
        with self._lock:
            self._pending.append(me)
            self._notify_arrival()
            if not self._leading:
                self._leading = me.lead = True
        while me.result is None:
            if me.lead:
                self._lead()
            else:
                me.done.wait()
        if isinstance(me.result, BaseException):
            raise me.result
        return me.result

    def _notify_arrival(self) -> None:
        """Wake the gathering leader once as many jobs as it waits for are pending (under the lock)."""
        if len(self._pending) >= self._wake_at:
            self._wake_at = self.max_jobs + 1
            self._arrived.notify()

    def _gather(self) -> None:
        """Wait ``window``, then on while jobs keep arriving (each within ``quiet`` of the last), up to
        ``max_wait``: under load the callers of the group just answered come back one by one as the server
        reads their requests, and a group that takes them pays the engine's fixed cost once instead of
        again a few milliseconds later.  Until as many jobs as the previous gathering took are in, a pause
        longer than ``quiet`` does not end the gathering (only ``max_wait`` does): the server writing the
        previous group's responses holds the interpreter for longer than that, and a gathering that left
        with the one request read so far cost every other caller a whole evaluation more — the tail of
        the latency at 50 clients.  The callers waiting when the previous gathering handed over (they came while it
        was evaluated) are others than the ones it answered, so both are expected: otherwise two cohorts form
        and alternate for ever — each evaluation takes half the callers and pays the engine's fixed cost,
        most of a one-person evaluation, twice as often.  Once every expected caller is in, the gathering
        leaves at once (woken by the arrival that completes it, :meth:`_notify_arrival`), without a further
        ``quiet`` to see whether more come: under a steady load nobody else is on the way, and that wait was
        a few milliseconds of every cycle with the whole server idle.  A lone caller (alone now and in the
        previous gathering) waits ``window`` only."""
        if self.window <= 0:
            return
        time.sleep(self.window)
        deadline = time.monotonic() + self.max_wait
        expected = min(self.max_jobs, self._last_size + self._carried)
        with self._lock:
            seen = len(self._pending)
            if seen <= 1 and self._last_size <= 1:  # nobody else came, nor last time: no load to gather
                return
            # only a gathering that knows whom to expect (two or more) leaves as soon as they are all in
            enough = expected if expected > 1 else self.max_jobs
            while seen < enough and seen < self.max_jobs:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._wake_at = max(seen + 1, enough)
                self._arrived.wait(min(self.quiet, left))
                self._wake_at = self.max_jobs + 1
                now = len(self._pending)
                if now == seen and now >= expected:  # a pause of ``quiet`` with every expected caller in
                    return
                seen = now

    def _lead(self) -> None:
        self._gather()
        with self._lock:
            items = self._pending[: self.max_jobs]
            del self._pending[: len(items)]
            self._last_size = len(items)
        try:
            _read_cases([w for w in items if w.job is None])
            ready = [w for w in items if w.result is None]
            jobs = [w.job for w in ready if w.job is not None]
            assert len(jobs) == len(ready)
            results: list[Result | bytes | BaseException] = _run(jobs, [w.extra for w in ready])
        except BaseException as exc:  # never leave a caller waiting
            ready = [w for w in items if w.result is None]
            results = [exc] * len(ready)
        for w, r in zip(ready, results, strict=True):
            w.result = r
        with self._lock:
            self.gatherings += 1
            self.jobs += len(items)
            following = self._pending[0] if self._pending else None
            self._carried = len(self._pending)
            if following is None:
                self._leading = False
            elif following.future is None:
                following.lead = True
        _wake_all(items)
        if following is not None:
            if following.future is None:
                following.done.set()
            else:
                self._lead_elsewhere()


def _read_cases(waiters: Sequence[_Waiter]) -> None:
    """Each waiter's case read (all ID numbers in one query) and made into its job, or its error into its
    result."""
    if not waiters:
        return
    from jiuye.rules.case import parse_cases

    for w, parsed in zip(waiters, parse_cases([w.case if w.case is not None else {} for w in waiters]), strict=True):
        try:
            if isinstance(parsed, Exception):
                raise parsed
            assert w.make is not None
            w.job, w.extra = w.make(parsed)
        except Exception as exc:
            w.result = exc


BATCHER = MicroBatcher()  # the process's one batcher: the evaluate API and the public self-check share it
