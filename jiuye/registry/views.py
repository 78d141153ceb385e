"""Pages and API of the registry: search, 一人一档 (the person page), employer files.

The person page shows the person's registry facts, every entitlement with its per-condition explanation
(recomputed from the facts by the rules engine, as ``jiuye entitlement`` does), payments, flags and the
audit trail.  ID numbers and bank accounts are masked unless the role may see them and the user asks
(with a reason) — which is itself an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jiuye.accounts.scope import (
    employer_condition,
    flag_condition,
    line_condition,
    mask_text,
    organisation_condition,
    person_condition,
    policies_in_scope,
    require_person,
    shown_bank,
    shown_id,
)
from jiuye.accounts.service import User
from jiuye.accounts.web import Ctx, staff
from jiuye.errors import BAD_INPUT, FORBIDDEN, NOT_FOUND, UserError
from jiuye.registry.schema import enum_label
from jiuye.rules.identifiers import MASKS
from jiuye.webkit.render import render, yuan

router = APIRouter(tags=["登记库"])
api = APIRouter(prefix="/api/v1", tags=["登记库"])

PERSON_TABLES = ("education", "statuses", "unemployment_registrations", "flexible_employment", "contracts",
                 "social_insurance", "internships", "certificates", "skill_evaluations")  # fmt: skip
PERSONAL_TEXT = {"bank_account", "phone", "address"}


class PersonHit(BaseModel):
    id: int
    name: str
    id_number: str
    district: str | None
    town: str | None


def search(session: Session, user: User, q: str, limit: int = 50) -> list[PersonHit]:
    from jiuye.registry.models import TABLES

    q = q.strip()
    if not q:
        return []
    if len(q) > 64:
        raise UserError("查询内容过长。", BAD_INPUT, "q")
    p = TABLES["persons"]
    cond = (
        p.c.id_number == q.upper()
        if len(q) == 18
        else p.c.name.like(f"{q.replace('%', '').replace('_', '')}%")
    )
    rows = session.execute(
        sa.select(p.c.id, p.c.name, p.c.id_number, p.c.hukou_district, p.c.hukou_town)
        .where(cond, person_condition(user)).order_by(p.c.name, p.c.id).limit(limit)
    ).all()  # fmt: skip
    return [
        PersonHit(id=r[0], name=r[1], id_number=shown_id(user, r[2]), district=r[3], town=r[4]) for r in rows
    ]


class BodyHit(BaseModel):
    kind: str
    id: int
    name: str
    code: str
    town: str | None


def search_bodies(session: Session, user: User, q: str, limit: int = 20) -> list[BodyHit]:
    """Employers (by credit code or name) and organisations (by number or name) in the user's scope."""
    from jiuye.registry.models import TABLES

    q = q.strip()
    if not q or len(q) > 64:
        return []
    like = f"{q.replace('%', '').replace('_', '')}%"
    e, o = TABLES["employers"], TABLES["organizations"]
    emps = session.execute(
        sa.select(e.c.id, e.c.name, e.c.credit_code, e.c.town)
        .where(sa.or_(e.c.credit_code == q.upper(), e.c.name.like(like)), employer_condition(user))
        .order_by(e.c.name, e.c.id).limit(limit)
    ).all()  # fmt: skip
    orgs = session.execute(
        sa.select(o.c.id, o.c.name, o.c.org_id, o.c.town)
        .where(sa.or_(o.c.org_id == q.upper(), o.c.name.like(like)), organisation_condition(user))
        .order_by(o.c.name, o.c.id).limit(limit)
    ).all()  # fmt: skip
    return [BodyHit(kind="employer", id=r[0], name=r[1], code=shown_id(user, r[2]), town=r[3]) for r in emps] + [
        BodyHit(kind="organisation", id=r[0], name=r[1], code=str(r[2]), town=r[3]) for r in orgs]  # fmt: skip


