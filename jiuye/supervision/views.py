"""Pages and API of fund supervision: run the checks (background job), flags by kind with the clause each
protects, one flag, confirm or dismiss with a reason (the same service as ``jiuye flag``)."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from jiuye.accounts.scope import flag_condition, mask_text, shown_id
from jiuye.accounts.service import User
from jiuye.accounts.web import Ctx, ReasonIn, done, staff, with_reason
from jiuye.errors import BAD_INPUT, CONFLICT, NOT_FOUND, UserError
from jiuye.jobs.views import JobStarted, start_job
from jiuye.supervision import service
from jiuye.supervision.checks import SEVERITY_LABELS
from jiuye.supervision.models import STATE_LABELS, flags
from jiuye.webkit.paging import api_page, page_number
from jiuye.webkit.render import render

router = APIRouter(tags=["资金监管"])
api = APIRouter(prefix="/api/v1", tags=["资金监管"])
PAGE_SIZE = 50


def _titles() -> dict[str, str]:
    from jiuye.supervision.checks import CHECK_TITLES
    from jiuye.supervision.service import CONCERN_CHECK, CONCERN_TITLE

    return {**CHECK_TITLES, CONCERN_CHECK: CONCERN_TITLE}


class FlagRow(BaseModel):
    id: int
    check: str
    check_title: str
    clause: str
    subject_kind: str
    subject_id: str
    month: str | None
    detail: str
    severity: str
    severity_label: str
    state: str
    state_label: str
    reviewed_by: str | None = None
    review_reason: str | None = None


class FlagSummary(BaseModel):
    check: str
    check_title: str
    clause: str
    open: int
    confirmed: int
    dismissed: int


class FlagList(BaseModel):
    summary: list[FlagSummary]
    rows: list[FlagRow]
    page: int
    has_next: bool


def _row(user: User, r: Any) -> FlagRow:
    subject = r["subject_id"]
    shown = (
        shown_id(user, subject) if r["subject_kind"] in ("person", "employer") else mask_text(subject)
    )
    return FlagRow(id=r["id"], check=r["check"], check_title=_titles().get(r["check"], r["check"]), clause=r["clause"],
                   subject_kind=r["subject_kind"], subject_id=shown, month=None if r["month"] is None else f"{r['month']:%Y-%m}",
                   detail=mask_text(r["detail"]), severity=r["severity"], severity_label=SEVERITY_LABELS.get(r["severity"], r["severity"]), state=r["state"],
                   state_label=STATE_LABELS.get(r["state"], r["state"]), reviewed_by=r.get("reviewed_by"),
                   review_reason=r.get("review_reason"))  # fmt: skip


def flag_list(session: Session, user: User, check: str | None, state: str | None, page: int) -> FlagList:
    scope = flag_condition(user, flags)
    summary_rows = session.execute(
        sa.select(flags.c.check, sa.func.min(flags.c.clause),
                  *(sa.func.sum(sa.case((flags.c.state == st, 1), else_=0)) for st in ("open", "confirmed", "dismissed")))
        .where(scope).group_by(flags.c.check).order_by(flags.c.check)
    ).all()  # fmt: skip
    titles = _titles()
    summary = [FlagSummary(check=r[0], check_title=titles.get(r[0]) or str(r[0]), clause=r[1], open=int(r[2] or 0),
                           confirmed=int(r[3] or 0), dismissed=int(r[4] or 0)) for r in summary_rows]  # fmt: skip
    stmt = sa.select(flags).where(scope)
    if check:
        stmt = stmt.where(flags.c.check == check)
    if state:
        if state not in STATE_LABELS:
            raise UserError(f"没有这个状态：{state}。", BAD_INPUT, "state")
        stmt = stmt.where(flags.c.state == state)
    page = page_number(page)
    rows = (
        session.execute(stmt.order_by(flags.c.id).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))
        .mappings()
        .all()
    )
    return FlagList(
        summary=summary,
        rows=[_row(user, r) for r in rows[:PAGE_SIZE]],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
    )


@router.get("/supervision", include_in_schema=False)
def supervision_page(request: Request, check: str = "", state: str = "open", page: int = 1,
                     ctx: Ctx = Depends(staff("supervise"))) -> Response:  # fmt: skip
    with ctx.read() as s:
        data = flag_list(s, ctx.user, check or None, state or None, page)
    return render(request, "supervision.html", {"title": "资金监管", "data": data, "f": {"check": check, "state": state},
                                                "states": STATE_LABELS, "base": f"/supervision?check={check}&state={state}&"})  # fmt: skip


@api.get("/flags", response_model=FlagList, summary="监管疑点（按检查项、状态筛选）")
def flags_api(check: str | None = Query(None, max_length=32), state: str | None = Query(None, max_length=16),
              page: int = api_page(), ctx: Ctx = Depends(staff("supervise"))) -> Any:  # fmt: skip
    with ctx.read() as s:
        return flag_list(s, ctx.user, check, state, page)


def _run(ctx: Ctx) -> Response:
    # the checks of the user's district only; one run at a time (flags are stored under one lock).  The run
    # stores the flags of every town: a district-wide permission (roles.DISTRICT_WIDE), not a town account's
    return start_job(ctx, "supervise", {"district": ctx.user.district}, lock_key="supervise")


@router.post("/supervision/run", include_in_schema=False)
def run_submit(ctx: Ctx = Depends(staff("supervise_run"))) -> Response:
    return _run(ctx)


@api.post("/flags/run", response_model=JobStarted, status_code=202, summary="运行资金监管检查（后台任务）")
def run_api(ctx: Ctx = Depends(staff("supervise_run"))) -> Any:
    return _run(ctx)


def get_flag(session: Session, user: User, flag_id: int) -> FlagRow:
    row = (
        session.execute(sa.select(flags).where(flags.c.id == flag_id, flag_condition(user, flags)))
        .mappings()
        .first()
    )
    if row is None:
        raise UserError(f"找不到疑点 {flag_id}，或它不在您的辖区内。", NOT_FOUND)
    return _row(user, row)


@router.get("/supervision/flags/{flag_id}", include_in_schema=False)
def flag_page(request: Request, flag_id: int, ctx: Ctx = Depends(staff("supervise"))) -> Response:
    with ctx.read() as s:
        flag = get_flag(s, ctx.user, flag_id)
    return render(request, "flag.html", {"title": f"疑点 {flag_id}", "flag": flag})


@api.get("/flags/{flag_id}", response_model=FlagRow, summary="一条疑点")
def flag_api(flag_id: int, ctx: Ctx = Depends(staff("supervise"))) -> Any:
    with ctx.read() as s:
        return get_flag(s, ctx.user, flag_id)


class FlagReviewIn(ReasonIn):
    state: Literal["confirmed", "dismissed", "open"]


def _review(ctx: Ctx, flag_id: int, state: str, reason: str) -> FlagRow:
    def act(s: Session, text: str) -> FlagRow:
        get_flag(s, ctx.user, flag_id)
        try:
            service.set_state(s, flag_id, state, ctx.user.actor, text)
        except service.FlagError as exc:
            raise UserError(str(exc), CONFLICT if "已是" in str(exc) else BAD_INPUT, "reason") from exc
        return get_flag(s, ctx.user, flag_id)

    return with_reason(ctx, reason, "请写明复核意见（确认或排除的理由）。", act)


@router.post("/supervision/flags/{flag_id}", include_in_schema=False)
def flag_submit(flag_id: int, state: str = Form(...), reason: str = Form(""),
                ctx: Ctx = Depends(staff("supervise"))) -> Response:  # fmt: skip
    _review(ctx, flag_id, state, reason)
    return done(f"/supervision/flags/{flag_id}")


@api.post("/flags/{flag_id}/review", response_model=FlagRow, summary="确认或排除疑点（须写理由）")
def flag_review_api(flag_id: int, body: FlagReviewIn, ctx: Ctx = Depends(staff("supervise"))) -> Any:
    return _review(ctx, flag_id, body.state, body.reason)
