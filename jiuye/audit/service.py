"""The audit writer and verifier.

Every event is hashed with the chain key: ``hash = HMAC-SHA256(key, canonical JSON of the event fields +
prev_hash)``; the first event's ``prev_hash`` is 64 zeros.  The key lives outside the database
(:mod:`jiuye.audit.keys`, created by ``jiuye db upgrade``), so whoever can only write the database cannot
recompute the chain after an edit.  Events written before the key existed (``seq < from_seq`` of the key
file) are plain SHA-256.  :func:`verify` also checks the chain against every anchor of the anchor file
(heads recorded outside the database by payment batches and earlier verify runs).  ``audit_head`` holds the last (seq, hash) so that removing events
from the end is caught as well.  Writers serialise on the chain: a transaction-scoped advisory lock on
PostgreSQL; on SQLite the write transaction itself (our write sessions begin IMMEDIATE, see
:func:`jiuye.db.write_session`) — concurrent writers can never fork the chain.

Services never commit: :func:`record` runs inside the caller's transaction, so an event exists exactly
when the change it describes was committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.keys import Anchor, ChainKey, append_anchor, read_anchors, session_audit_dir, session_key
from jiuye.audit.models import audit_events, audit_head
from jiuye.db.core import advisory_xact_lock

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


def event_hash(row: dict[str, Any], prev_hash: str, key: ChainKey | None) -> str:
    """HMAC-SHA256 with the chain key (plain SHA-256 for events older than the key, or without one)."""
    body = {k: row.get(k) for k in FIELDS}
    at = row["at"]
    body["at"] = _norm_time(at) if isinstance(at, dt.datetime) else str(at)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    if key is None or int(row["seq"]) < key.from_seq:
        return hashlib.sha256((text + prev_hash).encode("utf-8")).hexdigest()
    return key.mac(text + prev_hash)


def lock_chain(session: Session) -> None:
    """Serialise writers of the chain until the caller's transaction ends."""
    advisory_xact_lock(session, CHAIN_LOCK_KEY)


def head(session: Session) -> tuple[int, str]:
    """The chain's last (seq, hash) as the database records it (0 and 64 zeros when empty)."""
    return _head(session)


def _head(session: Session) -> tuple[int, str]:
    row = session.execute(sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def record_many(session: Session, events: Sequence[AuditEvent], at: dt.datetime | None = None) -> int:
    """Append ``events`` to the chain in order (one INSERT for all); returns the last seq."""
    if not events:
        return _head(session)[0]
    key = session_key(session)
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
        row["hash"] = prev = event_hash(row, prev, key)
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
    anchors: int = 0  # anchors checked
    head: tuple[int, str] = (0, GENESIS)


def verify(session: Session, batch: int = 50_000, extra_anchors: Sequence[Anchor] = ()) -> VerifyReport:
    """Walk the chain; report the first altered, removed or inserted event (Chinese message).

    Checked against every anchor of the anchor file and ``extra_anchors`` (e.g. the heads payment batches
    recorded): the anchored event must still exist and carry the anchored hash.
    """
    key = session_key(session)
    folder = session_audit_dir(session)
    anchors = [*read_anchors(folder, key), *extra_anchors]
    for a in anchors:
        if not a.ok:
            return VerifyReport(False, 0, f"锚点文件 {folder / 'anchors.log'} 第 {a.line} 行被改动（校验码不符）。")
    by_seq: dict[int, list[Anchor]] = {}
    for a in anchors:
        if a.seq > 0:
            by_seq.setdefault(a.seq, []).append(a)
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
            if not hmac.compare_digest(event_hash(dict(row), prev, key), str(row["hash"])):
                return VerifyReport(False, count, f"审计事件第 {seq} 号内容被改动或为插入（哈希不符）。", seq)
            for a in by_seq.get(seq, ()):
                if a.hash != row["hash"]:
                    return VerifyReport(
                        False, count,
                        f"审计事件第 {seq} 号与锚点（{a.at}，{a.by}）记录的哈希不符：此后的审计链被重写。", seq,
                    )  # fmt: skip
            prev = str(row["hash"])
            count += 1
            last = seq
            expected += 1
    beyond = [a for a in anchors if a.seq > last]
    if beyond:
        a = max(beyond, key=lambda x: x.seq)
        return VerifyReport(
            False, count,
            f"审计链只有 {last} 条事件，但锚点（{a.at}，{a.by}）记录当时已有 {a.seq} 条：事件被删除。", last + 1,
        )  # fmt: skip
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
    checked = len(anchors)
    return VerifyReport(
        True, count, f"审计链完整：共 {count} 条事件，未发现改动（对照锚点 {checked} 个）。", None, checked,
        (last, prev),
    )  # fmt: skip


def anchor_head(session: Session, by: str, head_: tuple[int, str] | None = None) -> Anchor | None:
    """Append the chain's head (or ``head_``) to the anchor file.  Call after the transaction committed."""
    seq, hash_ = head_ if head_ is not None else _head(session)
    if seq == 0:
        return None
    return append_anchor(session_audit_dir(session), session_key(session), seq, hash_, by)


def verify_and_anchor(session: Session, by: str = "jiuye audit verify",
                      extra_anchors: Sequence[Anchor] = ()) -> VerifyReport:  # fmt: skip
    """:func:`verify`, and when the chain is intact append its head to the anchor file."""
    report = verify(session, extra_anchors=extra_anchors)
    if report.ok:
        anchor_head(session, by, report.head)
    return report


def chain_is_plain(session: Session, batch: int = 50_000) -> bool:
    """Every event verifies as plain SHA-256 (a chain written before keyed chains existed)."""
    prev, expected = GENESIS, 1
    cols = [audit_events.c[k] for k in (*FIELDS, "prev_hash", "hash")]
    while True:
        rows = session.execute(
            sa.select(*cols).where(audit_events.c.seq >= expected).order_by(audit_events.c.seq).limit(batch)
        ).mappings().all()  # fmt: skip
        if not rows:
            return True
        for row in rows:
            if int(row["seq"]) != expected or row["prev_hash"] != prev or event_hash(dict(row), prev, None) != row["hash"]:
                return False
            prev, expected = str(row["hash"]), expected + 1


# extra anchors other rooms know of (the ledger: the heads its payment batches recorded), registered when
# their models load, so that ``audit verify`` checks them without the audit room importing those rooms
AnchorSource = Callable[[Session], list[Anchor]]
ANCHOR_SOURCES: dict[str, AnchorSource] = {}


def anchor_source(fn: AnchorSource) -> AnchorSource:
    ANCHOR_SOURCES[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def known_anchors(session: Session) -> list[Anchor]:
    return [a for fn in ANCHOR_SOURCES.values() for a in fn(session)]