@router.get("/people", include_in_schema=False)
def people_page(request: Request, q: str = "", ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        hits = search(s, ctx.user, q)
        bodies = search_bodies(s, ctx.user, q)
    return render(request, "people.html", {"title": "一人一档", "q": q, "hits": hits, "bodies": bodies})


@api.get("/persons", response_model=list[PersonHit], summary="按身份证号或姓名查人（辖区内）")
def people_api(q: str = Query(..., max_length=64), ctx: Ctx = Depends(staff("view"))) -> Any:
    with ctx.read() as s:
        return search(s, ctx.user, q)


class FactTable(BaseModel):
    table: str
    title: str
    columns: list[str]
    rows: list[list[str]]


# rows of each list on a person's file; where a person has more, the newest are shown and the page says so
# (payments, flags and audit events were the oldest 500 / 200: a long-supported person's latest were cut off)
PERSON_ROWS = 500
PERSON_FLAGS = 200


def _newest(rows: Sequence[Any], most: int) -> tuple[list[Any], bool]:
    """``rows`` read newest first with one row more than ``most``: the newest ``most`` in ascending order, and
    whether older rows were left out."""
    return list(reversed(rows[:most])), len(rows) > most


class PersonFile(BaseModel):
    id: int
    name: str
    id_number: str
    unmasked: bool
    facts: list[dict[str, str]]
    tables: list[FactTable]
    entitlements: list[dict[str, Any]]
    explanations: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    events: list[dict[str, Any]]
    # the lists that hold only part of the person's rows (entitlements: the first PERSON_ROWS by policy and
    # month; payments, flags, events: the newest), by name
    cut: list[str] = []


def _cell(user: User, col: Any, value: Any, unmasked: bool) -> str:
    if value is None:
        return ""
    if getattr(col, "id_number", False) or getattr(col, "credit_code", False):
        return shown_id(user, str(value), unmasked)
    if col.name == "bank_account":
        return shown_bank(user, str(value), unmasked)
    if col.personal in ("phone", "address"):  # the declared masking policy; full only when unmasked with a reason
        return str(value) if unmasked and user.can("unmask_id") else MASKS[col.personal].text(str(value))
    if col.type == "enum" and col.enum:
        return enum_label(col.enum, str(value))
    if col.type == "money":
        return yuan(value)
    if col.type == "bool":
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def person_file(session: Session, user: User, person_id: int, unmasked: bool = False) -> PersonFile:
    from jiuye.audit.labels import shown_events
    from jiuye.audit.models import audit_events as ev
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payments as pay
    from jiuye.ledger.service import PAYMENT_STATE_LABELS
    from jiuye.ledger.transitions import STATE_LABELS
    from jiuye.registry import schema
    from jiuye.registry.models import TABLES
    from jiuye.registry.store import read_table
    from jiuye.supervision.models import STATE_LABELS as FLAG_LABELS
    from jiuye.supervision.models import flags

    row = require_person(session, user, person_id)
    idn = str(row["id_number"])
    spec = schema.TABLES["persons"]
    facts = [{"label": c.header, "value": _cell(user, c, row.get(c.db_name), unmasked)} for c in spec.columns]
    conn = session.connection()
    tables: list[FactTable] = []
    for name in PERSON_TABLES:
        if name not in schema.TABLES or name not in TABLES:
            continue
        t = schema.TABLES[name]
        frame = read_table(conn, name, where=[TABLES[name].c.person_id == person_id])
        if frame.is_empty():
            continue
        cols = [c for c in t.columns if c.name != "person"]
        tables.append(FactTable(table=name, title=t.title, columns=[c.header for c in cols],
                                rows=[[_cell(user, c, r.get(c.name), unmasked) for c in cols]
                                      for r in frame.iter_rows(named=True)]))  # fmt: skip
    titles = {m.id: m.meta.title for m in _measures()}
    ents = session.execute(
        sa.select(e.c.id, e.c.policy, e.c.month, e.c.amount_fen, e.c.amount_status, e.c.state, e.c.review_reason)
        .where(e.c.subject == idn, line_condition(user, e)).order_by(e.c.policy, e.c.month).limit(PERSON_ROWS + 1)
    ).mappings().all()  # fmt: skip
    cut = ["entitlements"] if len(ents) > PERSON_ROWS else []
    ents = ents[:PERSON_ROWS]
    entitlements = [dict(r) | {"title": titles.get(r["policy"], ""), "month": f"{r['month']:%Y-%m}",
                               "amount": yuan(r["amount_fen"]), "state_label": STATE_LABELS[r["state"]],
                               # why a line waits for review (e.g. which facts changed after approval, old → new)
                               "review_reason": mask_text(r["review_reason"] or "") if r["state"] == "review" else ""}
                    for r in ents]  # fmt: skip
    explanations = explain_person(session, user, idn)
    pays = session.execute(
        sa.select(pay.c.id, pay.c.batch_id, pay.c.policy, pay.c.month, pay.c.amount_fen, pay.c.state, pay.c.reversal_reason)
        .where(pay.c.subject == idn, line_condition(user, pay)).order_by(pay.c.id.desc()).limit(PERSON_ROWS + 1)
    ).mappings().all()  # fmt: skip
    pays, more = _newest(pays, PERSON_ROWS)
    cut += ["payments"] if more else []
    payments = [dict(r) | {"month": f"{r['month']:%Y-%m}", "amount": yuan(r["amount_fen"]),
                           "state_label": PAYMENT_STATE_LABELS.get(r["state"], r["state"]),
                           # typed by the auditor, may name a person (追回理由 is declared mask="text")
                           "reversal_reason": mask_text(r["reversal_reason"])}
                for r in pays]  # fmt: skip
    fl = session.execute(
        sa.select(flags.c.id, flags.c.check, flags.c.clause, flags.c.detail, flags.c.state, flags.c.month)
        .where(flag_condition(user, flags), sa.or_(flags.c.subject_id == idn, flags.c.related_ids.like(f"%{idn}%")))
        .order_by(flags.c.id.desc()).limit(PERSON_FLAGS + 1)
    ).mappings().all()  # fmt: skip
    fl, more = _newest(fl, PERSON_FLAGS)
    cut += ["flags"] if more else []
    flag_rows = [dict(r) | {"detail": mask_text(r["detail"]), "state_label": FLAG_LABELS.get(r["state"], r["state"])}
                 for r in fl]  # fmt: skip
    ids = [str(r["id"]) for r in ents]
    pids = [str(r["id"]) for r in pays]
    fids = [str(r["id"]) for r in fl]
    trail = session.execute(
        sa.select(ev.c.seq, ev.c.at, ev.c.actor, ev.c.action, ev.c.entity, ev.c.entity_id, ev.c.old_state,
                  ev.c.new_state, ev.c.reason)
        .where(sa.or_(sa.and_(ev.c.entity == "entitlements", ev.c.entity_id.in_(ids or ["-"])),
                      sa.and_(ev.c.entity == "payments", ev.c.entity_id.in_(pids or ["-"])),
                      sa.and_(ev.c.entity == "flags", ev.c.entity_id.in_(fids or ["-"])),
                      sa.and_(ev.c.entity == "persons", ev.c.entity_id == str(person_id))))
        .order_by(ev.c.seq.desc()).limit(PERSON_ROWS + 1)
    ).mappings().all()  # fmt: skip
    trail, more = _newest(trail, PERSON_ROWS)
    cut += ["events"] if more else []
    events = shown_events(trail)
    return PersonFile(id=person_id, name=row["name"], id_number=shown_id(user, idn, unmasked), unmasked=unmasked,
                      facts=facts, tables=tables, entitlements=entitlements, explanations=explanations,
                      payments=payments, flags=flag_rows, events=events, cut=cut)  # fmt: skip


def _measures() -> Any:
    from jiuye.rules.catalog import all_measures

    return all_measures()


def explain_person(session: Session, user: User, id_number: str) -> list[dict[str, Any]]:
    """Per measure of the user's district: eligible or not, and every condition (recomputed now)."""
    from jiuye.ledger.service import payment_history
    from jiuye.matching.sources import RegistrySource
    from jiuye.parameters.service import stored_overrides
    from jiuye.rules.engine import evaluate_facts

    mine = set(policies_in_scope(user))
    measures = [m for m in _measures() if m.id in mine and m.computable and m.subjects == "persons"]
    if not measures:
        return []
    facts = RegistrySource(session).load([id_number]).with_payments(payment_history(session))
    today = dt.date.today().replace(day=1)
    result = evaluate_facts(facts, dt.date(2023, 1, 1), today, stored_overrides(session) or None, explain=True,
                            measures=measures)  # fmt: skip
    ex = result.explanations if result.explanations is not None else pl.DataFrame()
    titles = {m.id: m.meta.title for m in measures}
    out = []
    for r in ex.filter(pl.col("subject") == id_number).sort("policy").iter_rows(named=True):
        out.append({"policy": r["policy"], "title": titles.get(r["policy"], ""), "eligible": r["eligible"],
                    "clause": r["clause"],
                    "conditions": [{"text": c["text"], "met": c["met"], "detail": mask_text(c["detail"]) or "",
                                    "clause": c["clause"]} for c in r["conditions"] or []]})  # fmt: skip
    return out


@router.get("/people/{person_id}", include_in_schema=False)
def person_page(request: Request, person_id: int, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        f = person_file(s, ctx.user, person_id)
    return render(request, "person.html", {"title": f"一人一档：{f.name}", "f": f, "rows": PERSON_ROWS, "flag_rows": PERSON_FLAGS})


def unmask(ctx: Ctx, person_id: int, reason: str) -> PersonFile:
    """Show the person's ID number and bank account in full (only roles that may), audited first."""
    from jiuye.audit.service import record

    if not ctx.user.can("unmask_id"):
        raise UserError("您的角色无权查看完整证件号码。", FORBIDDEN)
    if len(reason.strip()) < 2:
        raise UserError("请写明查看完整号码的理由。", BAD_INPUT, "reason")
    with ctx.write() as s:
        require_person(s, ctx.user, person_id)
        record(s, ctx.user.actor, "unmask", "persons", person_id, None, None, reason.strip()[:500],
               {"fields": ["id_number", "phone", "address"] + (["bank_account"] if ctx.user.can("unmask_bank") else [])})  # fmt: skip
    with ctx.read() as s:
        return person_file(s, ctx.user, person_id, unmasked=True)


@router.post("/people/{person_id}/unmask", include_in_schema=False)
def person_unmask(
    request: Request, person_id: int, reason: str = Form(""), ctx: Ctx = Depends(staff("view"))
) -> Response:
    f = unmask(ctx, person_id, reason)
    return render(request, "person.html", {"title": f"一人一档：{f.name}", "f": f, "rows": PERSON_ROWS, "flag_rows": PERSON_FLAGS})


@api.get(
    "/persons/{person_id}",
    response_model=PersonFile,
    summary="一人一档（登记事实、待遇及逐条件说明、发放、疑点、审计）",
)
def person_api(person_id: int, ctx: Ctx = Depends(staff("view"))) -> Any:
    with ctx.read() as s:
        return person_file(s, ctx.user, person_id)


class UnmaskIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@api.post(
    "/persons/{person_id}/unmask", response_model=PersonFile, summary="查看完整证件号（须写理由，记入审计）"
)
def person_unmask_api(person_id: int, body: UnmaskIn, ctx: Ctx = Depends(staff("view"))) -> Any:
    return unmask(ctx, person_id, body.reason)


class BodyFile(BaseModel):
    """一企一档: an employer's or an organisation's file (their own facts, never a person's in full)."""

    kind: str
    id: int
    name: str
    code: str
    facts: list[dict[str, str]]
    employees: list[dict[str, Any]]
    employee_count: int
    entitlements: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    paid_total_fen: int
    paid_total: str
    flags: list[dict[str, Any]]
    events: list[dict[str, Any]]


EmployerFile = BodyFile
LIST_LIMIT = 500


def _body_ledger(session: Session, user: User, codes: list[str], entity: str, entity_id: int) -> dict[str, Any]:
    """Entitlements and payments where the body is the beneficiary, its flags and the audit trail of all."""
    from jiuye.audit.labels import shown_events
    from jiuye.audit.models import audit_events as ev
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payments as pay
    from jiuye.ledger.service import PAYMENT_STATE_LABELS
    from jiuye.ledger.transitions import STATE_LABELS
    from jiuye.registry.models import TABLES
    from jiuye.supervision.models import STATE_LABELS as FLAG_LABELS
    from jiuye.supervision.models import flags

    p = TABLES["persons"]
    titles = {m.id: m.meta.title for m in _measures()}
    ents = session.execute(
        sa.select(e.c.id, e.c.policy, e.c.subject, e.c.month, e.c.amount_fen, e.c.state, p.c.id.label("person_id"),
                  p.c.name)
        .select_from(e.outerjoin(p, p.c.id_number == e.c.subject))
        .where(e.c.beneficiary.in_(codes), line_condition(user, e)).order_by(e.c.policy, e.c.month, e.c.id).limit(LIST_LIMIT)
    ).mappings().all()  # fmt: skip
    entitlements = [{"id": r["id"], "policy": r["policy"], "title": titles.get(r["policy"], ""),
                     "subject": shown_id(user, r["subject"]), "person_id": r["person_id"], "name": r["name"],
                     "month": f"{r['month']:%Y-%m}", "amount_fen": r["amount_fen"], "amount": yuan(r["amount_fen"]),
                     "state": r["state"], "state_label": STATE_LABELS[r["state"]]} for r in ents]  # fmt: skip
    pays = session.execute(
        sa.select(pay.c.id, pay.c.batch_id, pay.c.policy, pay.c.subject, pay.c.month, pay.c.amount_fen, pay.c.state)
        .where(pay.c.beneficiary.in_(codes), line_condition(user, pay)).order_by(pay.c.id).limit(LIST_LIMIT)
    ).mappings().all()  # fmt: skip
    paid = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(pay.c.amount_fen), 0))
        .where(pay.c.beneficiary.in_(codes), pay.c.state == "paid", line_condition(user, pay))
    ).scalar_one()  # fmt: skip
    payments = [{"id": r["id"], "batch_id": r["batch_id"], "policy": r["policy"], "subject": shown_id(user, r["subject"]),
                 "month": f"{r['month']:%Y-%m}", "amount_fen": r["amount_fen"], "amount": yuan(r["amount_fen"]),
                 "state": r["state"], "state_label": PAYMENT_STATE_LABELS.get(r["state"], r["state"])}
                for r in pays]  # fmt: skip
    related = [flags.c.related_ids.like(f"%{c}%") for c in codes]
    fl = session.execute(
        sa.select(flags.c.id, flags.c.check, flags.c.clause, flags.c.detail, flags.c.state, flags.c.month)
        .where(flag_condition(user, flags), sa.or_(flags.c.subject_id.in_(codes), *related))
        .order_by(flags.c.id).limit(200)
    ).mappings().all()  # fmt: skip
    flag_rows = [{"id": r["id"], "check": r["check"], "clause": r["clause"], "detail": mask_text(r["detail"]),
                  "state": r["state"], "state_label": FLAG_LABELS.get(r["state"], r["state"]),
                  "month": None if r["month"] is None else f"{r['month']:%Y-%m}"} for r in fl]  # fmt: skip
    ids = [str(r["id"]) for r in ents] or ["-"]
    pids = [str(r["id"]) for r in pays] or ["-"]
    fids = [str(r["id"]) for r in fl] or ["-"]
    trail = session.execute(
        sa.select(ev.c.seq, ev.c.at, ev.c.actor, ev.c.action, ev.c.entity, ev.c.entity_id, ev.c.old_state,
                  ev.c.new_state, ev.c.reason)
        .where(sa.or_(sa.and_(ev.c.entity == "entitlements", ev.c.entity_id.in_(ids)),
                      sa.and_(ev.c.entity == "payments", ev.c.entity_id.in_(pids)),
                      sa.and_(ev.c.entity == "flags", ev.c.entity_id.in_(fids)),
                      sa.and_(ev.c.entity == entity, ev.c.entity_id == str(entity_id))))
        .order_by(ev.c.seq.desc()).limit(LIST_LIMIT)
    ).mappings().all()  # fmt: skip
    events = shown_events(reversed(trail))
    return {"entitlements": entitlements, "payments": payments, "paid_total_fen": int(paid), "paid_total": yuan(int(paid)),
            "flags": flag_rows, "events": events}  # fmt: skip


