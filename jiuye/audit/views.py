"""Pages and API of the audit log: events of a record, verify the chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from jiuye.accounts.web import Ctx, staff
from jiuye.audit.models import audit_events
from jiuye.audit.service import verify
from jiuye.webkit.render import datetime_text, render

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


# what each audit action and each audited table is called on the pages (the API keeps the codes); the states are
# each room's own labels.  A test checks every action the code records has a label here.
ACTION_LABELS: dict[str, str] = {
    "match": "主动匹配", "approve": "批量核准", "review": "审核", "pay": "发放", "confirm": "意愿确认", "grant": "依申请核定",
    "reverse": "追回", "bank_return": "银行退票", "create": "新建", "setting": "修改设置", "download": "下载",
    "unmask": "查看完整证件号码", "export_unmasked": "导出完整证件号码", "account.create": "新建账号",
    "account.password": "重设密码", "account.active": "启用或停用账号", "login": "登录", "login.failed": "登录失败",
    "logout": "退出", "publish": "发布公示", "submit": "提交申请", "upload": "上传材料", "register": "注册",
    "flag.raise": "发现疑点", "flag.review": "复核疑点", "job.queue": "提交后台任务", "job.finish": "后台任务结束",
    "parameter.set": "设定参数", "rematch": "重新匹配又符合条件", "amount_changed": "重新匹配：金额改变",
    "facts_changed": "重新匹配：依据的事实改变", "withdraw": "重新匹配：不再符合条件", "back_to_review": "退回复核",
}  # fmt: skip
ENTITY_LABELS: dict[str, str] = {
    "entitlements": "待遇", "payments": "发放记录", "payment_batches": "发放批次", "flags": "疑点",
    "staff_users": "工作人员账号", "applicants": "群众和单位账号", "applications": "点单式申请", "notices": "资金公示",
    "jobs": "后台任务", "parameter_values": "参数", "policy_settings": "政策设置", "bureau_settings": "本局设置",
}  # fmt: skip


def entity_labels() -> dict[str, str]:
    """Every audited table's Chinese name: the rooms' results above, the registry's tables by their titles."""
    from jiuye.registry.schema import TABLES

    return {name: t.title for name, t in TABLES.items()} | ENTITY_LABELS


def state_labels(entity: str) -> dict[str, str]:
    from jiuye.accounts.service import ACCOUNT_STATE_LABELS
    from jiuye.applications.service import STATE_LABELS as APPLICATION
    from jiuye.jobs.models import STATE_LABELS as JOB
    from jiuye.ledger.service import PAYMENT_STATE_LABELS
    from jiuye.ledger.transitions import STATE_LABELS as ENTITLEMENT
    from jiuye.supervision.models import STATE_LABELS as FLAG

    return {"entitlements": ENTITLEMENT, "payments": PAYMENT_STATE_LABELS, "payment_batches": PAYMENT_STATE_LABELS,
            "flags": FLAG, "applications": APPLICATION, "jobs": JOB, "staff_users": ACCOUNT_STATE_LABELS,
            "applicants": ACCOUNT_STATE_LABELS, "notices": {"published": "已发布"}}.get(entity, {})  # fmt: skip


def shown_events(rows: Any, entity: str | None = None) -> list[dict[str, Any]]:
    """Audit events as the pages show them: the action, table and states by their Chinese names, the time in
    Beijing time (``entity`` for rows that carry none, e.g. one record's trail)."""
    tables = entity_labels()
    shown = []
    for row in rows:
        r = dict(row)
        at = r["at"]
        r["at"] = str(at)
        r["at_text"] = datetime_text(dt.datetime.fromisoformat(at) if isinstance(at, str) else at)
        kind = r.get("entity") or entity or ""
        states = state_labels(kind)
        action = str(r["action"])
        r["action_label"] = ACTION_LABELS.get(action) or states.get(action) or "其他操作"
        r["entity_label"] = tables.get(kind, "其他记录")
        r["old_label"] = states.get(r["old_state"], r["old_state"]) if r["old_state"] else ""
        r["new_label"] = states.get(r["new_state"], r["new_state"]) if r["new_state"] else ""
        shown.append(r)
    return shown


class VerifyOut(BaseModel):
    ok: bool
    events: int
    message: str
    seq: int | None


def events(
    ctx: Ctx, entity: str | None, entity_id: str | None, actor: str | None, page: int
) -> list[EventOut]:
    """Audit events in the user's scope, newest first: events done by staff of the user's district, and
    events on entitlements, payments and flags of the district.  (Events of command-line users on other
    records stay out of the page; ``verify`` always checks the whole chain.)"""
    from jiuye.accounts.models import staff_users as su
    from jiuye.accounts.scope import flag_condition, line_condition
    from jiuye.ledger.models import entitlements, payments
    from jiuye.supervision.models import flags

    ev = audit_events
    user = ctx.user
    staff_actor = su.c.display_name + "（" + su.c.username + "）"
    in_scope = sa.or_(
        ev.c.actor.in_(sa.select(staff_actor).where(su.c.district == user.district)),
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
    page = max(1, min(page, 100_000))
    with ctx.read() as s:
        rows = (
            s.execute(stmt.order_by(ev.c.seq.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
            .mappings()
            .all()
        )
    return [EventOut(**(dict(r) | {"at": str(r["at"])})) for r in rows]


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
               actor: str | None = Query(None, max_length=64), page: int = Query(1, ge=1, le=100_000),
               ctx: Ctx = Depends(staff("audit"))) -> Any:  # fmt: skip
    return events(ctx, entity, entity_id, actor, page)


@api.post("/audit/verify", response_model=VerifyOut, summary="校验审计链")
def verify_api(ctx: Ctx = Depends(staff("audit"))) -> Any:
    with ctx.read() as s:
        r = verify(s)
    return VerifyOut(ok=r.ok, events=r.events, message=r.message, seq=r.seq)
