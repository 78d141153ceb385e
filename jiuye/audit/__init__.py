"""Append-only, hash-chained audit log (issue 4).

Other services call :func:`record` inside their own transaction, e.g.
``jiuye.audit.record(session, actor, "flag", "flags", flag_id, None, "open", reason, payload)``.
Imports are lazy so that ``jiuye --help`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from jiuye.audit.service import AuditEvent, VerifyReport

__all__ = ["AuditEvent", "VerifyReport", "record", "record_many", "verify"]


def __getattr__(name: str) -> Any:
    if name in ("AuditEvent", "VerifyReport"):
        from jiuye.audit import service

        return getattr(service, name)
    raise AttributeError(name)


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
    """Append one event to the chain (serialised; never commits); returns its seq."""
    from jiuye.audit import service

    return service.record(session, actor, action, entity, entity_id, old, new, reason, payload)


def record_many(session: Session, events: list[AuditEvent]) -> int:
    from jiuye.audit import service

    return service.record_many(session, events)


def verify(session: Session) -> VerifyReport:
    from jiuye.audit import service

    return service.verify(session)
