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
   - ``found``/``approved`` lines of the window that the facts no longer show become ``withdrawn``.

Idempotent (the same facts give no change) and resumable: the run row counts finished chunks; a run
killed at any point leaves whole chunks behind, and running again resumes (or, with a new window, redoes
everything, which changes nothing for the chunks already done).  Matching never approves or pays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.ledger.models import entitlement_changes, entitlements, match_runs
from jiuye.ledger.service import payment_history
from jiuye.ledger.transitions import audit_set
from jiuye.matching.sources import FactsSource
from jiuye.rules.dates import month_end
from jiuye.rules.engine import evaluate_facts
from jiuye.rules.measure import Measure

ACTOR = "jiuye match"
STAGE = "match_stage"
SCOPE = "match_scope"


@dataclass
class Chunk:
    index: int
    persons: list[str] | None  # None: the organisation/employer chunk (all facts)
    measures: tuple[Measure, ...]


@dataclass
class ChunkResult:
    lines: int = 0
    inserted: int = 0
    changed: int = 0
    withdrawn: int = 0


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


# --- staging ---------------------------------------------------------------------------------------
def _prepare_stage(session: Session) -> None:
    temp = "TEMP"
    session.execute(sa.text(
        f"CREATE {temp} TABLE IF NOT EXISTS {STAGE} (policy VARCHAR(16) NOT NULL, beneficiary TEXT NOT NULL, "
        "subject TEXT NOT NULL, month DATE NOT NULL, amount_fen BIGINT, status VARCHAR(16) NOT NULL)"
    ))  # fmt: skip
    session.execute(sa.text(f"CREATE {temp} TABLE IF NOT EXISTS {SCOPE} (subject TEXT NOT NULL)"))
    session.execute(
        sa.text(f"CREATE INDEX IF NOT EXISTS {STAGE}_key ON {STAGE} (policy, beneficiary, subject, month)")
    )
    session.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {SCOPE}_subject ON {SCOPE} (subject)"))
    session.execute(sa.text(f"DELETE FROM {STAGE}"))
    session.execute(sa.text(f"DELETE FROM {SCOPE}"))


