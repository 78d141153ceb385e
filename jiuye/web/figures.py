"""领导统计: the targets the documents set, and the counts and money so far by measure, month and town.

Read-only (every role may read it, leaders' main page); figures of the user's district (and town), every
number aggregated in SQL from the ledger and the registry — nothing is loaded row by row.  A target with
no data source in the registry says so instead of showing a number (:mod:`jiuye.rules.targets`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from jiuye.accounts.scope import DISTRICT_LABELS, line_condition
from jiuye.accounts.service import User
from jiuye.accounts.web import Ctx, staff
from jiuye.errors import BAD_INPUT, UserError
from jiuye.webkit.digits import ascii_digits
from jiuye.webkit.render import render, yuan

router = APIRouter(tags=["领导统计"])
api = APIRouter(prefix="/api/v1", tags=["领导统计"])

OUTSIDE_TOWN = "（本区户籍以外 / 机构）"
WAITING = ("found",)
APPROVED = ("approved", "in_batch")


class TargetOut(BaseModel):
    id: str
    clause: str
    indicator: str
    target: str
    quote: str
    has_source: bool
    no_source: str | None
    value: str | None


class MeasureFigures(BaseModel):
    policy: str
    title: str
    found: int
    approved: int
    paid: int
    paid_fen: int
    paid_total: str
    people: int


class MonthFigures(BaseModel):
    month: str
    paid: int
    paid_fen: int
    paid_total: str


class TownFigures(BaseModel):
    town: str
    paid: int
    paid_fen: int
    paid_total: str
    people: int


class Watched(BaseModel):
    label: str
    value: int
    source: str


class Figures(BaseModel):
    district: str
    year: int | None
    targets: list[TargetOut]
    watched: list[Watched]
    paid: int
    paid_fen: int
    paid_total: str
    by_measure: list[MeasureFigures]
    by_month: list[MonthFigures]
    by_town: list[TownFigures]


def _year_cond(column: Any, year: int | None) -> Any:
    if year is None:
        return sa.true()
    return sa.and_(column >= dt.date(year, 1, 1), column < dt.date(year + 1, 1, 1))


def figures(session: Session, user: User, year: int | None) -> Figures:
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payments as pay
    from jiuye.registry.models import TABLES
    from jiuye.rules.catalog import all_measures
    from jiuye.rules.targets import targets_of

    if year is not None and not 2000 <= year <= 2100:
        raise UserError(f"年份不对：{year}。", BAD_INPUT, "year")
    titles = {m.id: m.meta.title for m in all_measures()}
    ent_rows = session.execute(
        sa.select(e.c.policy,
                  sa.func.sum(sa.case((e.c.state.in_(WAITING), 1), else_=0)),
                  sa.func.sum(sa.case((e.c.state.in_(APPROVED), 1), else_=0)))
        .where(line_condition(user, e), _year_cond(e.c.month, year)).group_by(e.c.policy)
    ).all()  # fmt: skip
    paid = sa.and_(line_condition(user, pay), pay.c.state == "paid", _year_cond(pay.c.month, year))
    pay_rows = session.execute(
        sa.select(pay.c.policy, sa.func.count(), sa.func.coalesce(sa.func.sum(pay.c.amount_fen), 0),
                  sa.func.count(sa.distinct(pay.c.subject)))
        .where(paid).group_by(pay.c.policy)
    ).all()  # fmt: skip
    counts = {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in ent_rows}
    money = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in pay_rows}
    by_measure = []
    for policy in sorted(set(counts) | set(money)):
        found, approved = counts.get(policy, (0, 0))
        n, fen, people = money.get(policy, (0, 0, 0))
        by_measure.append(MeasureFigures(policy=policy, title=titles.get(policy, policy), found=found, approved=approved,
                                         paid=n, paid_fen=fen, paid_total=yuan(fen), people=people))  # fmt: skip
    month_rows = session.execute(
        sa.select(pay.c.month, sa.func.count(), sa.func.coalesce(sa.func.sum(pay.c.amount_fen), 0))
        .where(paid).group_by(pay.c.month).order_by(pay.c.month)
    ).all()  # fmt: skip
    p, emp = TABLES["persons"], TABLES["employers"]
    # the town of the person (本区户籍) or else of the employer paid; the rest in one row
    town = sa.func.coalesce(
        sa.case((p.c.hukou_district == user.district, p.c.hukou_town), else_=None),
        sa.case((emp.c.district == user.district, emp.c.town), else_=None), OUTSIDE_TOWN,
    ).label("town")
    town_q = (
        sa.select(town, pay.c.amount_fen, pay.c.subject)
        .select_from(pay.outerjoin(p, p.c.id_number == pay.c.subject).outerjoin(emp, emp.c.credit_code == pay.c.beneficiary))
        .where(paid)
    ).subquery()  # fmt: skip
    town_rows = session.execute(
        sa.select(town_q.c.town, sa.func.count(), sa.func.coalesce(sa.func.sum(town_q.c.amount_fen), 0),
                  sa.func.count(sa.distinct(town_q.c.subject)))
        .group_by(town_q.c.town).order_by(sa.func.sum(town_q.c.amount_fen).desc())
    ).all()  # fmt: skip
    total_n = sum(m.paid for m in by_measure)
    total_fen = sum(m.paid_fen for m in by_measure)
    targets = [TargetOut(id=t.id, clause=t.clause, indicator=t.indicator, target=t.target, quote=t.quote,
                         has_source=t.no_source is None, no_source=t.no_source, value=None)
               for t in targets_of(user.district)]  # fmt: skip
    return Figures(
        district=user.district, year=year, targets=targets, watched=watched(session, user), paid=total_n,
        paid_fen=total_fen, paid_total=yuan(total_fen), by_measure=by_measure,
        by_month=[MonthFigures(month=f"{r[0]:%Y-%m}", paid=int(r[1]), paid_fen=int(r[2]), paid_total=yuan(int(r[2])))
                  for r in month_rows],
        by_town=[TownFigures(town=str(r[0]), paid=int(r[1]), paid_fen=int(r[2]), paid_total=yuan(int(r[2])),
                             people=int(r[3])) for r in town_rows],
    )  # fmt: skip


def watched(session: Session, user: User) -> list[Watched]:
    """Registry counts leaders watch (就业困难人员、零就业家庭成员、见习、培训取证) in the user's scope, today."""
    from jiuye.registry.models import TABLES

    p, st, intern, cert = TABLES["persons"], TABLES["statuses"], TABLES["internships"], TABLES["certificates"]
    today = dt.date.today()
    mine = p.c.hukou_district == user.district
    if user.town is not None:
        mine = sa.and_(mine, p.c.hukou_town == user.town)

    def people(table: sa.Table, *cond: Any) -> int:
        # from the (small) fact table, each row's person looked up by key: never a walk over the registry
        in_scope = sa.exists().where(p.c.id == table.c.person_id, mine)
        stmt = sa.select(sa.func.count(sa.distinct(table.c.person_id))).where(in_scope, *cond)
        return int(session.execute(stmt).scalar_one())

    current = (st.c.start <= today, sa.or_(st.c.end.is_(None), st.c.end >= today))
    year_start = dt.date(today.year, 1, 1)
    return [
        Watched(label="就业困难人员（现有认定）", value=people(st, st.c.kind == "employment_hardship", *current),
                source="登记库 身份类别表：身份类别为“就业困难人员”、今天在有效期内的本辖区户籍人员"),
        Watched(label="零就业家庭成员", value=people(st, st.c.kind == "zero_employment_family", *current),
                source="登记库 身份类别表：身份类别为“零就业家庭”、今天在有效期内的本辖区户籍人员（按人，不按户）"),
        Watched(label=f"今年参加见习的人数（{today.year} 年）",
                value=people(intern, intern.c.end >= year_start, intern.c.start <= today),
                source="登记库 就业见习表：见习期与今年有交集的本辖区户籍人员"),
        Watched(label=f"今年取得职业资格证书的人数（{today.year} 年）",
                value=people(cert, cert.c.obtained_on >= year_start, cert.c.obtained_on <= today),
                source="登记库 职业资格证书表：今年发证的本辖区户籍人员"),
    ]  # fmt: skip


@router.get("/figures", include_in_schema=False)
def figures_page(request: Request, year: str = "", ctx: Ctx = Depends(staff("dashboard"))) -> Response:
    chosen: int | None = None
    if year.strip():
        if not ascii_digits(year.strip(), most=4):  # "²" or 5,000 digits: int() refuses both (a 500)
            raise UserError(f"年份不对：{year}。", BAD_INPUT, "year")
        chosen = int(year)
    with ctx.read() as s:
        data = figures(s, ctx.user, chosen)
    return render(request, "figures.html", {"title": "领导统计", "d": data, "year": year,
                                            "district_label": DISTRICT_LABELS.get(ctx.user.district, ctx.user.district)})  # fmt: skip


@api.get("/figures", response_model=Figures, summary="领导统计：文件设定的目标、按政策/月份/街镇的人数与金额（只读）")
def figures_api(year: int | None = Query(None, ge=2000, le=2100), ctx: Ctx = Depends(staff("dashboard"))) -> Any:
    with ctx.read() as s:
        return figures(s, ctx.user, year)
