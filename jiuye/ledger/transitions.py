"""The entitlement state machine.

::

    found ──► approved ──► in_batch ──► paid ──► reversed          (追回 clawback)
      │          │  ▲                    │
      │          ▼  │                    └──► returned ──► in_batch (银行退票 bank return: paid again
      │        review                                                once the account is corrected)
      ├──► rejected ◄── approved, review, returned
      └──► withdrawn ◄── approved, review (a re-run of matching no longer finds the line)
    withdrawn ──► found                  (a later re-run finds it again)
    approved ──► review                  (the amount or the facts behind an approved line changed, or the
                                          rules stopped producing it: a person must look again)

Only ``found`` lines are approved in bulk (免申即享); a line in ``review`` needs a person (``jiuye review``).
Every move is guarded in SQL: ``UPDATE … WHERE id IN (…) AND state IN (the states allowed to move there)``.

Every move is an audit event (actor, time, reason, old and new state).  An illegal move raises
:class:`IllegalTransition` with a Chinese message.  Moves are set-based: one UPDATE for many rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.labels import declare_states
from jiuye.audit.service import AuditEvent, record_many
from jiuye.errors import UserError
from jiuye.ledger.models import entitlements

STATE_LABELS: dict[str, str] = declare_states("entitlements", {
    "found": "已发现", "approved": "已核准", "rejected": "已驳回", "in_batch": "发放中", "paid": "已发放",
    "reversed": "已追回", "withdrawn": "已撤销", "review": "待复核", "returned": "银行退票",
})  # fmt: skip

TRANSITIONS: dict[str, frozenset[str]] = {
    "found": frozenset({"approved", "rejected", "withdrawn"}),
    "approved": frozenset({"in_batch", "rejected", "withdrawn", "review"}),
    "review": frozenset({"approved", "rejected", "withdrawn"}),
    "in_batch": frozenset({"paid"}),
    "paid": frozenset({"reversed", "returned"}),
    "returned": frozenset({"in_batch", "rejected"}),
    "rejected": frozenset(),
    "reversed": frozenset(),
    "withdrawn": frozenset({"found"}),
}
# bulk approval (免申即享) only ever approves lines no person has looked at yet
BULK_ONLY_FROM: dict[str, frozenset[str]] = {"approved": frozenset({"found"})}


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


def sources(new: str, bulk: bool = False) -> list[str]:
    """The states from which ``new`` may be reached (``bulk``: by a set-based operation without a person)."""
    found = {s for s, targets in TRANSITIONS.items() if new in targets}
    if bulk and new in BULK_ONLY_FROM:
        found &= BULK_ONLY_FROM[new]
    return sorted(found)


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
    done = session.execute(
        sa.update(entitlements)
        .where(entitlements.c.id.in_(list(ids)), entitlements.c.state.in_(sources(new)))
        .values(state=new, updated_by=actor, updated_at=sa.func.current_timestamp())
        .returning(entitlements.c.id)
    ).all()
    if len(done) != len(set(ids)):  # a concurrent writer moved a line meanwhile (SQLite has no row lock)
        moved = sorted(set(ids) - {int(r[0]) for r in done})
        raise IllegalTransition(moved[0], "（已被并发修改）", new)
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
    if old is not None and old != new:  # old == new: the line's values changed, not its state
        check("（批量）", old, new)
    body = dict(payload or {}) | {"ids": sorted(int(i) for i in ids), "count": len(ids)}
    record_many(
        session, [AuditEvent(actor, action, "entitlements", f"批量{len(ids)}条", old, new, reason, body)]
    )
