"""Matching: evaluate the registry chunk by chunk and store what it finds in the ledger.

Per chunk (one transaction, together with the run's progress row):

1. facts of the chunk's persons (or, for organisation/employer measures, all facts) with the ledger's
   non-reversed payments as ``facts.payments`` — caps and once-only rules read the ledger;
2. the engine evaluates every measure of the chunk from the measure's start (G5) to ``month_to``
   (columnar, no loop over people);
3. the lines go into a staging table and four set-based statements reconcile them with ``entitlements``:
   - new lines of any month up to ``month_to`` are inserted as ``found`` (arrears included);
   - lines of the window ``month_from``…``month_to`` whose amount/status changed are updated (only while
     ``found``/``approved``; paid lines are history) and the change is written to ``entitlement_changes``;
   - ``withdrawn`` lines the facts show again become ``found``;
   - ``found``/``approved`` lines of the window that the facts no longer show become ``withdrawn``;
   - an ``approved`` line whose facts (what its conditions compared, ``line_facts``) read differently goes
     back to ``review`` even with the same amount (issue 9 item 5; see :func:`jiuye.ledger.reconcile.reconcile`).

Idempotent (the same facts give no change) and resumable: the run row counts finished chunks; a run
killed at any point leaves whole chunks behind, and running again resumes (or, with a new window, redoes
everything, which changes nothing for the chunks already done).  Matching never approves or pays.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.ledger.reconcile import Reconciled, reconcile
from jiuye.ledger.service import bureau_district, payment_history
from jiuye.matching.models import match_digests, match_runs
from jiuye.matching.sources import FactsSource
from jiuye.rules.engine import evaluate_facts
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Measure

ACTOR = "主动匹配（系统）"  # the actor of every matching event, shown on the pages


@dataclass
class Chunk:
    index: int
    persons: list[str] | None  # None: the organisation/employer chunk (all facts)
    measures: tuple[Measure, ...]


ChunkResult = Reconciled  # what reconciling one chunk did (counts of lines)


@dataclass
class RunResult:
    run_id: int
    chunks: int
    resumed_from: int
    people: int
    totals: ChunkResult = field(default_factory=ChunkResult)


def split_measures(measures: Sequence[Measure]) -> tuple[tuple[Measure, ...], tuple[Measure, ...]]:
    computable = [m for m in measures if m.computable and m.meta.kind != "rule"]
    person = tuple(m for m in computable if m.subjects == "persons")
    other = tuple(m for m in computable if m.subjects != "persons")
    return person, other


def plan_chunks(person_ids: list[str], measures: Sequence[Measure], size: int) -> list[Chunk]:
    person, other = split_measures(measures)
    chunks: list[Chunk] = []
    if person:
        for start in range(0, len(person_ids), size):
            chunks.append(Chunk(len(chunks), person_ids[start : start + size], person))
    if other:
        chunks.append(Chunk(len(chunks), None, other))
    return chunks


def earliest_start(measures: Sequence[Measure]) -> dt.date:
    from jiuye.rules.engine import measure_parameters

    starts = [measure_parameters(m, None).window.start for m in measures]
    return min(starts) if starts else dt.date(2023, 1, 1)


def store_chunk(
    session: Session, run_id: int, chunk: Chunk, lines: pl.DataFrame, month_from: dt.date, month_to: dt.date,
    facts: pl.DataFrame | None = None,
) -> ChunkResult:
    """Reconcile ``lines`` (engine entitlements of the chunk, with the ``facts`` behind them) with the
    ledger, through the ledger."""
    return reconcile(session, lines, policies=[m.id for m in chunk.measures], persons=chunk.persons,
                     month_from=month_from, month_to=month_to, run_id=run_id, actor=ACTOR, facts=facts)  # fmt: skip


# --- runs ------------------------------------------------------------------------------------------
def open_run(
    session: Session, month_from: dt.date, month_to: dt.date, chunks: int, actor: str,
    fingerprint: str | None = None,
) -> tuple[int, int]:
    """Resume the unfinished run of the same window (same plan) or start a new one: (run id, chunks done).

    A run resumes only when the registry's fingerprint is the one it started with (issue 9): after an
    import in between, the chunks it already did were computed from facts that no longer hold, so the
    interrupted run is closed (``abandoned``) and a new one re-evaluates every chunk.  Without a
    fingerprint a run never resumes.
    """
    row = session.execute(
        sa.select(match_runs.c.id, match_runs.c.chunks_done, match_runs.c.fingerprint)
        .where(match_runs.c.state == "running", match_runs.c.month_from == month_from,
               match_runs.c.month_to == month_to, match_runs.c.chunks_total == chunks)
        .order_by(match_runs.c.id.desc()).limit(1)
    ).first()  # fmt: skip
    if row is not None:
        if fingerprint is not None and row[2] == fingerprint:
            return int(row[0]), int(row[1])
        session.execute(
            sa.update(match_runs).where(match_runs.c.id == row[0], match_runs.c.state == "running")
            .values(state="abandoned", finished_at=dt.datetime.now(dt.UTC))
        )  # fmt: skip
    run_id = session.execute(
        sa.insert(match_runs)
        .values(month_from=month_from, month_to=month_to, chunks_total=chunks, chunks_done=0, state="running",
                started_by=actor, fingerprint=fingerprint)
        .returning(match_runs.c.id)
    ).scalar_one()  # fmt: skip
    return int(run_id), 0


@functools.cache
def code_version() -> str:
    """A hash of the installed jiuye sources and the Polars version: the engine's and matching's code."""
    import jiuye

    h = hashlib.sha256(f"polars {pl.__version__}".encode())
    root = Path(jiuye.__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def chunk_key(chunk: Chunk) -> str:
    """Which chunk: its measures and its persons (the organisation chunk: its measures only)."""
    h = hashlib.sha256(",".join(m.id for m in chunk.measures).encode() + b"|")
    h.update(b"*" if chunk.persons is None else "\n".join(chunk.persons).encode())
    return h.hexdigest()


def frame_digest(frame: pl.DataFrame) -> str:
    """Order-independent digest of a frame's rows (with its schema)."""
    h = hashlib.sha256(repr(frame.schema).encode() + f"|{frame.height}|".encode())
    if frame.height:
        for seed in (7, 11):  # two independent 64-bit row hashes, summed (wrapping) and xor-folded
            hashes = frame.hash_rows(seed=seed)
            stats = (hashes.sum(), hashes.min(), hashes.max(), hashes.sort().hash(seed=seed).sum())
            h.update("|".join(str(x) for x in stats).encode())
    return h.hexdigest()