def employer_file(session: Session, user: User, employer_id: int) -> BodyFile:
    """一企一档: the employer's facts, its contracts (employees masked), the lines it is paid, flags, audit.
    404 — the same answer as for a missing one — when the employer is outside the user's district/town."""
    from jiuye.registry import schema
    from jiuye.registry.models import TABLES

    e, c, p = TABLES["employers"], TABLES["contracts"], TABLES["persons"]
    row = session.execute(sa.select(e).where(e.c.id == employer_id, employer_condition(user))).mappings().first()
    if row is None:
        raise UserError("找不到此用人单位，或它不在您的辖区内。", NOT_FOUND)
    facts = [{"label": col.header, "value": _cell(user, col, row.get(col.db_name), False)}
             for col in schema.TABLES["employers"].columns]  # fmt: skip
    where = c.c.employer_id == employer_id
    count = session.execute(sa.select(sa.func.count()).select_from(c).where(where)).scalar_one()
    contracts = session.execute(
        sa.select(p.c.id, p.c.name, p.c.id_number, c.c.start, c.c.end, c.c.registered)
        .join_from(c, p, c.c.person_id == p.c.id).where(where).order_by(c.c.start.desc(), c.c.id).limit(LIST_LIMIT)
    ).mappings().all()  # fmt: skip
    visible = _visible_people(session, user, [int(r["id"]) for r in contracts])
    employees = [{"person_id": r["id"] if r["id"] in visible else None, "name": r["name"],
                  "id_number": shown_id(user, r["id_number"]), "start": str(r["start"]),
                  "end": "" if r["end"] is None else str(r["end"]), "registered": "是" if r["registered"] else "否"}
                 for r in contracts]  # fmt: skip
    code = str(row["credit_code"])
    return BodyFile(kind="employer", id=employer_id, name=row["name"], code=shown_id(user, code), facts=facts, employees=employees,
                    employee_count=int(count), **_body_ledger(session, user, [code], "employers", employer_id))  # fmt: skip


