"""Run the supervision checks on the database and store the flags (the caller owns the transaction).

- :func:`load_inputs` reads the registry (persons with phone/address/bank account/death/hukou move,
  employers, contracts, social insurance) and the ledger (payments not reversed; optionally approved
  entitlements not yet paid) into :class:`jiuye.supervision.frames.Inputs` with whole-table SELECTs.
- :func:`run` runs every check and stores the flags: a flag already stored under the same
  ``(check, subject_kind, subject_id, flag_key)`` is not duplicated — its detail is refreshed and its
  review state kept.  Every new flag and every review decision is written to the audit chain
  (:func:`jiuye.audit.record_many`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.core import advisory_xact_lock
from jiuye.supervision.checks import CHECKS, FLAG_SCHEMA, run_checks
from jiuye.supervision.frames import INPUT_SCHEMAS, Inputs
from jiuye.supervision.models import FLAG_STATES, STATE_LABELS, flags

ACTION_RAISE = "flag.raise"
ACTION_REVIEW = "flag.review"
FLAGS_LOCK_KEY = 4_204_301  # pg_advisory_xact_lock key of the flags table (SQLite: BEGIN IMMEDIATE)


def _frame(session: Session, stmt: sa.Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Columnar read (PostgreSQL: COPY … TO STDOUT into Polars) with exactly ``schema``."""
    from jiuye.db.frames import read_frame

    return read_frame(session.connection(), stmt, schema)


def load_inputs(session: Session, as_of: dt.date | None = None, include_approved: bool = False) -> Inputs:
    """Read what the checks need, restricted to the subsidised population where a check only looks at it.

    Persons: those named in payments (as subject or beneficiary).  Social insurance: the workers of
    per-worker measures only (the only check that reads it).  Employers and contracts: all (the churning
    baseline is the district's normal rate over every contract).
    """
    from jiuye.ledger.models import entitlements as ent
    from jiuye.ledger.models import payments as pay
    from jiuye.registry.models import TABLES
    from jiuye.supervision.frames import measures_frame

    p, e, c, si = TABLES["persons"], TABLES["employers"], TABLES["contracts"], TABLES["social_insurance"]
    per_worker = measures_frame().filter(pl.col("beneficiary_kinds").list.contains("employer_per_worker"))["policy"].to_list()
    named = sa.union(
        sa.select(pay.c.subject.label("v")), sa.select(pay.c.beneficiary.label("v")),
        sa.select(ent.c.subject.label("v")), sa.select(ent.c.beneficiary.label("v")),
    )  # fmt: skip
    workers = sa.union(
        sa.select(pay.c.subject.label("v")).where(pay.c.policy.in_(per_worker)),
        sa.select(ent.c.subject.label("v")).where(ent.c.policy.in_(per_worker)),
    )
    person_stmt = sa.select(
        p.c.id_number, p.c.id_number, p.c.hukou_district, p.c.phone, p.c.address, p.c.bank_account,
        p.c.died_on, p.c.hukou_moved_out_on,
    )  # fmt: skip
    person_stmt = person_stmt.where(
        p.c.id_number.in_(sa.select(named.subquery().c.v))
    )
    persons = _frame(session, person_stmt, INPUT_SCHEMAS["persons"])
    emp_schema = {k: v for k, v in INPUT_SCHEMAS["employers"].items() if k != "credit_code"}
    employers = _frame(
        session,
        sa.select(e.c.credit_code, e.c.type, e.c.district, e.c.size, e.c.bank_account, e.c.deregistered_on),
        emp_schema,
    )
    o = TABLES["organizations"]
    organizations = _frame(session, sa.select(o.c.org_id, o.c.district, o.c.deregistered_on),
                           INPUT_SCHEMAS["organizations"])  # fmt: skip
    cp, ce = p.alias("cp"), e.alias("ce")
    contracts = _frame(
        session,
        sa.select(cp.c.id_number, ce.c.credit_code, c.c.start, c.c.end)
        .join_from(c, cp, c.c.person_id == cp.c.id)
        .join(ce, c.c.employer_id == ce.c.id),
        INPUT_SCHEMAS["contracts"],
    )
    sp, se = p.alias("sp"), e.alias("se")
    social_stmt = (
        sa.select(sp.c.id_number, si.c.month, se.c.credit_code, si.c.scheme, si.c.paid)
        .join_from(si, sp, si.c.person_id == sp.c.id)
        .outerjoin(se, si.c.employer_id == se.c.id)
    )
    social_stmt = social_stmt.where(
        sp.c.id_number.in_(sa.select(workers.subquery().c.v))
    )
    social = _frame(session, social_stmt, INPUT_SCHEMAS["social_insurance"])
    payments = _frame(
        session,
        sa.select(sa.cast(pay.c.id, sa.String), pay.c.policy, pay.c.beneficiary, pay.c.subject, pay.c.month,
                  pay.c.amount_fen, pay.c.state),
        INPUT_SCHEMAS["payments"],
    )  # fmt: skip
    if include_approved:
        pending = _frame(
            session,
            sa.select(sa.literal("E") + sa.cast(ent.c.id, sa.String), ent.c.policy, ent.c.beneficiary,
                      ent.c.subject, ent.c.month, ent.c.amount_fen, sa.literal("approved"))
            .where(ent.c.state.in_(["approved", "in_batch"])),
            INPUT_SCHEMAS["payments"],
        )  # fmt: skip
        payments = pl.concat([payments, pending])
    return Inputs.from_frames(
        as_of=as_of, persons=persons, employers=employers, organizations=organizations, contracts=contracts,
        social_insurance=social, payments=payments,
    )  # fmt: skip


