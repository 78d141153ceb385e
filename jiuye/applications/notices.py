"""Public notices of paid batches (资金公示): who was paid what for which measure and month — names and
ID numbers masked — for a set period, with a way for anyone to report a concern (→ a supervision flag)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.applications.models import notices
from jiuye.audit.labels import declare_states
from jiuye.audit.service import record
from jiuye.errors import BAD_INPUT, CONFLICT, NOT_FOUND, UserError

PAGE_SIZE = 100
MAX_DAYS = 30


declare_states("notices", {"published": "已发布"})

def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳小明 → 欧***; an organisation keeps its first two and last two characters."""
    text = (name or "").strip()
    if not text:
        return "—"
    if len(text) <= 4:
        return text[0] + "*" * (len(text) - 1)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def publish(session: Session, batch_id: int, start: dt.date, days: int, actor: str, policies: list[str]) -> int:
    """Publish a paid batch of the staff member's measures for ``days`` days from ``start``."""
    from jiuye.ledger.models import payment_batches, payments

    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"公示期应为 1 至 {MAX_DAYS} 天。", BAD_INPUT, "days")
    batch = session.execute(sa.select(payment_batches).where(payment_batches.c.id == batch_id)).mappings().first()
    mine = session.execute(sa.select(payments.c.id).where(payments.c.batch_id == batch_id,
                                                          payments.c.policy.in_(policies)).limit(1)).first()  # fmt: skip
    if batch is None or mine is None:
        raise UserError(f"找不到发放批次 {batch_id}，或它不在您的辖区内。", NOT_FOUND)
    if session.execute(sa.select(notices.c.id).where(notices.c.batch_id == batch_id)).first():
        raise UserError(f"发放批次 {batch_id} 已经公示过。", CONFLICT)
    title = f"{batch['month']:%Y年%m月}就业补贴发放公示（批次 {batch_id}）"
    new_id = int(session.execute(
        sa.insert(notices).values(batch_id=batch_id, title=title, published_from=start,
                                  published_to=start + dt.timedelta(days=days - 1), created_by=actor)
        .returning(notices.c.id)
    ).scalar_one())  # fmt: skip
    record(session, actor, "publish", "notices", new_id, None, "published", None,
           {"batch": batch_id, "from": start.isoformat(), "days": days})  # fmt: skip
    return new_id


def current(session: Session, today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or dt.date.today()
    rows = session.execute(
        sa.select(notices).where(notices.c.published_from <= today, notices.c.published_to >= today)
        .order_by(notices.c.id.desc())
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def open_notice(session: Session, notice_id: int, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    row = session.execute(sa.select(notices).where(notices.c.id == notice_id)).mappings().first()
    if row is None:
        raise UserError("没有这份公示。", NOT_FOUND)
    if not row["published_from"] <= today <= row["published_to"]:
        raise UserError("这份公示不在公示期内。", NOT_FOUND)
    return dict(row)


def lines(session: Session, notice: dict[str, Any], page: int = 1) -> tuple[list[dict[str, Any]], bool]:
    """The paid (not reversed) lines of the notice's batch, masked, one page."""
    from jiuye.accounts.scope import mask_id
    from jiuye.ledger.models import payments
    from jiuye.registry.models import TABLES

    p, e, o = TABLES["persons"], TABLES["employers"], TABLES["organizations"]
    name = sa.func.coalesce(
        sa.select(p.c.name).where(p.c.id_number == payments.c.beneficiary).limit(1).scalar_subquery(),
        sa.select(e.c.name).where(e.c.credit_code == payments.c.beneficiary).limit(1).scalar_subquery(),
        sa.select(o.c.name).where(sa.or_(o.c.org_id == payments.c.beneficiary, o.c.credit_code == payments.c.beneficiary))
        .limit(1).scalar_subquery(),
    )
    page = max(1, min(page, 10_000))
    rows = session.execute(
        sa.select(payments.c.id, payments.c.policy, payments.c.beneficiary, payments.c.month, payments.c.amount_fen,
                  name.label("name"))
        .where(payments.c.batch_id == notice["batch_id"], payments.c.state == "paid")
        .order_by(payments.c.policy, payments.c.id).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).mappings().all()  # fmt: skip
    out = [{"id": r["id"], "policy": r["policy"], "month": r["month"], "amount_fen": r["amount_fen"],
            "name": mask_name(r["name"]),
            "who": mask_id(r["beneficiary"]) if len(r["beneficiary"]) == 18 else "（机构）"} for r in rows[:PAGE_SIZE]]  # fmt: skip
    return out, len(rows) > PAGE_SIZE


def in_notice(session: Session, notice: dict[str, Any], payment_id: int) -> bool:
    from jiuye.ledger.models import payments

    return session.execute(sa.select(payments.c.id).where(payments.c.id == payment_id,
                                                          payments.c.batch_id == notice["batch_id"])).first() is not None  # fmt: skip
