"""Reconciling the engine's entitlement lines with the ledger: the ledger service through which
entitlement rows are written (matching calls :func:`reconcile` once per chunk).

The lines go into staging tables and a few set-based statements reconcile them with ``entitlements``;
see :func:`reconcile`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.frames import read_frame, write_frame
from jiuye.ledger.models import entitlements
from jiuye.ledger.transitions import audit_set
from jiuye.rules.dates import month_end

_POLICY_ID = re.compile(r"[A-Za-z0-9_.-]+")
SCOPE = "match_scope"
UPDATES = "match_updates"
KEY = ["policy", "beneficiary", "subject", "month"]
LINE_SCHEMA: dict[str, Any] = {"policy": pl.String, "beneficiary": pl.String, "subject": pl.String,
                               "month": pl.Date, "amount_fen": pl.Int64, "amount_status": pl.String}  # fmt: skip
STORED_SCHEMA: dict[str, Any] = {"id": pl.Int64, **LINE_SCHEMA, "state": pl.String}


def _temp_table(session: Session, name: str, columns: str) -> None:
    session.execute(sa.text(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})"))
    session.execute(sa.text(f"DELETE FROM {name}"))


def stored_lines(session: Session, policies: Sequence[str], persons: bool, subjects: pl.Series) -> pl.DataFrame:
    """The ledger lines a reconciliation can touch: the given policies, and for a set of ``persons``
    only the lines whose subject is in ``subjects`` (the persons and every subject of their lines)."""
    if not all(_POLICY_ID.fullmatch(p) for p in policies):
        raise ValueError(f"not a measure id: {list(policies)!r}")
    pol = ", ".join(f"'{p}'" for p in policies)  # checked above: measure ids, never free text
    cols = "e.id, e.policy, e.beneficiary, e.subject, e.month, e.amount_fen, e.amount_status, e.state"
    sql = f"SELECT {cols} FROM entitlements e WHERE e.policy IN ({pol})"
    if session.execute(sa.text(f"SELECT 1 FROM entitlements e WHERE e.policy IN ({pol}) LIMIT 1")).first() is None:
        return pl.DataFrame(schema=STORED_SCHEMA)  # nothing stored for these measures yet (a first run)
    if persons:
        _temp_table(session, SCOPE, "subject TEXT NOT NULL")
        write_frame(session.connection(), SCOPE, subjects.unique().to_frame("subject"))
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.text(f"ANALYZE {SCOPE}"))
        sql += f" AND e.subject IN (SELECT subject FROM {SCOPE})"
    return read_frame(session.connection(), sql, STORED_SCHEMA)


def _new_ids(session: Session, n: int) -> list[int]:
    """``n`` fresh entitlement ids (PostgreSQL: from the id sequence; SQLite: after the largest id, under
    the write lock the chunk's transaction holds since ``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        # drawn server-side; usually one contiguous block (then only its bounds travel), else the array
        seq = session.execute(sa.text("SELECT pg_get_serial_sequence('entitlements', 'id')")).scalar_one()
        low, high, values = session.execute(sa.text(
            "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL ELSE array_agg(v ORDER BY v) END "
            "FROM (SELECT nextval(CAST(:seq AS regclass)) AS v FROM generate_series(1, :n)) AS drawn"
        ), {"seq": seq, "n": n}).one()  # fmt: skip
        if values is None:
            return list(range(int(low), int(high) + 1))
        return [int(v) for v in values]
    top = session.execute(sa.select(sa.func.coalesce(sa.func.max(entitlements.c.id), 0))).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + n))


@dataclass
class Reconciled:
    lines: int = 0
    inserted: int = 0
    changed: int = 0
    withdrawn: int = 0