def _visible_people(session: Session, user: User, ids: list[int]) -> set[int]:
    """Which of these persons the user may open (links only to files in scope)."""
    from jiuye.registry.models import TABLES

    if not ids:
        return set()
    p = TABLES["persons"]
    return {int(r[0]) for r in session.execute(sa.select(p.c.id).where(p.c.id.in_(ids), person_condition(user)))}


def organisation_file(session: Session, user: User, org_id: int) -> BodyFile:
    """An organisation's file (见习基地、培训机构…): facts, the lines it is paid, flags, audit; 404 out of scope."""
    from jiuye.registry import schema
    from jiuye.registry.models import TABLES

    o = TABLES["organizations"]
    row = session.execute(sa.select(o).where(o.c.id == org_id, organisation_condition(user))).mappings().first()
    if row is None:
        raise UserError("找不到此机构，或它不在您的辖区内。", NOT_FOUND)
    facts = [{"label": col.header, "value": _cell(user, col, row.get(col.db_name), False)}
             for col in schema.TABLES["organizations"].columns]  # fmt: skip
    codes = [str(row["org_id"])] + ([str(row["credit_code"])] if row.get("credit_code") else [])
    return BodyFile(kind="organisation", id=org_id, name=row["name"], code=str(row["org_id"]), facts=facts,
                    employees=[], employee_count=0, **_body_ledger(session, user, codes, "organizations", org_id))  # fmt: skip


