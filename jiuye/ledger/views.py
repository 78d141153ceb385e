"""Pages and API of the ledger: review queue, one entitlement with its explanation, approve/reject, bulk
approval of 免申即享 measures, 免申即享 settings, payment batches (create, totals, download), reversals.

Every view calls the same service as the CLI command (:mod:`jiuye.ledger.service`) and filters by the
user's scope (:mod:`jiuye.accounts.scope`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jiuye.accounts.scope import (
    line_condition,
    mask_text,
    policies_in_scope,
    policy_district,
    require_line,
    shown_id,
)
from jiuye.accounts.service import User
from jiuye.accounts.web import Ctx, ReasonIn, done, staff, with_reason
from jiuye.errors import BAD_INPUT, FORBIDDEN, NOT_FOUND, UserError
from jiuye.jobs.tasks import month_of
from jiuye.jobs.views import JobStarted, start_job
from jiuye.ledger import service
from jiuye.ledger.models import entitlements, payment_batches, payments
from jiuye.ledger.transitions import STATE_LABELS
from jiuye.webkit.paging import api_page, page_number
from jiuye.webkit.render import render, yuan

router = APIRouter(tags=["待遇与发放"])
api = APIRouter(prefix="/api/v1", tags=["待遇与发放"])

PAGE_SIZE = 50
BATCH_PAGE_SIZE = 200  # payment batches on one page of their list, newest first; older ones on the next pages
STATUS_LABELS = {"payable": "可发放", "amount_pending": "金额待定"}


def parse_month(text: str | None, field: str = "month") -> dt.date | None:
    if not text:
        return None
    return month_of(text, field)


def _titles() -> dict[str, str]:
    from jiuye.rules.catalog import all_measures

    return {m.id: m.meta.title for m in all_measures()}


# --- queue -----------------------------------------------------------------------------------------
class EntitlementRow(BaseModel):
    id: int
    policy: str
    title: str
    subject: str = Field(description="对象证件号（按角色脱敏）")
    person_id: int | None
    name: str | None
    town: str | None
    month: str
    amount_fen: int | None
    amount: str
    status: str
    state: str
    state_label: str


class EntitlementPage(BaseModel):
    page: int
    has_next: bool
    rows: list[EntitlementRow]


def queue(
    session: Session, user: User, policy: str | None, month: dt.date | None, town: str | None, state: str | None,
    page: int,
) -> EntitlementPage:  # fmt: skip
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    e = entitlements
    stmt = (
        sa.select(e.c.id, e.c.policy, e.c.subject, e.c.month, e.c.amount_fen, e.c.amount_status, e.c.state,
                  p.c.id.label("person_id"), p.c.name, p.c.hukou_town)
        .select_from(e.outerjoin(p, p.c.id_number == e.c.subject))
        .where(line_condition(user, e))
    )  # fmt: skip
    if policy:
        stmt = stmt.where(e.c.policy == policy)
    if month is not None:
        stmt = stmt.where(e.c.month == month)
    if town:
        stmt = stmt.where(p.c.hukou_town == town)
    if state:
        if state not in STATE_LABELS:
            raise UserError(f"没有这个状态：{state}。", BAD_INPUT, "state")
        stmt = stmt.where(e.c.state == state)
    page = page_number(page)
    rows = (
        session.execute(stmt.order_by(e.c.id).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))
        .mappings()
        .all()
    )
    titles = _titles()
    out = [
        EntitlementRow(
            id=r["id"], policy=r["policy"], title=titles.get(r["policy"], r["policy"]),
            subject=shown_id(user, r["subject"]), person_id=r["person_id"], name=r["name"], town=r["hukou_town"],
            month=f"{r['month']:%Y-%m}", amount_fen=r["amount_fen"], amount=yuan(r["amount_fen"]), status=r["amount_status"],
            state=r["state"], state_label=STATE_LABELS[r["state"]],
        )
        for r in rows[:PAGE_SIZE]
    ]  # fmt: skip
    return EntitlementPage(page=page, has_next=len(rows) > PAGE_SIZE, rows=out)


def _towns(session: Session, user: User) -> list[str]:
    from jiuye.registry.models import TABLES

    t = TABLES["towns"]
    if user.town:
        return [user.town]
    return [
        r[0]
        for r in session.execute(sa.select(t.c.name).where(t.c.district == user.district).order_by(t.c.id))
    ]


@router.get("/review", include_in_schema=False)
def review_page(
    request: Request, policy: str = "", month: str = "", town: str = "", state: str = "found", page: int = 1,
    ctx: Ctx = Depends(staff("view")),
) -> Response:  # fmt: skip
    with ctx.read() as s:
        data = queue(s, ctx.user, policy or None, parse_month(month), town or None, state or None, page)
        towns = _towns(s, ctx.user)
        auto = {k: v.auto for k, v in service.settings(s).items()}
    policies = policies_in_scope(ctx.user)
    titles = _titles()
    query = "&".join(
        f"{k}={v}" for k, v in (("policy", policy), ("month", month), ("town", town), ("state", state)) if v
    )
    return render(request, "review.html", {
        "title": "待遇审核", "data": data, "policies": policies, "titles": titles, "towns": towns, "states": STATE_LABELS,
        "f": {"policy": policy, "month": month, "town": town, "state": state}, "base": f"/review?{query}&",
        "auto_policies": [p for p in policies if auto.get(p)],
    })  # fmt: skip


@api.get(
    "/entitlements", response_model=EntitlementPage, summary="待遇列表（按政策、月份、街镇、状态筛选，分页）"
)
def entitlements_api(
    policy: str | None = Query(None, max_length=16), month: str | None = Query(None, max_length=7),
    town: str | None = Query(None, max_length=64), state: str | None = Query(None, max_length=16),
    page: int = api_page(), ctx: Ctx = Depends(staff("view")),
) -> Any:  # fmt: skip
    with ctx.read() as s:
        return queue(s, ctx.user, policy, parse_month(month), town, state, page)


# --- one entitlement -------------------------------------------------------------------------------
class Condition(BaseModel):
    text: str
    met: bool | None
    detail: str | None
    clause: str


class EntitlementDetail(BaseModel):
    id: int
    policy: str
    title: str
    subject: str
    beneficiary: str
    person_id: int | None
    name: str | None
    month: str
    amount_fen: int | None
    amount: str
    status: str
    status_label: str
    state: str
    state_label: str
    eligible: bool | None
    clause: str | None
    reading: str | None
    conditions: list[Condition]
    events: list[dict[str, Any]]
    review_reason: str | None = None  # why it waits for review (e.g. which facts changed, old → new)


def entitlement_events(session: Session, entitlement_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The audit trail of one line: its own events and the bulk events that name it."""
    from jiuye.audit.labels import shown_events
    from jiuye.audit.models import audit_events as ev

    i = str(entitlement_id)
    text = sa.cast(ev.c.payload, sa.Text)
    bulk = sa.and_(ev.c.entity == "entitlements", ev.c.entity_id.like("批量%"),
                   sa.or_(text.like(f"%[{i},%"), text.like(f"% {i},%"), text.like(f"% {i}]%"), text.like(f"%[{i}]%")))  # fmt: skip
    rows = session.execute(
        sa.select(ev.c.seq, ev.c.at, ev.c.actor, ev.c.action, ev.c.old_state, ev.c.new_state, ev.c.reason)
        .where(sa.or_(sa.and_(ev.c.entity == "entitlements", ev.c.entity_id == i), bulk))
        .order_by(ev.c.seq).limit(limit)
    ).mappings()  # fmt: skip
    return shown_events(rows, "entitlements")


