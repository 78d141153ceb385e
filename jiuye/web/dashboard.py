"""工作台: what is waiting for the logged-in user, by measure and town, in their scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from jiuye.accounts.scope import flag_condition, line_condition
from jiuye.accounts.service import User
from jiuye.accounts.web import Ctx, staff
from jiuye.webkit.render import render

router = APIRouter(tags=["工作台"])
api = APIRouter(prefix="/api/v1", tags=["工作台"])


class MeasureCount(BaseModel):
    policy: str
    title: str
    found: int
    found_fen: int
    pending_amount: int
    approved: int
    approved_fen: int
    applications: int = 0  # 点单式 applications submitted, waiting for a decision


class TownCount(BaseModel):
    town: str
    found: int


class Dashboard(BaseModel):
    found: int
    approved: int
    open_flags: int
    batches: int
    applications: int
    by_measure: list[MeasureCount]
    by_town: list[TownCount]


def figures(session: Session, user: User) -> Dashboard:
    from jiuye.accounts.scope import policies_in_scope
    from jiuye.applications.service import waiting_by_policy
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payment_batches, payments
    from jiuye.registry.models import TABLES
    from jiuye.rules.catalog import all_measures
    from jiuye.supervision.models import flags

    titles = {m.id: m.meta.title for m in all_measures()}
    scope = line_condition(user, e)
    rows = session.execute(
        sa.select(
            e.c.policy,
            sa.func.sum(sa.case((e.c.state == "found", 1), else_=0)),
            sa.func.sum(sa.case((e.c.state == "found", e.c.amount_fen), else_=0)),
            sa.func.sum(sa.case((sa.and_(e.c.state == "found", e.c.amount_fen.is_(None)), 1), else_=0)),
            sa.func.sum(sa.case((e.c.state == "approved", 1), else_=0)),
            sa.func.sum(sa.case((e.c.state == "approved", e.c.amount_fen), else_=0)),
        ).where(scope, e.c.state.in_(["found", "approved"])).group_by(e.c.policy).order_by(e.c.policy)
    ).all()  # fmt: skip
    by_measure = [MeasureCount(policy=r[0], title=titles.get(r[0], r[0]), found=int(r[1] or 0), found_fen=int(r[2] or 0),
                               pending_amount=int(r[3] or 0), approved=int(r[4] or 0), approved_fen=int(r[5] or 0))
                  for r in rows]  # fmt: skip
    waiting = waiting_by_policy(session, policies_in_scope(user), user)
    for m in by_measure:
        m.applications = waiting.pop(m.policy, 0)
    by_measure += [MeasureCount(policy=k, title=titles.get(k, k), found=0, found_fen=0, pending_amount=0, approved=0,
                                approved_fen=0, applications=n) for k, n in waiting.items()]  # fmt: skip
    by_measure.sort(key=lambda m: m.policy)
    p = TABLES["persons"]
    town_rows = session.execute(
        sa.select(sa.func.coalesce(p.c.hukou_town, "（无本区户籍街镇）"), sa.func.count())
        .select_from(e.join(p, p.c.id_number == e.c.subject))
        .where(scope, e.c.state == "found").group_by(p.c.hukou_town).order_by(sa.func.count().desc())
    ).all()  # fmt: skip
    open_flags = session.execute(
        sa.select(sa.func.count())
        .select_from(flags)
        .where(flags.c.state == "open", flag_condition(user, flags))
    ).scalar_one()
    batches = session.execute(
        sa.select(sa.func.count(sa.distinct(payments.c.batch_id))).where(line_condition(user, payments))
    ).scalar_one()
    _ = payment_batches
    return Dashboard(
        found=sum(m.found for m in by_measure), approved=sum(m.approved for m in by_measure),
        open_flags=int(open_flags), batches=int(batches), applications=sum(m.applications for m in by_measure),
        by_measure=by_measure,
        by_town=[TownCount(town=str(r[0]), found=int(r[1])) for r in town_rows],
    )  # fmt: skip


@router.get("/", include_in_schema=False)
def dashboard_page(request: Request, ctx: Ctx = Depends(staff("dashboard"))) -> Response:
    from jiuye.jobs.service import recent
    from jiuye.jobs.worker import as_dict

    with ctx.read() as s:
        data = figures(s, ctx.user)
        jobs = [as_dict(j) for j in recent(s, ctx.user, 5)]
    return render(request, "dashboard.html", {"title": "工作台", "d": data, "jobs": jobs})


@api.get("/dashboard", response_model=Dashboard, summary="工作台：待办数量（按政策、按街镇）")
def dashboard_api(ctx: Ctx = Depends(staff("dashboard"))) -> Any:
    with ctx.read() as s:
        return figures(s, ctx.user)