@dataclass
class RunResult:
    run_id: str
    flags: pl.DataFrame  # every flag found by this run (FLAG_SCHEMA)
    new: int = 0
    refreshed: int = 0
    by_check: dict[str, tuple[int, int]] = field(default_factory=dict)  # check → (found, new)


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def store_flags(session: Session, found: pl.DataFrame, run_id: str, actor: str) -> tuple[pl.DataFrame, int]:
    """Insert the flags not stored yet, refresh the others; returns (the new flags, how many refreshed)."""
    from jiuye.audit import record_many
    from jiuye.audit.service import AuditEvent
    from jiuye.registry.models import audit_values

    key = ["check", "subject_kind", "subject_id", "flag_key"]
    advisory_xact_lock(session, FLAGS_LOCK_KEY)  # two runs at once: the second waits, then finds all
    existing = _frame(
        session,
        sa.select(flags.c.id, flags.c.check, flags.c.subject_kind, flags.c.subject_id, flags.c.flag_key),
        {"id": pl.Int64, "check": pl.String, "subject_kind": pl.String, "subject_id": pl.String,
         "flag_key": pl.String},
    )  # fmt: skip
    fresh = found.join(existing, on=key, how="anti")
    again = found.join(existing, on=key, how="inner")
    today = dt.date.today()
    if fresh.height:
        stamps = audit_values(actor)
        rows = fresh.with_columns(
            state=pl.lit("open"), raised_on=pl.lit(today), run_id=pl.lit(run_id), last_run_id=pl.lit(run_id)
        ).to_dicts()
        session.execute(sa.insert(flags), [{**r, **stamps} for r in rows])
        ids = _frame(
            session,
            sa.select(flags.c.id, flags.c.check, flags.c.subject_kind, flags.c.subject_id, flags.c.flag_key,
                      flags.c.detail).where(flags.c.run_id == run_id),
            {"id": pl.Int64, "check": pl.String, "subject_kind": pl.String, "subject_id": pl.String,
             "flag_key": pl.String, "detail": pl.String},
        )  # fmt: skip
        record_many(
            session,
            [
                AuditEvent(actor, ACTION_RAISE, "flags", str(r["id"]), None, "open", r["detail"],
                           {"check": r["check"], "subject_kind": r["subject_kind"], "subject_id": r["subject_id"],
                            "flag_key": r["flag_key"], "run_id": run_id})
                for r in ids.iter_rows(named=True)
            ],
        )  # fmt: skip
    if again.height:
        stamps = audit_values(actor, created=False)
        session.execute(
            sa.update(flags)
            .where(flags.c.id == sa.bindparam("b_id"))
            .values(detail=sa.bindparam("b_detail"), related_ids=sa.bindparam("b_related"),
                    month=sa.bindparam("b_month"), clause=sa.bindparam("b_clause"), last_run_id=run_id, **stamps),
            [{"b_id": r["id"], "b_detail": r["detail"], "b_related": r["related_ids"], "b_month": r["month"],
              "b_clause": r["clause"]} for r in again.iter_rows(named=True)],
        )  # fmt: skip
    return fresh, again.height


def run(
    session: Session, actor: str, as_of: dt.date | None = None, only: list[str] | None = None,
    inputs: Inputs | None = None, include_approved: bool = False, store: bool = True, district: str | None = None,
) -> RunResult:  # fmt: skip
    """Run the checks and store the flags; with ``district`` only that district's flags are kept (a web
    user's run: the checks still read every district, e.g. to see a payment of the other one, but a
    Jinshan auditor raises and refreshes only Jinshan flags)."""
    run_id = new_run_id()
    data = inputs if inputs is not None else load_inputs(session, as_of, include_approved)
    found = run_checks(data, only)
    if district is not None:
        found = found.filter(pl.col("district") == district)
    result = RunResult(run_id, found)
    fresh = found.clear()
    if store:
        fresh, result.refreshed = store_flags(session, found, run_id, actor)
        result.new = fresh.height
    counts = found.group_by("check").len()
    new_counts = fresh.group_by("check").len() if fresh.height else pl.DataFrame(schema={"check": pl.String})
    found_by = dict(zip(counts["check"].to_list(), counts["len"].to_list(), strict=True))
    new_by = dict(zip(new_counts["check"].to_list(), new_counts.get_column("len").to_list(), strict=True)) \
        if fresh.height else {}  # fmt: skip
    for name in CHECKS:
        if only is None or name in only:
            result.by_check[name] = (int(found_by.get(name, 0)), int(new_by.get(name, 0)))
    return result


