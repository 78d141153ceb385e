"""Pages and API of matching (主动匹配): start a run of the user's district as a background job.

The job calls the CLI's service (:func:`jiuye.matching.service.run_match`, chunk by chunk, each chunk one
transaction; a killed run resumes from its last committed chunk).  One match at a time: a second request
while one is queued or running is refused with the number of the running one (409), whoever started it —
also while a match started from the command line runs (the run is exclusive in ``run_match`` itself,
:func:`jiuye.db.exclusive_run`); the page lists every run, the command line's too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jiuye.accounts.scope import DISTRICT_LABELS, policies_in_scope
from jiuye.accounts.web import Ctx, staff
from jiuye.db import exclusive_run_free
from jiuye.errors import BAD_INPUT, CONFLICT, UserError
from jiuye.jobs.tasks import month_of
from jiuye.jobs.views import JobStarted, start_job
from jiuye.matching.service import MATCH_RUN, busy_message
from jiuye.webkit.render import render

router = APIRouter(tags=["主动匹配"])
api = APIRouter(prefix="/api/v1", tags=["主动匹配"])

LOCK_KEY = "match"  # match_runs are resumed by their month window: two runs at once would share one
FIRST_MONTH = "2023-01"  # the two documents take effect in 2023


class MatchIn(BaseModel):
    month_from: str = Field(FIRST_MONTH, max_length=7, description="YYYY-MM：从该月起")
    month_to: str = Field(max_length=7, description="YYYY-MM：到该月止")
    full: bool = Field(False, description="全量重算：不跳过输入未变的批次")


class MatchRun(BaseModel):
    job_id: int
    run_id: int | None
    month_from: str
    month_to: str
    state: str
    inserted: int | None
    changed: int | None
    withdrawn: int | None
    started_by: str
    started_at: str
    message: str | None


RUN_STATES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败（可重新发起，从中断处续跑）"}


def start_match(ctx: Ctx, month_from: str, month_to: str, full: bool) -> Response:
    first, last = month_of(month_from, "month_from"), month_of(month_to, "month_to")
    if first > last:
        raise UserError("起始月份晚于截止月份。", BAD_INPUT, "month_from")
    if first < dt.date(2000, 1, 1) or last > dt.date.today().replace(day=1) + dt.timedelta(days=3 * 366):
        raise UserError("月份超出可匹配的范围。", BAD_INPUT, "month_to")
    if not policies_in_scope(ctx.user):
        raise UserError("您的辖区没有可匹配的政策。", BAD_INPUT)
    params = {"month_from": f"{first:%Y-%m}", "month_to": f"{last:%Y-%m}", "full": bool(full)}
    with ctx.read() as s:
        bind = s.get_bind()
    # e.g. one started from the command line: refuse now rather than queue a job that would be refused
    if not exclusive_run_free(bind, MATCH_RUN):
        raise UserError(busy_message(bind), CONFLICT)
    return start_job(ctx, "match", params, lock_key=LOCK_KEY)


def recent_runs(session: Session, ctx: Ctx, limit: int = 10) -> list[MatchRun]:
    """The matches started from the web by the user's district (its jobs), newest first."""
    from jiuye.jobs.models import jobs

    rows = session.execute(
        sa.select(jobs).where(jobs.c.kind == "match", jobs.c.district == ctx.user.district)
        .order_by(jobs.c.id.desc()).limit(limit)
    ).mappings()  # fmt: skip
    out = []
    for r in rows:
        params, result = dict(r["params"] or {}), dict(r["result"] or {})
        out.append(MatchRun(job_id=r["id"], run_id=result.get("run_id"), month_from=str(params.get("month_from", "")),
                            month_to=str(params.get("month_to", "")), state=r["state"], inserted=result.get("inserted"),
                            changed=result.get("changed"), withdrawn=result.get("withdrawn"), started_by=r["created_by"],
                            started_at=str(r["created_at"]), message=r["message"]))  # fmt: skip
    return out