def detail(session: Session, user: User, entitlement_id: int) -> EntitlementDetail:
    from jiuye.registry.models import TABLES

    row = require_line(session, user, entitlements, entitlement_id, "待遇")
    from jiuye.matching.explain import explain

    data = explain(session, entitlement_id)
    p = TABLES["persons"]
    person = session.execute(sa.select(p.c.id, p.c.name).where(p.c.id_number == row["subject"])).first()
    ex = data.get("explanation") or {}
    conditions = [Condition(text=c["text"], met=c["met"], detail=mask_text(c.get("detail")) or "", clause=c["clause"])
                  for c in ex.get("conditions") or []]  # fmt: skip
    return EntitlementDetail(
        id=entitlement_id, policy=row["policy"], title=data["title"], subject=shown_id(user, row["subject"]),
        beneficiary=shown_id(user, row["beneficiary"]), person_id=None if person is None else int(person[0]),
        name=None if person is None else person[1], month=f"{row['month']:%Y-%m}", amount_fen=row["amount_fen"],
        amount=yuan(row["amount_fen"]), status=row["amount_status"], status_label=STATUS_LABELS.get(row["amount_status"], row["amount_status"]),
        state=row["state"], state_label=STATE_LABELS[row["state"]], eligible=ex.get("eligible"), clause=ex.get("clause"),
        reading=ex.get("reading"), conditions=conditions, events=entitlement_events(session, entitlement_id),
        review_reason=mask_text(data.get("review_reason")),
    )  # fmt: skip