@router.get("/employers/{employer_id}", include_in_schema=False)
def employer_page(request: Request, employer_id: int, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        f = employer_file(s, ctx.user, employer_id)
    return render(request, "body.html", {"title": f"一企一档：{f.name}", "f": f})


@api.get("/employers/{employer_id}", response_model=BodyFile,
         summary="一企一档：用人单位的登记信息、劳动合同（人员脱敏）、待遇、发放、疑点、审计（辖区内）")  # fmt: skip
def employer_api(employer_id: int, ctx: Ctx = Depends(staff("view"))) -> Any:
    with ctx.read() as s:
        return employer_file(s, ctx.user, employer_id)


@router.get("/organisations/{org_id}", include_in_schema=False)
def organisation_page(request: Request, org_id: int, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        f = organisation_file(s, ctx.user, org_id)
    return render(request, "body.html", {"title": f"机构档案：{f.name}", "f": f})


@api.get("/organisations/{org_id}", response_model=BodyFile, summary="机构档案：登记信息、待遇、发放、疑点、审计（辖区内）")
def organisation_api(org_id: int, ctx: Ctx = Depends(staff("view"))) -> Any:
    with ctx.read() as s:
        return organisation_file(s, ctx.user, org_id)


# --- import upload ----------------------------------------------------------------------------------
MAX_UPLOAD = 50 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".json")


def _save_uploads(files: list[Any]) -> list[str]:
    import re
    import uuid

    from jiuye.jobs.tasks import files_dir

    if not files:
        raise UserError("请选择要导入的文件。", BAD_INPUT, "files")
    folder = files_dir() / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for upload in files[:20]:
        raw_name = str(getattr(upload, "filename", "") or "upload")
        name = (
            re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", raw_name.replace("\\", "/").split("/")[-1])[:100]
            or "upload"
        )
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            raise UserError(f"只能导入 CSV、XLSX 或案例 JSON 文件：{raw_name}", BAD_INPUT, "files")
        data = upload.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise UserError(
                f"文件 {raw_name} 超过 50 MB；大文件请用命令行 jiuye import 导入。", BAD_INPUT, "files"
            )
        if not data:
            raise UserError(f"文件 {raw_name} 是空的。", BAD_INPUT, "files")
        target = folder / name
        target.write_bytes(data)
        saved.append(str(target))
    return saved


@router.get("/imports", include_in_schema=False)
def imports_page(request: Request, ctx: Ctx = Depends(staff("import"))) -> Response:
    return render(request, "imports.html", {"title": "导入数据"})


@router.post("/imports", include_in_schema=False)
def imports_submit(
    files: list[UploadFile] = File(default=[]), ctx: Ctx = Depends(staff("import"))
) -> Response:
    from jiuye.jobs.views import start_job

    return start_job(ctx, "import", {"files": _save_uploads(files)})


@api.post(
    "/imports", summary="上传 CSV/XLSX/案例 JSON 导入登记库（后台任务；逐行错误见任务结果）", status_code=202
)
def imports_api(files: list[UploadFile] = File(...), ctx: Ctx = Depends(staff("import"))) -> Any:
    from jiuye.jobs.views import start_job

    return start_job(ctx, "import", {"files": _save_uploads(files)})