def facts_digest(facts: Facts) -> str:
    h = hashlib.sha256()
    for name, frame in sorted(facts.tables().items()):
        if name != "payments":
            h.update(name.encode() + frame_digest(frame).encode())
    return h.hexdigest()


def input_digest(run_inputs: str, chunk: Chunk, facts_version: str, payments: pl.DataFrame) -> str:
    """Everything a chunk's reconciliation depends on: code, parameters and window (``run_inputs``), the
    chunk (measures, persons), its facts (``facts_version``) and the ledger's payments."""
    parts = [run_inputs, chunk_key(chunk), facts_version, frame_digest(payments)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _payments_mark(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of the payments table: payments are only ever inserted (new ids) and reversed."""
    p = sa.table("payments", sa.column("id"), sa.column("state"))
    reversed_ids = sa.case((p.c.state == "reversed", p.c.id), else_=0)
    stmt = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(p.c.id), 0),
                     sa.func.coalesce(sa.func.sum(reversed_ids), 0))  # fmt: skip
    return tuple(session.execute(stmt).one())


def _stored_digest(session: Session, key: str) -> str | None:
    row = session.execute(sa.select(match_digests.c.digest).where(match_digests.c.chunk_key == key)).first()
    return None if row is None else str(row[0])


def _save_digest(session: Session, key: str, digest: str, lines: int, run_id: int) -> None:
    values = {"digest": digest, "lines": lines, "run_id": run_id, "updated_at": sa.func.current_timestamp()}
    done = session.execute(sa.update(match_digests).where(match_digests.c.chunk_key == key).values(**values))
    if not done.rowcount:  # type: ignore[attr-defined]
        session.execute(sa.insert(match_digests).values(chunk_key=key, **values))


def run_match(
    session_factory: Callable[[], Any],
    source_factory: Callable[[Session], FactsSource],
    month_from: dt.date,
    month_to: dt.date,
    *,
    measures: Sequence[Measure] | None = None,
    chunk_size: int = 20_000,
    actor: str = ACTOR,
    progress: Callable[[int, int, int], None] | None = None,
    parameters: dict[str, Any] | None = None,
    full: bool = False,
) -> RunResult:
    """Run (or resume) matching; ``session_factory()`` yields a context-managed session that commits.

    A chunk whose inputs digest equals the one stored when it was last reconciled is skipped (the same
    inputs give the same lines; reconciling them again changes nothing); ``full=True`` reconciles every
    chunk anyway.  When the source can tell its version cheaply (``version()``, e.g. the registry's
    change fingerprint) that version stands for the facts and unchanged chunks are skipped without
    loading them; otherwise the loaded facts are hashed.
    """
    from jiuye.db import exclusive_run

    with session_factory() as session:
        bind = session.get_bind()
    # one whole match at a time, whoever starts it (command line or web): a run resumes by its window and
    # counts its chunks, so two at once would share one run and take each other's chunks.  A second one
    # queues behind the first (the web refuses before it queues a job: jiuye.matching.views)
    with exclusive_run(bind, MATCH_RUN, lambda: busy_message(bind, waiting=True), wait=True):
        return _run_match(session_factory, source_factory, month_from, month_to, measures=measures,
                          chunk_size=chunk_size, actor=actor, progress=progress, parameters=parameters, full=full)  # fmt: skip


MATCH_RUN = "match"  # the name of the exclusive run (jiuye.db.exclusive_run)


def busy_message(bind: Any, waiting: bool = False) -> str:
    """Why a second match waits or is refused: the run in progress (the newest one still marked running)."""
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    with engine.connect() as c:
        row = c.execute(
            sa.select(match_runs.c.id, match_runs.c.started_by, match_runs.c.started_at, match_runs.c.month_from,
                      match_runs.c.month_to)
            .where(match_runs.c.state == "running").order_by(match_runs.c.id.desc()).limit(1)
        ).first()  # fmt: skip
    then = "同一时间只运行一个匹配，正在排队等它完成…" if waiting else "同一时间只运行一个匹配，请等它完成后再发起。"
    if row is None:
        return f"另一个主动匹配正在进行，{then}"
    started = row[2].strftime("%Y-%m-%d %H:%M") if hasattr(row[2], "strftime") else str(row[2])[:16]
    return (f"另一个主动匹配正在进行（匹配运行 {row[0]}，{row[1]} 于 {started} 发起，{row[3]:%Y-%m} 至 {row[4]:%Y-%m}）；"
            f"{then}")  # fmt: skip


def _run_match(
    session_factory: Callable[[], Any],
    source_factory: Callable[[Session], FactsSource],
    month_from: dt.date,
    month_to: dt.date,
    *,
    measures: Sequence[Measure] | None,
    chunk_size: int,
    actor: str,
    progress: Callable[[int, int, int], None] | None,
    parameters: dict[str, Any] | None,
    full: bool,
) -> RunResult:
    from jiuye.rules.catalog import all_measures

    chosen = tuple(measures if measures is not None else all_measures())
    with session_factory() as session:
        # G12: a bureau matches only its own district's document (jiuye settings district)
        district = bureau_district(session)
        chosen = tuple(m for m in chosen if district.covers(m.district))
        source = source_factory(session)
        people = source.person_ids()
        chunks = plan_chunks(people, chosen, chunk_size)
        version_of = getattr(source, "version", None)
        facts_version: str | None = version_of() if version_of is not None else None  # before any load
        # the registry fingerprint a resumed run must find unchanged (a source without a cheap version: the
        # digest of all its facts)
        fingerprint = hashlib.sha256(
            (facts_version if facts_version is not None else facts_digest(source.load(None))).encode()
        ).hexdigest()
        run_id, done = open_run(session, month_from, month_to, len(chunks), actor, fingerprint)
    result = RunResult(run_id, len(chunks), done, len(people))
    start = earliest_start(chosen)
    shared: dict[str, Any] = {}  # a source's whole-registry read, reused by the run's chunks
    run_inputs = json.dumps(
        [code_version(), str(start), str(month_from), str(month_to), parameters or {}], sort_keys=True, default=str
    )
    for chunk in chunks[done:]:
        with session_factory() as session:
            source = source_factory(session)
            if hasattr(source, "share"):
                source.share(shared)
            mark = _payments_mark(session)
            if shared.get("payments_mark") != mark:  # read the payments again only when they changed
                shared["payments"], shared["payments_mark"] = payment_history(session), mark
            payments = shared["payments"]
            key = chunk_key(chunk)
            stored = None if full else _stored_digest(session, key)
            facts: Facts | None = None
            if facts_version is not None:
                digest = input_digest(run_inputs, chunk, facts_version, payments)
            else:
                facts = source.load(chunk.persons)
                digest = input_digest(run_inputs, chunk, facts_digest(facts), payments)
            if digest == stored:
                res = ChunkResult()
            else:
                if facts is None:
                    facts = source.load(chunk.persons)
                    read_version = getattr(source, "read_version", lambda: None)()
                    if read_version is not None and read_version != facts_version:
                        # an import committed between the fingerprint and the (snapshot) read: the lines
                        # are computed from the state the read saw, so their digests name that state
                        facts_version = read_version
                        digest = input_digest(run_inputs, chunk, facts_version, payments)
                evaluated = evaluate_facts(
                    facts.with_payments(payments), start, month_to, parameters, measures=chunk.measures,
                    line_facts=True,
                )  # the facts behind the lines too: an approved line whose facts changed goes back to review
                res = store_chunk(session, run_id, chunk, evaluated.entitlements, month_from, month_to,
                                  evaluated.line_facts)  # fmt: skip
                _save_digest(session, key, digest, res.lines, run_id)
            session.execute(
                sa.update(match_runs).where(match_runs.c.id == run_id).values(
                    chunks_done=chunk.index + 1,
                    inserted=match_runs.c.inserted + res.inserted,
                    changed=match_runs.c.changed + res.changed,
                    withdrawn=match_runs.c.withdrawn + res.withdrawn,
                )
            )  # fmt: skip
        for k in ("lines", "inserted", "changed", "withdrawn"):
            setattr(result.totals, k, getattr(result.totals, k) + getattr(res, k))
        if progress is not None:
            progress(chunk.index + 1, len(chunks), len(chunk.persons or []))
    with session_factory() as session:
        session.execute(
            sa.update(match_runs).where(match_runs.c.id == run_id)
            .values(state="finished", finished_at=dt.datetime.now(dt.UTC))
        )  # fmt: skip
    return result
