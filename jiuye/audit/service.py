"""The audit writer and verifier.

Every event is hashed: ``hash = SHA-256(canonical JSON of the event fields + prev_hash)``; the first
event's ``prev_hash`` is 64 zeros.  ``audit_head`` holds the last (seq, hash) so that removing events
from the end is caught as well.  Writers serialise on the chain: a transaction-scoped advisory lock on
PostgreSQL; on SQLite the write transaction itself (our write sessions begin IMMEDIATE, see
:func:`jiuye.db.write_session`) — concurrent writers can never fork the chain.

Services never commit: :func:`record` runs inside the caller's transaction, so an event exists exactly
when the change it describes was committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.models import audit_events, audit_head

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 4_204_201  # pg_advisory_xact_lock key of the audit chain
FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "old_state",
    "new_state",
    "reason",
    "payload",
)


@dataclass
class AuditEvent:
    actor: str
    action: str
    entity: str
    entity_id: str | None
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    payload: dict[str, Any] | None = field(default=None)


def _norm_time(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def event_hash(row: dict[str, Any], prev_hash: str) -> str:
    body = {k: row.get(k) for k in FIELDS}
    at = row["at"]
    body["at"] = _norm_time(at) if isinstance(at, dt.datetime) else str(at)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((text + prev_hash).encode("utf-8")).hexdigest()


def lock_chain(session: Session) -> None:
    """Serialise writers of the chain until the caller's transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})


def _head(session: Session) -> tuple[int, str]:
    row = session.execute(sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def record_many(session: Session, events: Sequence[AuditEvent], at: dt.datetime | None = None) -> int:
    """Append ``events`` to the chain in order (one INSERT for all); returns the last seq."""
    if not events:
        return _head(session)[0]
    lock_chain(session)
    seq, prev = _head(session)
    first = seq == 0
    now = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    rows: list[dict[str, Any]] = []
    for ev in events:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq, "at": now, "actor": ev.actor, "action": ev.action, "entity": ev.entity,
            "entity_id": ev.entity_id, "old_state": ev.old, "new_state": ev.new, "reason": ev.reason,
            "payload": ev.payload,
        }  # fmt: skip
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(row, prev)
        rows.append(row)
    session.execute(sa.insert(audit_events), rows)
    if first:
        session.execute(sa.insert(audit_head).values(id=1, seq=seq, hash=prev))
    else:
        session.execute(sa.update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
    return seq


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None,
    old: str | None = None,
    new: str | None = None,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append one event (e.g. ``record(s, "张三", "flag", "flags", 12, None, "open", "同一账户多人领取", {...})``)."""
    ev = AuditEvent(
        actor, action, entity, None if entity_id is None else str(entity_id), old, new, reason, payload
    )
    return record_many(session, [ev])


@dataclass
class VerifyReport:
    ok: bool
    events: int
    message: str
    seq: int | None = None


def verify(session: Session, batch: int = 50_000) -> VerifyReport:
    """Walk the chain; report the first altered, removed or inserted event (Chinese message)."""
    prev = GENESIS
    expected = 1
    count = 0
    last = 0
    cols = [audit_events.c[k] for k in (*FIELDS, "prev_hash", "hash")]
    while True:
        rows = (
            session.execute(
                sa.select(*cols)
                .where(audit_events.c.seq >= expected)
                .order_by(audit_events.c.seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for row in rows:
            seq = int(row["seq"])
            if seq != expected:
                return VerifyReport(
                    False,
                    count,
                    f"审计链断裂：第 {expected} 号事件缺失（被删除），下一条为第 {seq} 号。",
                    expected,
                )
            if row["prev_hash"] != prev:
                return VerifyReport(
                    False,
                    count,
                    f"审计链断裂：第 {seq} 号事件的前序哈希不符（其前的事件被改动、删除，或此条为插入）。",
                    seq,
                )
            if event_hash(dict(row), prev) != row["hash"]:
                return VerifyReport(False, count, f"审计事件第 {seq} 号内容被改动或为插入（哈希不符）。", seq)
            prev = str(row["hash"])
            count += 1
            last = seq
            expected += 1
    head_seq, head_hash = _head(session)
    if head_seq != last or (last and head_hash != prev):
        if head_seq > last:
            return VerifyReport(
                False,
                count,
                f"审计链末尾缺失：应有 {head_seq} 条事件，实有 {last} 条（末尾事件被删除）。",
                last + 1,
            )
        return VerifyReport(False, count, f"审计链末端记录与事件不符（第 {last} 号之后被插入或改动）。", last)
    return VerifyReport(True, count, f"审计链完整：共 {count} 条事件，未发现改动。")