@router.get("/entitlements/{entitlement_id}", include_in_schema=False)
def entitlement_page(request: Request, entitlement_id: int, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        d = detail(s, ctx.user, entitlement_id)
    return render(request, "entitlement.html", {"title": f"待遇 {entitlement_id}", "d": d})


@api.get("/entitlements/{entitlement_id}", response_model=EntitlementDetail, summary="一条待遇及其逐条件说明")
def entitlement_api(entitlement_id: int, ctx: Ctx = Depends(staff("view"))) -> Any:
    with ctx.read() as s:
        return detail(s, ctx.user, entitlement_id)


class ReviewIn(ReasonIn):
    decision: Literal["approve", "reject"]


class ReviewOut(BaseModel):
    id: int
    state: str
    state_label: str
    message: str


def do_review(ctx: Ctx, entitlement_id: int, decision: str, reason: str) -> ReviewOut:
    def act(s: Session, text: str) -> str:
        require_line(s, ctx.user, entitlements, entitlement_id, "待遇")
        return service.review(s, entitlement_id, decision, ctx.user.actor, text)

    new = with_reason(ctx, reason, "请写明审核理由。", act)
    label = STATE_LABELS[new]
    return ReviewOut(
        id=entitlement_id, state=new, state_label=label, message=f"待遇 {entitlement_id} 已{label[1:]}。"
    )


@router.post("/entitlements/{entitlement_id}/review", include_in_schema=False)
def review_submit(
    entitlement_id: int, decision: str = Form(...), reason: str = Form(""), ctx: Ctx = Depends(staff("review")),
) -> Response:  # fmt: skip
    do_review(ctx, entitlement_id, decision, reason)
    return done(f"/entitlements/{entitlement_id}?done={decision}")


@api.post(
    "/entitlements/{entitlement_id}/review",
    response_model=ReviewOut,
    summary="核准或驳回一条待遇（须写理由）",
)
def review_api(entitlement_id: int, body: ReviewIn, ctx: Ctx = Depends(staff("review"))) -> Any:
    return do_review(ctx, entitlement_id, body.decision, body.reason)


# --- bulk approval of 免申即享 ------------------------------------------------------------------------
class BulkPreview(BaseModel):
    month: str
    policy: str | None
    count: int
    total_fen: int
    total: str
    by_policy: list[dict[str, Any]]


def bulk_preview(session: Session, user: User, month: dt.date, policy: str | None) -> BulkPreview:
    """What ``approve_month`` would approve for this user: count and money, per measure."""
    current = service.settings(session)
    mine = [p for p in policies_in_scope(user) if current[p].auto and (policy is None or p == policy)]
    if policy is not None and policy not in mine:
        raise UserError(f"政策 {policy} 不在您的辖区，或未设为免申即享（须逐条审核）。", BAD_INPUT, "policy")
    from jiuye.rules.dates import month_end

    e = entitlements
    rows = session.execute(
        sa.select(e.c.policy, sa.func.count(), sa.func.coalesce(sa.func.sum(e.c.amount_fen), 0))
        .where(e.c.state == "found", e.c.month <= month_end(month), e.c.policy.in_(mine) if mine else sa.false())
        .group_by(e.c.policy).order_by(e.c.policy)
    ).all()  # fmt: skip
    by = [
        {"policy": r[0], "count": int(r[1]), "total_fen": int(r[2]), "total": yuan(int(r[2]))} for r in rows
    ]
    total = sum(b["total_fen"] for b in by)
    return BulkPreview(month=f"{month:%Y-%m}", policy=policy, count=sum(b["count"] for b in by), total_fen=total,
                       total=yuan(total), by_policy=by)  # fmt: skip


@router.get("/review/bulk", include_in_schema=False)
def bulk_page(
    request: Request, month: str = "", policy: str = "", ctx: Ctx = Depends(staff("bulk_approve"))
) -> Response:
    chosen = parse_month(month) or dt.date.today().replace(day=1)
    with ctx.read() as s:
        pv = bulk_preview(s, ctx.user, chosen, policy or None)
    return render(request, "bulk.html", {"title": "批量核准（免申即享）", "pv": pv, "titles": _titles()})


@router.post("/review/bulk", include_in_schema=False)
def bulk_submit(
    month: str = Form(...), policy: str = Form(""), expected_count: int = Form(...),
    ctx: Ctx = Depends(staff("bulk_approve")),
) -> Response:  # fmt: skip
    return _bulk(ctx, month, policy or None, expected_count)


class BulkIn(BaseModel):
    month: str = Field(max_length=7, description="YYYY-MM：核准该月及以前")
    policy: str | None = Field(None, max_length=16)
    expected_count: int = Field(description="确认时看到的条数；数目变了则拒绝，请重新确认", ge=0)


def _bulk_month(text: str) -> dt.date:
    # an empty month is the caller's omission, not a program error (an assert here answered a 500)
    month = parse_month(text)
    if month is None:
        raise UserError("请选择核准月份。", BAD_INPUT, "month")
    return month


def _bulk(ctx: Ctx, month_text: str, policy: str | None, expected: int) -> Response:
    month = _bulk_month(month_text)
    with ctx.read() as s:
        pv = bulk_preview(s, ctx.user, month, policy)
    if pv.count != expected:
        raise UserError(
            f"待核准条数已变化（确认时 {expected} 条，现在 {pv.count} 条），请重新确认。",
            BAD_INPUT,
            "expected_count",
        )
    if pv.count == 0:
        raise UserError("没有待核准的免申即享待遇。", BAD_INPUT, "month")
    params = {"month": f"{month:%Y-%m}", "policy": policy}
    return start_job(ctx, "approve", params, lock_key=f"approve:{ctx.user.district}")


@api.get("/entitlements-bulk-approval", response_model=BulkPreview, summary="批量核准前的确认：条数与金额")
def bulk_preview_api(month: str = Query(..., max_length=7), policy: str | None = Query(None, max_length=16),
                     ctx: Ctx = Depends(staff("bulk_approve"))) -> Any:  # fmt: skip
    with ctx.read() as s:
        return bulk_preview(s, ctx.user, _bulk_month(month), policy)


@api.post(
    "/entitlements-bulk-approval",
    response_model=JobStarted,
    status_code=202,
    summary="批量核准免申即享待遇（后台任务）",
)
def bulk_api(body: BulkIn, ctx: Ctx = Depends(staff("bulk_approve"))) -> Any:
    return _bulk(ctx, body.month, body.policy, body.expected_count)


# --- 免申即享 settings ------------------------------------------------------------------------------
class SettingOut(BaseModel):
    policy: str
    title: str
    auto: bool
    set_by: str
    set_at: str | None


def _settings(session: Session, user: User) -> list[SettingOut]:
    titles = _titles()
    mine = set(policies_in_scope(user))
    return [SettingOut(policy=k, title=titles.get(k, k), auto=v.auto, set_by=v.set_by,
                       set_at=None if v.set_at is None else str(v.set_at))
            for k, v in service.settings(session).items() if k in mine]  # fmt: skip


@router.get("/settings", include_in_schema=False)
def settings_page(request: Request, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        rows = _settings(s, ctx.user)
    return render(request, "settings.html", {"title": "免申即享设置", "rows": rows})


class SettingIn(ReasonIn):
    auto: bool


def _set(ctx: Ctx, policy: str, auto: bool, reason: str) -> SettingOut:
    if policy_district(policy) != ctx.user.district or policy not in policies_in_scope(ctx.user):
        raise UserError(f"政策 {policy} 不在您的辖区。", NOT_FOUND, "policy")

    def act(s: Session, text: str) -> SettingOut:
        service.set_auto(s, policy, auto, ctx.user.actor, text)
        return next(r for r in _settings(s, ctx.user) if r.policy == policy)

    return with_reason(ctx, reason, "请写明调整理由。", act)


@router.post("/settings/{policy}", include_in_schema=False)
def settings_submit(policy: str, auto: str = Form(...), reason: str = Form(""),
                    ctx: Ctx = Depends(staff("settings"))) -> Response:  # fmt: skip
    if auto not in ("on", "off"):  # the form's two buttons; anything else must not switch 免申即享 off
        raise UserError("免申即享设置只能是“开启”或“关闭”。", BAD_INPUT, "auto")
    _set(ctx, policy, auto == "on", reason)
    return done("/settings")


@api.get("/settings/auto", response_model=list[SettingOut], summary="各政策是否免申即享")
def settings_api(ctx: Ctx = Depends(staff("view"))) -> Any:
    with ctx.read() as s:
        return _settings(s, ctx.user)


@api.put("/settings/auto/{policy}", response_model=SettingOut, summary="设置免申即享（须写理由）")
def settings_set_api(policy: str, body: SettingIn, ctx: Ctx = Depends(staff("settings"))) -> Any:
    return _set(ctx, policy, body.auto, body.reason)


# --- payment batches -------------------------------------------------------------------------------
class BatchRow(BaseModel):
    id: int
    month: str
    created_by: str
    created_at: str
    lines: int
    total_fen: int
    total: str
    checksum: str | None


class BatchDetail(BatchRow):
    per_measure: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    page: int
    has_next: bool


def _batch_rows(
    session: Session, user: User, *where: Any, limit: int | None = None, offset: int = 0
) -> list[BatchRow]:
    """The batches that hold lines in the user's scope, with the user's part of them (lines and money in scope),
    newest first."""
    pay, b = payments, payment_batches
    stmt = (
        sa.select(b.c.id, b.c.month, b.c.created_by, b.c.created_at, b.c.checksum, sa.func.count(pay.c.id),
                  sa.func.sum(sa.case((pay.c.state == "paid", pay.c.amount_fen), else_=0)))
        .join(pay, pay.c.batch_id == b.c.id).where(line_condition(user, pay), *where)
        .group_by(b.c.id, b.c.month, b.c.created_by, b.c.created_at, b.c.checksum).order_by(b.c.id.desc())
    )  # fmt: skip
    rows = session.execute(stmt if limit is None else stmt.limit(limit).offset(offset)).all()
    return [BatchRow(id=r[0], month=f"{r[1]:%Y-%m}", created_by=r[2], created_at=str(r[3]), checksum=r[4], lines=int(r[5]),
                     total_fen=int(r[6] or 0), total=yuan(int(r[6] or 0))) for r in rows]  # fmt: skip


def batches(session: Session, user: User, page: int = 1) -> tuple[list[BatchRow], bool]:
    """Page ``page`` of the user's batches (:data:`BATCH_PAGE_SIZE` a page, newest first) and whether an older
    page follows: every batch is reached by paging, none is cut off."""
    rows = _batch_rows(session, user, limit=BATCH_PAGE_SIZE + 1, offset=(page - 1) * BATCH_PAGE_SIZE)
    return rows[:BATCH_PAGE_SIZE], len(rows) > BATCH_PAGE_SIZE


def batch_detail(session: Session, user: User, batch_id: int, page: int = 1) -> BatchDetail:
    from jiuye.registry.models import TABLES

    found = _batch_rows(session, user, payment_batches.c.id == batch_id)  # any batch, however old
    if not found:
        raise UserError(f"找不到发放批次 {batch_id}，或它不在您的辖区内。", NOT_FOUND)
    pay = payments
    scope = line_condition(user, pay)
    per = session.execute(
        sa.select(pay.c.policy, sa.func.count(), sa.func.sum(sa.case((pay.c.state == "paid", pay.c.amount_fen), else_=0)),
                  sa.func.sum(sa.case((pay.c.state == "reversed", 1), else_=0)))
        .where(pay.c.batch_id == batch_id, scope).group_by(pay.c.policy).order_by(pay.c.policy)
    ).all()  # fmt: skip
    p = TABLES["persons"]
    page = page_number(page)
    lines = session.execute(
        sa.select(pay.c.id, pay.c.policy, pay.c.subject, pay.c.month, pay.c.amount_fen, pay.c.state,
                  pay.c.reversal_reason, p.c.id.label("person_id"), p.c.name)
        .select_from(pay.outerjoin(p, p.c.id_number == pay.c.subject))
        .where(pay.c.batch_id == batch_id, scope).order_by(pay.c.id).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).mappings().all()  # fmt: skip
    return BatchDetail(
        **found[0].model_dump(),
        per_measure=[{"policy": r[0], "lines": int(r[1]), "total_fen": int(r[2] or 0), "total": yuan(int(r[2] or 0)),
                      "reversed": int(r[3] or 0)} for r in per],
        payments=[{"id": r["id"], "policy": r["policy"], "subject": shown_id(user, r["subject"]), "person_id": r["person_id"],
                   "name": r["name"], "month": f"{r['month']:%Y-%m}", "amount_fen": r["amount_fen"],
                   "amount": yuan(r["amount_fen"]), "state": r["state"],
                   "reversal_reason": mask_text(r["reversal_reason"])}
                  for r in lines[:PAGE_SIZE]],
        page=page, has_next=len(lines) > PAGE_SIZE,
    )  # fmt: skip


@router.get("/payments", include_in_schema=False)
def payments_page(request: Request, page: int = 1, ctx: Ctx = Depends(staff("payments_view"))) -> Response:
    page = page_number(page)
    with ctx.read() as s:
        rows, has_next = batches(s, ctx.user, page)
    return render(request, "payments.html", {"title": "发放批次", "rows": rows, "page": page, "has_next": has_next,
                                             "default_month": f"{dt.date.today():%Y-%m}"})  # fmt: skip


class PayIn(BaseModel):
    month: str = Field(max_length=7, description="YYYY-MM：发放该月及以前已核准的待遇")


def _pay(ctx: Ctx, month_text: str) -> Response:
    month = parse_month(month_text)
    if month is None:
        raise UserError("请选择发放月份。", BAD_INPUT, "month")
    return start_job(ctx, "pay", {"month": f"{month:%Y-%m}"}, lock_key=f"pay:{ctx.user.district}")


@router.post("/payments", include_in_schema=False)
def payments_submit(month: str = Form(""), ctx: Ctx = Depends(staff("pay"))) -> Response:
    return _pay(ctx, month)


@api.get(
    "/payment-batches",
    response_model=list[BatchRow],
    summary="发放批次列表（新的在前，分页；空列表表示没有更早的）",
)
def batches_api(page: int = api_page(), ctx: Ctx = Depends(staff("payments_view"))) -> Any:
    with ctx.read() as s:
        return batches(s, ctx.user, page)[0]


@api.post("/payment-batches", response_model=JobStarted, status_code=202, summary="生成发放批次（后台任务）")
def pay_api(body: PayIn, ctx: Ctx = Depends(staff("pay"))) -> Any:
    return _pay(ctx, body.month)


@router.get("/payments/batches/{batch_id}", include_in_schema=False)
def batch_page(
    request: Request, batch_id: int, page: int = 1, ctx: Ctx = Depends(staff("payments_view"))
) -> Response:
    with ctx.read() as s:
        d = batch_detail(s, ctx.user, batch_id, page)
        refusal = download_refusal(s, ctx.user, batch_id)
    return render(request, "batch.html", {"title": f"发放批次 {batch_id}", "d": d, "refusal": refusal})


def download_refusal(s: Session, user: User, batch_id: int) -> str | None:
    """Why ``user`` may not download the batch's payment file (it holds bank accounts), or None."""
    if not (user.can("pay") or user.can("reverse")):
        return "您的角色无权下载发放文件（含银行账号）。"
    districts = {policy_district(r[0]) for r in s.execute(
        sa.select(payments.c.policy).distinct().where(payments.c.batch_id == batch_id))}  # fmt: skip
    if districts != {user.district} or user.town is not None:
        return "此批次含其他辖区的发放，文件请由市级或各区分别下载。"
    return None


@api.get("/payment-batches/{batch_id}", response_model=BatchDetail, summary="一个发放批次：按政策合计与明细")
def batch_api(
    batch_id: int, page: int = api_page(), ctx: Ctx = Depends(staff("payments_view"))
) -> Any:
    with ctx.read() as s:
        return batch_detail(s, ctx.user, batch_id, page)


def _batch_file(ctx: Ctx, batch_id: int, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise UserError("文件格式只能是 csv 或 xlsx。", BAD_INPUT, "fmt")
    with ctx.read() as s:
        batch_detail(s, ctx.user, batch_id)  # scope check
        if refusal := download_refusal(s, ctx.user, batch_id):
            raise UserError(refusal, FORBIDDEN)
        row = s.execute(sa.select(payment_batches).where(payment_batches.c.id == batch_id)).mappings().first()
        assert row is not None
        path = Path(row[f"{fmt}_path"] or "")
        from jiuye.audit.service import record

    if not path.is_file():
        raise UserError(
            f"发放文件 {path.name or batch_id} 不在服务器上（可能由命令行写到了别处）。", NOT_FOUND
        )
    with ctx.write() as s:
        record(s, ctx.user.actor, "download", "payment_batches", batch_id, None, None, None, {"format": fmt})
    media = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(path, media_type=media, filename=path.name)


@router.get("/payments/batches/{batch_id}/file.{fmt}", include_in_schema=False)
def batch_file(batch_id: int, fmt: str, ctx: Ctx = Depends(staff("payments_view"))) -> Response:
    return _batch_file(ctx, batch_id, fmt)


@api.get("/payment-batches/{batch_id}/file.{fmt}", summary="下载发放文件（CSV 或 XLSX；下载记入审计）",
         response_class=Response, responses={200: {"content": {"text/csv": {}}}})  # fmt: skip
def batch_file_api(
    batch_id: int, fmt: Literal["csv", "xlsx"], ctx: Ctx = Depends(staff("payments_view"))
) -> Response:
    return _batch_file(ctx, batch_id, fmt)


class ReverseIn(ReasonIn):
    pass


class ReverseOut(BaseModel):
    payment_id: int
    message: str


def _reverse(ctx: Ctx, payment_id: int, reason: str) -> ReverseOut:
    def act(s: Session, text: str) -> dict[str, Any]:
        require_line(s, ctx.user, payments, payment_id, "发放记录")
        return service.reverse(s, payment_id, ctx.user.actor, text)

    row = with_reason(ctx, reason, "请写明追回理由。", act)
    return ReverseOut(payment_id=payment_id,
                      message=f"已追回发放记录 {payment_id}（{row['policy']} {row['month']:%Y-%m}，{yuan(row['amount_fen'])} 元）。")  # fmt: skip


@router.post("/payments/{payment_id}/reverse", include_in_schema=False)
def reverse_submit(payment_id: int, reason: str = Form(""), batch_id: int = Form(0),
                   ctx: Ctx = Depends(staff("reverse"))) -> Response:  # fmt: skip
    _reverse(ctx, payment_id, reason)
    return done(f"/payments/batches/{batch_id}" if batch_id else "/payments")


@api.post("/payments/{payment_id}/reverse", response_model=ReverseOut, summary="追回一笔发放（须写理由）")
def reverse_api(payment_id: int, body: ReverseIn, ctx: Ctx = Depends(staff("reverse"))) -> Any:
    return _reverse(ctx, payment_id, body.reason)
