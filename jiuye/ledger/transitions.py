"""The entitlement state machine.

::

    found ──► approved ──► in_batch ──► paid ──► reversed
      │          │
      ├──► rejected ◄┘
      └──► withdrawn ◄── approved        (a re-run of matching no longer finds the line)
    withdrawn ──► found                  (a later re-run finds it again)

Every move is an audit event (actor, time, reason, old and new state).  An illegal move raises
:class:`IllegalTransition` with a Chinese message.  Moves are set-based: one UPDATE for many rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.service import AuditEvent, record_many
from jiuye.errors import UserError
from jiuye.ledger.models import entitlements

STATE_LABELS: dict[str, str] = {
    "found": "已发现", "approved": "已核准", "rejected": "已驳回", "in_batch": "发放中", "paid": "已发放",
    "reversed": "已追回", "withdrawn": "已撤销",
}  # fmt: skip

TRANSITIONS: dict[str, frozenset[str]] = {
    "found": frozenset({"approved", "rejected", "withdrawn"}),
    "approved": frozenset({"in_batch", "rejected", "withdrawn"}),
    "in_batch": frozenset({"paid"}),
    "paid": frozenset({"reversed"}),
    "rejected": frozenset(),
    "reversed": frozenset(),
    "withdrawn": frozenset({"found"}),
}


class IllegalTransition(UserError):
    def __init__(self, entitlement_id: int | str, old: str, new: str) -> None:
        super().__init__(
            f"待遇 {entitlement_id} 当前状态为“{STATE_LABELS.get(old, old)}”，"
            f"不能变为“{STATE_LABELS.get(new, new)}”。",
            5,
        )
        self.old, self.new = old, new


def allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def sources(new: str) -> list[str]:
    """The states from which ``new`` may be reached."""
    return sorted(s for s, targets in TRANSITIONS.items() if new in targets)


def check(entitlement_id: int | str, old: str, new: str) -> None:
    if not allowed(old, new):
        raise IllegalTransition(entitlement_id, old, new)


def move(
    session: Session,
    ids: Sequence[int],
    new: str,
    actor: str,
    reason: str,
    action: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Move the entitlements ``ids`` to ``new`` (all or none): raises on an unknown id or illegal move."""
    if not ids:
        return 0
    rows = session.execute(
        sa.select(entitlements.c.id, entitlements.c.state)
        .where(entitlements.c.id.in_(list(ids)))
        .with_for_update()
    ).all()
    found = {int(r[0]): str(r[1]) for r in rows}
    for i in ids:
        if i not in found:
            raise UserError(f"找不到待遇 {i}。", 4)
        check(i, found[i], new)
    session.execute(
        sa.update(entitlements)
        .where(entitlements.c.id.in_(list(ids)))
        .values(state=new, updated_by=actor, updated_at=sa.func.current_timestamp())
    )
    record_many(
        session,
        [
            AuditEvent(actor, action or new, "entitlements", str(i), found[i], new, reason, payload)
            for i in ids
        ],
    )
    return len(ids)


def audit_moves(
    session: Session,
    rows: Sequence[Any],
    old: str,
    new: str,
    actor: str,
    reason: str,
    action: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Audit events for rows already moved set-wise from ``old`` (``rows[i][0]`` is the id)."""
    check("（批量）", old, new)
    record_many(
        session,
        [
            AuditEvent(actor, action or new, "entitlements", str(r[0]), old, new, reason, payload)
            for r in rows
        ],
    )


def audit_set(
    session: Session,
    ids: Sequence[int],
    old: str | None,
    new: str,
    actor: str,
    reason: str,
    action: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """One audit event for a set-based move of many lines (the ids are in the payload, sorted).

    Bulk operations (matching, 免申即享 approval, payment) move thousands of lines in one statement; one
    event per operation keeps the chain verifiable at a million lines while still naming every line.
    """
    if not ids:
        return
    if old is not None:
        check("（批量）", old, new)
    body = dict(payload or {}) | {"ids": sorted(int(i) for i in ids), "count": len(ids)}
    record_many(
        session, [AuditEvent(actor, action, "entitlements", f"批量{len(ids)}条", old, new, reason, body)]
    )