HISTORY_STATES = {"finished": "已完成", "running": "进行中", "interrupted": "已中断（再次发起同一月份范围即从中断处续跑）",
                  "abandoned": "已放弃（登记库已变化，下次匹配重新计算）"}  # fmt: skip


def run_history(session: Session, ctx: Ctx, limit: int = 10) -> list[dict[str, Any]]:
    """Every match run (``match_runs``) — from the command line too — newest first, so staff see what ran.

    A run started from the web by another district's staff is left out (the jobs say who started matches
    from the web, and in which district); one started from the command line matched the whole bureau and
    is shown to all.  A run still marked running while nobody holds the match (:data:`MATCH_RUN`) was
    interrupted."""
    from jiuye.jobs.models import jobs
    from jiuye.matching.models import match_runs

    # who started matches from the web, and in which district (a killed job has no result: go by its creator)
    web = sa.select(jobs.c.created_by, jobs.c.district).where(jobs.c.kind == "match").distinct()
    starters = {str(by): str(district) for by, district in session.execute(web)}
    rows = session.execute(sa.select(match_runs).order_by(match_runs.c.id.desc()).limit(limit * 4)).mappings()
    me = ctx.user.district
    mine = [dict(r) for r in rows if starters.get(str(r["started_by"]), me) == me]
    shown = mine[:limit]
    if any(r["state"] == "running" for r in shown):
        held = not exclusive_run_free(session.get_bind(), MATCH_RUN)
        newest = max(int(r["id"]) for r in shown if r["state"] == "running")
        for r in shown:
            if r["state"] == "running" and not (held and int(r["id"]) == newest):
                r["state"] = "interrupted"
    for r in shown:
        r["origin"] = "网页" if str(r["started_by"]) in starters else "命令行"
    return shown


def _active_job(session: Session, ctx: Ctx) -> dict[str, Any] | None:
    from jiuye.jobs.models import jobs

    row = session.execute(
        sa.select(jobs.c.id, jobs.c.state, jobs.c.district).where(jobs.c.lock_key == LOCK_KEY,
                                                                   jobs.c.state.in_(["queued", "running"]))
        .order_by(jobs.c.id).limit(1)
    ).mappings().first()  # fmt: skip
    return None if row is None else dict(row)


@router.get("/match", include_in_schema=False)
def match_page(request: Request, ctx: Ctx = Depends(staff("match"))) -> Response:
    with ctx.read() as s:
        runs = recent_runs(s, ctx)
        active = _active_job(s, ctx)
        history = run_history(s, ctx)
    return render(request, "match.html", {
        "title": "主动匹配", "runs": runs, "active": active, "states": RUN_STATES, "first_month": FIRST_MONTH,
        "history": history, "history_states": HISTORY_STATES,
        "default_to": f"{dt.date.today():%Y-%m}", "policies": policies_in_scope(ctx.user),
        "district_label": DISTRICT_LABELS.get(ctx.user.district, ctx.user.district),
    })  # fmt: skip


@router.post("/match", include_in_schema=False)
def match_submit(month_from: str = Form(FIRST_MONTH), month_to: str = Form(""), full: str = Form(""),
                 ctx: Ctx = Depends(staff("match"))) -> Response:  # fmt: skip
    return start_match(ctx, month_from, month_to, full == "on")


@api.post("/match", response_model=JobStarted, status_code=202, summary="主动匹配本区政策（后台任务）")
def match_api(body: MatchIn, ctx: Ctx = Depends(staff("match"))) -> Any:
    return start_match(ctx, body.month_from, body.month_to, body.full)


@api.get("/match-runs", response_model=list[MatchRun], summary="本区最近从网页发起的匹配")
def match_runs_api(ctx: Ctx = Depends(staff("match"))) -> Any:
    with ctx.read() as s:
        return recent_runs(s, ctx)