class FlagError(Exception):
    """A review request that cannot be applied (Chinese message)."""


def set_state(session: Session, flag_id: int, state: str, actor: str, reason: str) -> dict[str, Any]:
    """Record a reviewer's decision on a flag (open → confirmed / dismissed, or back to open)."""
    from jiuye.audit import record
    from jiuye.registry.models import audit_values

    if state not in FLAG_STATES:
        raise FlagError(
            f"状态应为 {' / '.join(FLAG_STATES)}（{'、'.join(STATE_LABELS.values())}），而不是 {state}"
        )
    if not reason.strip():
        raise FlagError("复核意见不能为空：请说明确认或排除的理由")
    row = session.execute(sa.select(flags).where(flags.c.id == flag_id)).mappings().first()
    if row is None:
        raise FlagError(f"没有编号为 {flag_id} 的疑点")
    old = str(row["state"])
    if old == state:
        raise FlagError(f"疑点 {flag_id} 已是“{STATE_LABELS[state]}”状态")
    session.execute(
        sa.update(flags)
        .where(flags.c.id == flag_id)
        .values(state=state, reviewed_by=actor, review_reason=reason, **audit_values(actor, created=False))
    )
    record(session, actor, ACTION_REVIEW, "flags", flag_id, old, state, reason,
           {"check": row["check"], "subject_kind": row["subject_kind"], "subject_id": row["subject_id"]})  # fmt: skip
    return {**dict(row), "state": state, "reviewed_by": actor, "review_reason": reason}


def stored_flags(session: Session, state: str | None = None) -> pl.DataFrame:
    stmt = sa.select(flags.c.id, *(flags.c[c] for c in FLAG_SCHEMA), flags.c.state)
    if state is not None:
        stmt = stmt.where(flags.c.state == state)
    return _frame(session, stmt.order_by(flags.c.id), {"id": pl.Int64, **FLAG_SCHEMA, "state": pl.String})


CONCERN_CHECK = "public_concern"
CONCERNS_PER_PAYMENT_A_DAY = 3  # open anonymous reports of one payment raised on one day
CONCERNS_PER_DISTRICT_A_DAY = 500  # and of all payments of a district
CONCERN_CLAUSE = "金就办〔2023〕1号 六(三)"
CONCERN_TITLE = "群众对资金公示反映的问题"


def report_concern(
    session: Session, payment_id: int, text: str, actor: str, district: str | None, notice_id: int,
) -> int:  # fmt: skip
    """A concern someone reported about a line of a public notice (资金公示): an open flag about that
    payment for the fund auditors, audited.  Returns the flag id."""
    from jiuye.audit.service import record
    from jiuye.errors import CONFLICT, NOT_FOUND, UserError
    from jiuye.ledger.models import payments
    from jiuye.registry.models import audit_values

    pay = session.execute(sa.select(payments).where(payments.c.id == payment_id)).mappings().first()
    if pay is None:
        raise UserError("公示中没有这一笔。", NOT_FOUND)
    # anyone may report without signing in, so a flood of reports must not bury the auditors' list: a few open
    # reports of one payment a day, and a daily ceiling per district
    today = dt.date.today()
    raised_today = sa.select(sa.func.count()).select_from(flags).where(
        flags.c.check == CONCERN_CHECK, flags.c.raised_on == today, flags.c.state == "open")
    if session.execute(raised_today.where(flags.c.related_ids == str(payment_id))).scalar_one() >= CONCERNS_PER_PAYMENT_A_DAY:
        raise UserError("这一笔今天已收到多条反映，监管人员会一并核实，请勿重复提交。", CONFLICT)
    if session.execute(raised_today.where(flags.c.district == district)).scalar_one() >= CONCERNS_PER_DISTRICT_A_DAY:
        raise UserError("今天收到的公示反映已达上限，请明天再提交，或拨打 12333 反映。", CONFLICT)
    run_id = f"公示反映-{dt.date.today():%Y%m%d}-{uuid.uuid4().hex[:6]}"
    detail = f"群众对资金公示（公示 {notice_id}，发放 {payment_id}）反映：{text.strip()[:1000]}"
    new_id = int(session.execute(
        sa.insert(flags).values(
            check=CONCERN_CHECK, clause=CONCERN_CLAUSE, district=district, subject_kind="payment",
            subject_id=pay["subject"], related_ids=str(payment_id), month=pay["month"], flag_key=run_id,
            detail=detail, severity="medium", state="open", raised_on=dt.date.today(), run_id=run_id,
            last_run_id=run_id, **audit_values(actor),
        ).returning(flags.c.id)
    ).scalar_one())  # fmt: skip
    record(session, actor, ACTION_RAISE, "flags", new_id, None, "open", detail,
           {"check": CONCERN_CHECK, "payment": payment_id, "notice": notice_id})  # fmt: skip
    return new_id