def _bulk_insert(session: Session, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.dbapi_connection
        cols = ", ".join(frame.columns)
        data = frame.write_csv(include_header=False, date_format="%Y-%m-%d").encode("utf-8")
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(data)
        return
    cols = ", ".join(frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(frame.iter_rows()))


def _distinct(session: Session, a: str, b: str) -> str:
    return (
        f"{a} IS DISTINCT FROM {b}" if session.get_bind().dialect.name == "postgresql" else f"{a} IS NOT {b}"
    )


def store_chunk(
    session: Session, run_id: int, chunk: Chunk, lines: pl.DataFrame, month_from: dt.date, month_to: dt.date
) -> ChunkResult:
    """Reconcile ``lines`` (engine entitlements of the chunk) with the ledger, set-based."""
    res = ChunkResult(lines=lines.height)
    _prepare_stage(session)
    _bulk_insert(
        session, STAGE, lines.select("policy", "beneficiary", "subject", "month", "amount_fen", "status")
    )
    if chunk.persons is not None:
        _bulk_insert(session, SCOPE, pl.DataFrame({"subject": chunk.persons}, schema={"subject": pl.String}))
    policies = [m.id for m in chunk.measures]
    params: dict[str, Any] = {"run": run_id, "wf": month_from, "wt": month_end(month_to), "by": ACTOR}
    pol = ", ".join(f"'{p}'" for p in policies)  # measure ids are code constants, not user input
    key = "e.policy = s.policy AND e.beneficiary = s.beneficiary AND e.subject = s.subject AND e.month = s.month"
    differs = f"({_distinct(session, 'e.amount_fen', 's.amount_fen')} OR e.status <> s.status)"
    now = "CURRENT_TIMESTAMP"

    # 1. changed (found/approved, in window) and re-found (withdrawn) lines: record, then update
    changed = session.execute(sa.text(
        f"SELECT e.id, e.amount_fen, s.amount_fen, e.status, s.status, e.state FROM entitlements e "
        f"JOIN {STAGE} s ON {key} WHERE e.month >= :wf AND e.month <= :wt AND "
        f"((e.state IN ('found', 'approved') AND {differs}) OR e.state = 'withdrawn') ORDER BY e.id"
    ), params).all()  # fmt: skip
    if changed:
        session.execute(
            sa.insert(entitlement_changes),
            [
                {"entitlement_id": r[0], "run_id": run_id, "old_amount_fen": r[1], "new_amount_fen": r[2],
                 "old_status": r[3], "new_status": r[4], "old_state": r[5],
                 "new_state": "found" if r[5] == "withdrawn" else r[5],
                 "reason": "事实变更后重新匹配，又符合条件" if r[5] == "withdrawn" else "事实变更后重新匹配，金额或状态改变"}
                for r in changed
            ],
        )  # fmt: skip
        session.execute(sa.text(
            f"UPDATE entitlements SET amount_fen = s.amount_fen, status = s.status, last_run = :run, "
            f"state = CASE WHEN entitlements.state = 'withdrawn' THEN 'found' ELSE entitlements.state END, "
            f"updated_at = {now}, updated_by = :by FROM {STAGE} s WHERE entitlements.policy = s.policy AND "
            f"entitlements.beneficiary = s.beneficiary AND entitlements.subject = s.subject AND "
            f"entitlements.month = s.month AND entitlements.month >= :wf AND entitlements.month <= :wt AND "
            f"((entitlements.state IN ('found', 'approved') AND "
            f"{differs.replace('e.', 'entitlements.')}) OR entitlements.state = 'withdrawn')"
        ), params)  # fmt: skip
        refound = [r for r in changed if r[5] == "withdrawn"]
        audit_set(session, [int(r[0]) for r in refound], "withdrawn", "found", ACTOR, "重新匹配又符合条件", "rematch",
                  {"run": run_id})  # fmt: skip
        res.changed = len(changed)

    # 2. lines no longer found (in window, not yet paid): withdraw
    scope = f"AND e.subject IN (SELECT subject FROM {SCOPE})" if chunk.persons is not None else ""
    gone = session.execute(sa.text(
        f"SELECT e.id, e.amount_fen, e.status, e.state FROM entitlements e WHERE e.policy IN ({pol}) "
        f"AND e.state IN ('found', 'approved') AND e.month >= :wf AND e.month <= :wt {scope} "
        f"AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE {key}) ORDER BY e.id"
    ), params).all() if policies else []  # fmt: skip
    if gone:
        ids = [int(r[0]) for r in gone]
        session.execute(
            sa.insert(entitlement_changes),
            [{"entitlement_id": r[0], "run_id": run_id, "old_amount_fen": r[1], "new_amount_fen": None,
              "old_status": r[2], "new_status": None, "old_state": r[3], "new_state": "withdrawn",
              "reason": "事实变更后重新匹配，不再符合条件"} for r in gone],
        )  # fmt: skip
        for start in range(0, len(ids), 5000):
            session.execute(
                sa.update(entitlements)
                .where(entitlements.c.id.in_(ids[start : start + 5000]))
                .values(
                    state="withdrawn",
                    last_run=run_id,
                    updated_by=ACTOR,
                    updated_at=sa.func.current_timestamp(),
                )
            )
        for old in ("found", "approved"):
            audit_set(session, [int(r[0]) for r in gone if r[3] == old], old, "withdrawn", ACTOR,
                      "重新匹配不再符合条件", "withdraw", {"run": run_id})  # fmt: skip
        res.withdrawn = len(gone)

    # 3. new lines (any month up to month_to: arrears included)
    inserted = session.execute(sa.text(
        f"INSERT INTO entitlements (policy, beneficiary, subject, month, amount_fen, status, state, "
        f"first_found_run, last_run, created_at, updated_at, created_by, updated_by) "
        f"SELECT s.policy, s.beneficiary, s.subject, s.month, s.amount_fen, s.status, 'found', :run, :run, "
        f"{now}, {now}, :by, :by FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM entitlements e WHERE {key}) "
        f"ORDER BY s.policy, s.beneficiary, s.subject, s.month RETURNING id"
    ), params).all()  # fmt: skip
    if inserted:
        ids = sorted(int(r[0]) for r in inserted)
        audit_set(session, ids, None, "found", ACTOR, "主动匹配发现", "match", {"run": run_id})
        res.inserted = len(ids)
    return res


# --- runs ------------------------------------------------------------------------------------------
def open_run(
    session: Session, month_from: dt.date, month_to: dt.date, chunks: int, actor: str
) -> tuple[int, int]:
    """Resume the unfinished run of the same window (same plan) or start a new one: (run id, chunks done)."""
    row = session.execute(
        sa.select(match_runs.c.id, match_runs.c.chunks_done)
        .where(match_runs.c.state == "running", match_runs.c.month_from == month_from,
               match_runs.c.month_to == month_to, match_runs.c.chunks_total == chunks)
        .order_by(match_runs.c.id.desc()).limit(1)
    ).first()  # fmt: skip
    if row is not None:
        return int(row[0]), int(row[1])
    run_id = session.execute(
        sa.insert(match_runs)
        .values(month_from=month_from, month_to=month_to, chunks_total=chunks, chunks_done=0, state="running",
                started_by=actor)
        .returning(match_runs.c.id)
    ).scalar_one()  # fmt: skip
    return int(run_id), 0


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
) -> RunResult:
    """Run (or resume) matching; ``session_factory()`` yields a context-managed session that commits."""
    from jiuye.rules.catalog import all_measures

    chosen = tuple(measures if measures is not None else all_measures())
    with session_factory() as session:
        source = source_factory(session)
        people = source.person_ids()
        chunks = plan_chunks(people, chosen, chunk_size)
        run_id, done = open_run(session, month_from, month_to, len(chunks), actor)
    result = RunResult(run_id, len(chunks), done, len(people))
    start = earliest_start(chosen)
    for chunk in chunks[done:]:
        with session_factory() as session:
            source = source_factory(session)
            facts = source.load(chunk.persons).with_payments(payment_history(session))
            lines = evaluate_facts(facts, start, month_to, parameters, measures=chunk.measures).entitlements
            res = store_chunk(session, run_id, chunk, lines, month_from, month_to)
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