def reconcile(
    session: Session,
    lines: pl.DataFrame,
    *,
    policies: Sequence[str],
    persons: Sequence[str] | None,
    month_from: dt.date,
    month_to: dt.date,
    run_id: int | None,
    actor: str,
) -> Reconciled:
    """Reconcile ``lines`` (the engine's entitlements of ``policies`` for ``persons``; ``persons=None``:
    for everyone) with the ledger — the one way entitlement rows are written by matching.

    - new lines of any month up to ``month_to`` are inserted as ``found`` (arrears included);
    - lines of the window ``month_from``…``month_to`` whose amount/status changed are updated (only while
      ``found``/``approved``; paid lines are history) and the change is written to ``entitlement_changes``;
    - ``withdrawn`` lines the facts show again become ``found``;
    - ``found``/``approved`` lines of the window that the facts no longer show become ``withdrawn``.

    The stored lines are read back columnar and compared with ``lines`` in Polars; only the difference is
    written (new lines by bulk insert, changed lines through one ``UPDATE … FROM``).  Every state change
    writes an audit event.  Does not commit.
    """
    res = Reconciled(lines=lines.height)
    # the engine calls it ``status`` (the case format); the ledger column is ``amount_status``
    lines = lines.rename({"status": "amount_status"}, strict=False)
    lines = lines.select(pl.col(c).cast(d) for c, d in LINE_SCHEMA.items())
    scope = pl.Series("subject", list(persons or []), dtype=pl.String)
    stored = stored_lines(session, policies, persons is not None, pl.concat([scope, lines["subject"]]))
    policies = list(policies)
    wt = month_end(month_to)
    in_window = (pl.col("month") >= month_from) & (pl.col("month") <= wt)
    live = pl.col("state").is_in(["found", "approved"])
    now = "CURRENT_TIMESTAMP"

    # 1. changed (found/approved, in window) and re-found (withdrawn) lines: record, then update
    both = lines.join(stored, on=KEY, how="inner", suffix="_old")
    differs = pl.col("amount_fen").ne_missing(pl.col("amount_fen_old")) | (pl.col("amount_status") != pl.col("amount_status_old"))
    changed = both.filter(in_window & ((live & differs) | (pl.col("state") == "withdrawn"))).sort("id")
    if changed.height:
        refound = pl.col("state") == "withdrawn"
        new_state = pl.when(refound).then(pl.lit("found")).otherwise(pl.col("state"))
        write_frame(session.connection(), "entitlement_changes", changed.select(
            pl.col("id").alias("entitlement_id"), pl.lit(run_id, pl.Int64).alias("run_id"),
            pl.col("amount_fen_old").alias("old_amount_fen"), pl.col("amount_fen").alias("new_amount_fen"),
            pl.col("amount_status_old").alias("old_status"), pl.col("amount_status").alias("new_status"),
            pl.col("state").alias("old_state"), new_state.alias("new_state"),
            pl.when(refound).then(pl.lit("事实变更后重新匹配，又符合条件"))
            .otherwise(pl.lit("事实变更后重新匹配，金额或状态改变")).alias("reason"),
        ))  # fmt: skip
        _temp_table(session, UPDATES, "id BIGINT NOT NULL, amount_fen BIGINT, amount_status VARCHAR(16) NOT NULL, "
                                      "old_state VARCHAR(16) NOT NULL, new_state VARCHAR(16) NOT NULL")  # fmt: skip
        write_frame(session.connection(), UPDATES, changed.select(
            "id", "amount_fen", "amount_status", pl.col("state").alias("old_state"), new_state.alias("new_state")))
        # the state guard keeps a line that left found/approved/withdrawn meanwhile (e.g. paid) untouched
        session.execute(sa.text(
            f"UPDATE entitlements SET amount_fen = u.amount_fen, amount_status = u.amount_status, state = u.new_state, "
            f"last_run = :run, updated_at = {now}, updated_by = :by FROM {UPDATES} u "
            f"WHERE entitlements.id = u.id AND entitlements.state = u.old_state"
        ), {"run": run_id, "by": actor})  # fmt: skip
        audit_set(session, changed.filter(refound)["id"].to_list(), "withdrawn", "found", actor,
                  "重新匹配又符合条件", "rematch", {"run": run_id})  # fmt: skip
        res.changed = changed.height

    # 2. lines no longer found (in window, not yet paid): withdraw
    gone = stored.filter(pl.col("policy").is_in(policies) & live & in_window)
    if persons is not None:
        gone = gone.filter(pl.col("subject").is_in(scope.implode()))
    gone = gone.join(lines, on=KEY, how="anti").sort("id")
    if gone.height:
        ids = gone["id"].to_list()
        write_frame(session.connection(), "entitlement_changes", gone.select(
            pl.col("id").alias("entitlement_id"), pl.lit(run_id, pl.Int64).alias("run_id"),
            pl.col("amount_fen").alias("old_amount_fen"), pl.lit(None, pl.Int64).alias("new_amount_fen"),
            pl.col("amount_status").alias("old_status"), pl.lit(None, pl.String).alias("new_status"),
            pl.col("state").alias("old_state"), pl.lit("withdrawn").alias("new_state"),
            pl.lit("事实变更后重新匹配，不再符合条件").alias("reason"),
        ))  # fmt: skip
        for start in range(0, len(ids), 5000):
            session.execute(
                sa.update(entitlements)
                .where(entitlements.c.id.in_(ids[start : start + 5000]))
                .values(
                    state="withdrawn",
                    last_run=run_id,
                    updated_by=actor,
                    updated_at=sa.func.current_timestamp(),
                )
            )
        for old in ("found", "approved"):
            audit_set(session, gone.filter(pl.col("state") == old)["id"].to_list(), old, "withdrawn", actor,
                      "重新匹配不再符合条件", "withdraw", {"run": run_id})  # fmt: skip
        res.withdrawn = gone.height

    # 3. new lines (any month up to month_to: arrears included), ids in key order
    new = lines.join(stored.select(KEY), on=KEY, how="anti").sort(KEY)
    if new.height:
        ids = _new_ids(session, new.height)
        new = new.with_columns(
            pl.Series("id", ids, dtype=pl.Int64), state=pl.lit("found"), first_found_run=pl.lit(run_id, pl.Int64),
            last_run=pl.lit(run_id, pl.Int64), created_by=pl.lit(actor), updated_by=pl.lit(actor),
        )  # fmt: skip
        write_frame(session.connection(), "entitlements", new.select(
            "id", "policy", "beneficiary", "subject", "month", "amount_fen", "amount_status", "state", "first_found_run",
            "last_run", "created_by", "updated_by"))  # fmt: skip
        audit_set(session, ids, None, "found", actor, "主动匹配发现", "match", {"run": run_id})
        res.inserted = new.height
    return res
