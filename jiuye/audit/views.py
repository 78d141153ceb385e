"""Pages and API of the audit log: events of a record, verify the chain."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from jiuye.accounts.web import Ctx, staff
from jiuye.audit.labels import entity_labels, shown_events
from jiuye.audit.models import audit_events
from jiuye.audit.service import verify
from jiuye.rules.identifiers import mask_text
from jiuye.webkit.paging import api_page, page_number
from jiuye.webkit.render import render

router = APIRouter(tags=["审计"])
api = APIRouter(prefix="/api/v1", tags=["审计"])
PAGE_SIZE = 100


class EventOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str | None
    old_state: str | None
    new_state: str | None
    reason: str | None


class VerifyOut(BaseModel):
    ok: bool
    events: int
    message: str
    seq: int | None


def events(
    ctx: Ctx, entity: str | None, entity_id: str | None, actor: str | None, page: int
) -> list[EventOut]:
    """Audit events in the user's scope, newest first: events done by staff of the user's district (a town
    account: of its town), and events on entitlements, payments and flags in the user's scope.  (Events of
    command-line users on other records stay out of the page; ``verify`` always checks the whole chain.)"""
    from jiuye.accounts.models import staff_users as su
    from jiuye.accounts.scope import flag_condition, line_condition
    from jiuye.ledger.models import entitlements, payments
    from jiuye.supervision.models import flags

    ev = audit_events
    user = ctx.user
    staff_actor = su.c.display_name + "（" + su.c.username + "）"
    # a town account: the events of its town's staff (the district's staff act on every town's records); the
    # records of its town come in by the clauses below
    colleagues = su.c.district == user.district if user.town is None else sa.and_(su.c.district == user.district,
                                                                                  su.c.town == user.town)
    in_scope = sa.or_(
        ev.c.actor.in_(sa.select(staff_actor).where(colleagues)),
        sa.and_(ev.c.entity == "entitlements", ev.c.entity_id.in_(
            sa.select(sa.cast(entitlements.c.id, sa.String)).where(line_condition(user, entitlements)))),
        sa.and_(ev.c.entity == "payments", ev.c.entity_id.in_(
            sa.select(sa.cast(payments.c.id, sa.String)).where(line_condition(user, payments)))),
        sa.and_(ev.c.entity == "flags", ev.c.entity_id.in_(
            sa.select(sa.cast(flags.c.id, sa.String)).where(flag_condition(user, flags)))),
    )  # fmt: skip
    stmt = sa.select(ev.c.seq, ev.c.at, ev.c.actor, ev.c.action, ev.c.entity, ev.c.entity_id, ev.c.old_state,
                     ev.c.new_state, ev.c.reason).where(in_scope)  # fmt: skip
    if entity:
        stmt = stmt.where(ev.c.entity == entity)
    if entity_id:
        stmt = stmt.where(ev.c.entity_id == entity_id)
    if actor:
        stmt = stmt.where(ev.c.actor.like(f"%{actor.replace('%', '')}%"))
    page = page_number(page)
    with ctx.read() as s:
        rows = (
            s.execute(stmt.order_by(ev.c.seq.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
            .mappings()
            .all()
        )
    # a reason is typed by staff and may name a person: masked like the pages' trails (labels.shown_events)
    return [EventOut(**(dict(r) | {"at": str(r["at"]), "reason": mask_text(r["reason"])})) for r in rows]


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, entity: str = "", entity_id: str = "", actor: str = "", page: int = 1,
               ctx: Ctx = Depends(staff("audit"))) -> Response:  # fmt: skip
    rows = shown_events(r.model_dump() for r in events(ctx, entity or None, entity_id or None, actor or None, page))
    return render(request, "audit.html", {"title": "审计日志", "rows": rows, "entities": entity_labels(), "f": {"entity": entity, "entity_id": entity_id,
                                                                              "actor": actor}, "report": None})  # fmt: skip


@router.post("/audit/verify", include_in_schema=False)
def audit_verify_page(request: Request, ctx: Ctx = Depends(staff("audit"))) -> Response:
    with ctx.read() as s:
        report = verify(s)
    rows = shown_events(r.model_dump() for r in events(ctx, None, None, None, 1))
    return render(request, "audit.html", {"title": "审计日志", "rows": rows, "entities": entity_labels(), "f": {},
                                          "report": report})  # fmt: skip


@api.get("/audit/events", response_model=list[EventOut], summary="审计事件（按对象、操作人筛选，新的在前）")
def events_api(entity: str | None = Query(None, max_length=64), entity_id: str | None = Query(None, max_length=64),
               actor: str | None = Query(None, max_length=64), page: int = api_page(),
               ctx: Ctx = Depends(staff("audit"))) -> Any:  # fmt: skip
    return events(ctx, entity, entity_id, actor, page)


@api.post("/audit/verify", response_model=VerifyOut, summary="校验审计链")
def verify_api(ctx: Ctx = Depends(staff("audit"))) -> Any:
    with ctx.read() as s:
        r = verify(s)
    return VerifyOut(ok=r.ok, events=r.events, message=r.message, seq=r.seq)
