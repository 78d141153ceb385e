"""Ledger services: the 免申即享 setting, bulk approval, review, payment batches, reversals.

All services take the session explicitly and never commit.  Everything is set-based SQL: one
``UPDATE … RETURNING`` claims many lines at once.

免申即享 default (documented per measure): a measure whose amount the rules compute from registry facts
(catalog kind ``money``) runs as 免申即享 unless the bureau switches it off; measures whose amount is
pending (kind ``pending``) or that need a reviewer need an application / review by default.  The
bureau changes this with ``jiuye settings auto MEASURE on|off``; the setting in force is recorded with
every bulk approval.

Exactly once: payment is serialised per deployment (an advisory lock keyed by purpose and schema on PostgreSQL; the
``BEGIN IMMEDIATE`` write transaction on SQLite), lines are claimed with
``UPDATE entitlements SET state='in_batch' WHERE state='approved' … RETURNING``, and the database
refuses a second non-reversed payment of the same (policy, beneficiary, subject, month) and a second
payment of the same entitlement (unique indexes).  Batch, payments, line states and audit events
commit together or not at all, so a process killed during pay leaves nothing behind but, at most, a
payment file of a batch that does not exist in the database (void; the re-run writes a new one).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.keys import Anchor, ChainKey, append_anchor, session_audit_dir, session_key
from jiuye.audit.labels import declare_states
from jiuye.audit.service import head as audit_head
from jiuye.audit.service import record
from jiuye.db.core import advisory_xact_lock
from jiuye.db.frames import read_frame, write_frame
from jiuye.errors import UserError
from jiuye.ledger import payment_file, transitions
from jiuye.ledger.models import (
    bureau_settings,
    entitlement_confirmations,
    entitlements,
    payment_batches,
    payments,
    policy_settings,
)
from jiuye.ledger.payment_file import Batch
from jiuye.rules.dates import month_end
from jiuye.rules.identifiers import mask
from jiuye.rules.measure import BUREAU_DISTRICTS
from jiuye.rules.money import fen_to_plain_text

PAY_LOCK_KEY = 4_204_202


# --- settings -------------------------------------------------------------------------------------
def default_auto(policy: str) -> bool:
    from jiuye.rules.catalog import get_measure

    try:
        return get_measure(policy).meta.kind == "money"
    except KeyError:
        return False


def known_policy(policy: str) -> bool:
    from jiuye.rules.catalog import measure_ids

    return policy in measure_ids()


@dataclass
class Setting:
    policy: str
    auto: bool
    set_by: str
    set_at: dt.datetime | None
    confirm: bool = False  # 免申即享 lines are paid only after the person confirms (意愿确认)


# read on every self-check page: built once (a statement built per call costs its cache key each time)
_ALL_SETTINGS = sa.select(policy_settings)
_DISTRICT = sa.select(bureau_settings).where(bureau_settings.c.name == "district")


def settings(session: Session) -> dict[str, Setting]:
    from jiuye.rules.catalog import measure_ids

    stored = {r.policy: r for r in session.execute(_ALL_SETTINGS).all()}
    out: dict[str, Setting] = {}
    for pid in measure_ids():
        r = stored.get(pid)
        out[pid] = (
            Setting(pid, default_auto(pid), "默认设置", None)
            if r is None
            else Setting(pid, bool(r.auto), r.set_by, r.set_at, bool(r.confirm))
        )
    return out


def _set(session: Session, policy: str, actor: str, reason: str | None, field: str, value: bool,
         labels: dict[bool, str]) -> Setting:  # fmt: skip
    """One switch of a measure's ``policy_settings`` row (``auto`` or ``confirm``), the other kept, audited."""
    if not known_policy(policy):
        raise UserError(f"未知的政策编号：{policy}。", 4)
    old = settings(session)[policy]
    now = dt.datetime.now(dt.UTC)
    if session.execute(sa.select(policy_settings.c.policy).where(policy_settings.c.policy == policy)).first():
        session.execute(sa.update(policy_settings).where(policy_settings.c.policy == policy)
                        .values({field: value, "set_by": actor, "set_at": now}))  # fmt: skip
    else:
        row = {"policy": policy, "auto": old.auto, "confirm": old.confirm, field: value, "set_by": actor, "set_at": now}
        session.execute(sa.insert(policy_settings).values(row))
    record(session, actor, "setting", "policy_settings", policy, labels[getattr(old, field)], labels[value], reason,
           {field: value})  # fmt: skip
    return settings(session)[policy]


AUTO_LABELS = {True: "免申即享", False: "依申请"}
CONFIRM_LABELS = {True: "须意愿确认", False: "无须确认"}


def set_auto(session: Session, policy: str, auto: bool, actor: str, reason: str | None = None) -> Setting:
    """Whether matching's lines of this measure are 免申即享 (approved in bulk) or wait for an application."""
    return _set(session, policy, actor, reason, "auto", auto, AUTO_LABELS)


def set_confirm(session: Session, policy: str, confirm: bool, actor: str, reason: str | None = None) -> Setting:
    """Whether ``pay`` waits for the person's confirmation (意愿确认) before paying this measure's lines."""
    return _set(session, policy, actor, reason, "confirm", confirm, CONFIRM_LABELS)


def confirm_line(
    session: Session, entitlement_id: int, decision: str, actor: str, bank_account: str | None = None
) -> str:
    """The person's answer to a 免申即享 line (意愿确认): ``confirmed`` (with the account to pay) or
    ``declined`` (the line is rejected: 本人放弃).  Only while the line is found or approved; once."""
    if decision not in ("confirmed", "declined"):
        raise UserError("意愿确认只能是确认领取或放弃。", 2)
    row = session.execute(
        sa.select(entitlements.c.state).where(entitlements.c.id == entitlement_id).with_for_update()
    ).first()
    if row is None:
        raise UserError(f"找不到待遇 {entitlement_id}。", 4)
    if row.state not in ("found", "approved"):
        raise UserError("这笔待遇已发放或已办结，无需再确认。", 5)
    done = session.execute(
        sa.select(entitlement_confirmations.c.decision).where(entitlement_confirmations.c.entitlement_id == entitlement_id)
    ).first()  # fmt: skip
    if done is not None:
        raise UserError("您已经确认过这笔待遇。", 5)
    session.execute(sa.insert(entitlement_confirmations).values(
        entitlement_id=entitlement_id, decision=decision, bank_account=bank_account, decided_by=actor,
        decided_at=dt.datetime.now(dt.UTC)))  # fmt: skip
    record(session, actor, "confirm", "entitlements", entitlement_id, row.state, decision,
           "本人确认领取" if decision == "confirmed" else "本人放弃",
           {"bank_account_last4": (bank_account or "")[-4:] or None})  # fmt: skip
    if decision == "declined":
        transitions.move(session, [entitlement_id], "rejected", actor, "本人放弃（意愿确认）", action="confirm")
    return decision


def grant(
    session: Session, policy: str, beneficiary: str, subject: str, month: dt.date, amount_fen: int, actor: str,
    reason: str, payload: dict[str, Any] | None = None,
) -> int:  # fmt: skip
    """An entitlement decided on an application (点单式): written as found and moved to approved by the
    reviewer, both audited.  One line per (policy, beneficiary, subject, month): a second is refused.
    Its origin is ``application``: matching never withdraws it, changes it or sends it back to review
    (the reviewer decided it; the engine may not even compute the measure)."""
    if not known_policy(policy):
        raise UserError(f"未知的政策编号：{policy}。", 4)
    problem = amount_problem(policy, amount_fen)
    if problem:
        raise UserError(f"核准金额不能使用：{problem}。", 2, "amount")
    month = month.replace(day=1)
    key = (entitlements.c.policy == policy, entitlements.c.beneficiary == beneficiary,
           entitlements.c.subject == subject, entitlements.c.month == month)  # fmt: skip
    if session.execute(sa.select(entitlements.c.id).where(*key)).first() is not None:
        raise UserError(f"{policy} 在 {month:%Y-%m} 已有此人的待遇，不能重复核准。", 5)
    from jiuye.db.metadata import audit_values

    new_id = int(session.execute(
        sa.insert(entitlements).values(policy=policy, beneficiary=beneficiary, subject=subject, month=month,
                                       amount_fen=int(amount_fen), amount_status="payable", state="found",
                                       origin="application", explanation=payload, **audit_values(actor))
        .returning(entitlements.c.id)
    ).scalar_one())  # fmt: skip
    record(session, actor, "grant", "entitlements", new_id, None, "found", reason, payload)
    transitions.move(session, [new_id], "approved", actor, reason, action="review",
                     payload={**(payload or {}), "amount_fen": int(amount_fen)})  # fmt: skip
    _seal_rows(session, [new_id])  # the approved amount is sealed, as for every approval
    return new_id




# --- the bureau's own district (G12) ---------------------------------------------------------------


@dataclass
class DistrictSetting:
    district: str  # jinshan | chongming | all
    set_by: str
    set_at: dt.datetime | None

    @property
    def label(self) -> str:
        return BUREAU_DISTRICTS[self.district]

    def covers(self, measure_district: str) -> bool:
        """Whether this bureau matches a measure of ``measure_district``'s document (G12)."""
        return self.district in ("all", measure_district)


def bureau_district(session: Session) -> DistrictSetting:
    """The deployment's own district (``jiuye settings district``); ``all`` until one is set."""
    row = session.execute(_DISTRICT).first()
    if row is None:
        return DistrictSetting("all", "默认设置", None)
    return DistrictSetting(row.value, row.set_by, row.set_at)


def set_bureau_district(session: Session, district: str, actor: str, reason: str | None = None) -> DistrictSetting:
    if district not in BUREAU_DISTRICTS:
        raise UserError(f"未知的辖区：{district}（可选：jinshan、chongming、all）。", 2)
    old = bureau_district(session)
    now = dt.datetime.now(dt.UTC)
    done = session.execute(
        sa.update(bureau_settings).where(bureau_settings.c.name == "district")
        .values(value=district, set_by=actor, set_at=now)
    )  # fmt: skip
    if not done.rowcount:  # type: ignore[attr-defined]
        session.execute(sa.insert(bureau_settings).values(name="district", value=district, set_by=actor, set_at=now))
    record(session, actor, "setting", "bureau_settings", "district", old.label, BUREAU_DISTRICTS[district], reason,
           {"district": district})  # fmt: skip
    return DistrictSetting(district, actor, now)


# --- bounds and seals -----------------------------------------------------------------------------
def line_bounds() -> dict[str, int | None]:
    """Each measure's per-line plausibility bound in fen (declared on the measure, ``Meta.line_bound_yuan``)."""
    from jiuye.rules.catalog import all_measures

    return {m.id: m.meta.line_bound_fen for m in all_measures()}


def amount_problem(policy: str, amount_fen: int | None, bounds: dict[str, int | None] | None = None) -> str | None:
    """Why a line of ``amount_fen`` must not be approved or paid (None: it may)."""
    if amount_fen is None:
        return None
    bound = (bounds if bounds is not None else line_bounds()).get(policy)
    if amount_fen <= 0:
        return f"金额 {fen_to_plain_text(amount_fen)} 元不大于0"
    if bound is None:
        return f"政策 {policy} 未声明单笔合理上限"
    if amount_fen > bound:
        return f"金额 {fen_to_plain_text(amount_fen)} 元超过政策 {policy} 的单笔合理上限 {fen_to_plain_text(bound)} 元"
    return None


def _bound_ok(bounds: dict[str, int | None], policies: list[str]) -> sa.ColumnElement[bool]:
    """SQL: the line's amount is pending, or > 0 and within its measure's bound."""
    amount = entitlements.c.amount_fen
    within = [
        sa.and_(entitlements.c.policy == p, amount <= b) for p in policies if (b := bounds.get(p)) is not None
    ]
    return sa.or_(amount.is_(None), sa.and_(amount > 0, sa.or_(sa.false(), *within)))


def seal(key: ChainKey, row: Any) -> str:
    """HMAC (chain key, outside the database) of a line as approved: id, key columns and amount."""
    return key.mac(_seal_text(row.id, row.policy, row.beneficiary, row.subject, row.month, row.amount_fen))


def _seal_text(id_: Any, policy: str, beneficiary: str, subject: str, month: Any, amount_fen: Any) -> str:
    month = month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10])
    return f"approved|{id_}|{policy}|{beneficiary}|{subject}|{month:%Y-%m-%d}|{amount_fen}"


def seals(key: ChainKey, lines: pl.DataFrame) -> list[str]:
    """:func:`seal` of every row of ``lines`` (columns id, policy, beneficiary, subject, month, amount_fen)."""
    # the texts of _seal_text built by whole columns (a Python f-string per line was a third of the sealing)
    texts = lines.select(pl.concat_str([
        pl.lit("approved"), pl.col("id").cast(pl.String), "policy", "beneficiary", "subject",
        pl.col("month").dt.strftime("%Y-%m-%d"), pl.col("amount_fen").cast(pl.String).fill_null("None"),
    ], separator="|")).to_series()  # fmt: skip
    return key.macs(texts.to_list())


def _seal_rows(session: Session, ids: list[int]) -> list[Any]:
    """Store the approval seal of ``ids`` (just approved); returns their rows (id, key, amount)."""
    key = session_key(session)
    cols = [entitlements.c[c] for c in ("id", "policy", "beneficiary", "subject", "month", "amount_fen")]
    rows: list[Any] = []
    for start in range(0, len(ids), 5000):
        rows += session.execute(sa.select(*cols).where(entitlements.c.id.in_(ids[start : start + 5000]))).all()
    if rows:
        session.execute(
            sa.update(entitlements)
            .where(entitlements.c.id == sa.bindparam("eid"), entitlements.c.state == "approved")
            .values(approved_seal=sa.bindparam("seal_value")),
            [{"eid": int(r.id), "seal_value": seal(key, r)} for r in rows],
        )
    return sorted(rows, key=lambda r: int(r.id))


# --- approval and review --------------------------------------------------------------------------
def approve_month(session: Session, month: dt.date, actor: str, policy: str | None = None) -> dict[str, int]:
    """Approve every found line of ``month`` and earlier of the 免申即享 measures (or of ``policy``).

    A line whose amount is not above 0 or above its measure's plausibility bound is not approved (it
    stays found and is listed by :func:`held_lines`).  Each approved line is sealed.
    """
    current = settings(session)
    if policy is not None:
        if policy not in current:
            raise UserError(f"未知的政策编号：{policy}。", 4)
        if not current[policy].auto:
            raise UserError(
                f"政策 {policy} 未设为免申即享，须逐条审核（jiuye review ID approve|reject --reason …）。", 5
            )
        chosen = [policy]
    else:
        chosen = sorted(p for p, s in current.items() if s.auto)
    if not chosen:
        return {}
    bounds = line_bounds()
    rows = session.execute(
        sa.update(entitlements)
        .where(
            entitlements.c.state.in_(transitions.sources("approved", bulk=True)),
            entitlements.c.month <= month_end(month),
            entitlements.c.policy.in_(chosen),
            _bound_ok(bounds, chosen),
        )
        .values(state="approved", review_reason=None, updated_by=actor, updated_at=sa.func.current_timestamp())
        .returning(entitlements.c.id, entitlements.c.policy)
    ).all()
    sealed = _seal_rows(session, [int(r[0]) for r in rows])
    for pid in chosen:
        st = current[pid]
        mine = [r for r in sealed if r.policy == pid]
        transitions.audit_set(
            session, [int(r.id) for r in mine], "found", "approved", actor, "免申即享批量核准", "approve",
            {"policy": pid, "setting": "免申即享", "setting_by": st.set_by,
             "setting_at": None if st.set_at is None else str(st.set_at),
             "amounts_fen": [None if r.amount_fen is None else int(r.amount_fen) for r in mine]},
        )  # fmt: skip
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    return counts


def held_lines(session: Session, month: dt.date) -> list[dict[str, Any]]:
    """Found or approved lines of ``month`` and earlier whose amount must not be paid (≤ 0 or above the bound)."""
    bounds = line_bounds()
    rows = session.execute(
        sa.select(entitlements.c.id, entitlements.c.policy, entitlements.c.amount_fen, entitlements.c.state)
        .where(entitlements.c.state.in_(["found", "approved", "review"]), entitlements.c.month <= month_end(month),
               entitlements.c.amount_fen.is_not(None), sa.not_(_bound_ok(bounds, sorted(bounds))))
        .order_by(entitlements.c.id)
    ).all()  # fmt: skip
    return [{"id": int(r.id), "policy": r.policy, "state": r.state,
             "reason": amount_problem(r.policy, r.amount_fen, bounds)} for r in rows]  # fmt: skip


def review(session: Session, entitlement_id: int, decision: str, actor: str, reason: str) -> str:
    new = {"approve": "approved", "reject": "rejected"}.get(decision)
    if new is None:
        raise UserError("审核结论只能是 approve（核准）或 reject（驳回）。", 2)
    if not reason.strip():
        raise UserError("请用 --reason 写明审核理由。", 2)
    payload: dict[str, Any] | None = None
    if new == "approved":
        row = session.execute(
            sa.select(entitlements.c.policy, entitlements.c.amount_fen).where(entitlements.c.id == entitlement_id)
        ).first()
        problem = None if row is None else amount_problem(row.policy, row.amount_fen)
        if problem:
            raise UserError(f"待遇 {entitlement_id} 不能核准：{problem}。", 5)
        if row is not None:
            payload = {"amount_fen": row.amount_fen}
    transitions.move(session, [entitlement_id], new, actor, reason, action="review", payload=payload)
    if new == "approved":
        _seal_rows(session, [entitlement_id])
    else:
        session.execute(sa.update(entitlements).where(entitlements.c.id == entitlement_id).values(approved_seal=None))
    return new


# --- payment --------------------------------------------------------------------------------------
def _lock_pay(session: Session) -> None:
    advisory_xact_lock(session, PAY_LOCK_KEY)


def _accounts() -> sa.Subquery:
    """Beneficiary key → its bank account, from the registry (persons, employers, organisations)."""
    from jiuye.registry.models import TABLES

    parts = []
    for table, key in (("persons", "id_number"), ("employers", "credit_code"), ("organizations", "org_id")):
        t = TABLES.get(table)
        if t is not None and key in t.c and "bank_account" in t.c:
            parts.append(sa.select(t.c[key].label("k"), t.c["bank_account"].label("account")))
    return sa.union_all(*parts).subquery("accounts")


def _returned_accounts() -> sa.Subquery:
    """The account each returned line was last paid to (a bank return is payable again to another one)."""
    last = (
        sa.select(payments.c.entitlement_id, sa.func.max(payments.c.id).label("pid"))
        .where(payments.c.state == "returned")
        .group_by(payments.c.entitlement_id)
        .subquery("last_return")
    )
    return (
        sa.select(last.c.entitlement_id, payments.c.bank_account.label("returned_to"))
        .join(payments, payments.c.id == last.c.pid)
        .subquery("returned_to")
    )


@dataclass
class Candidates:
    payable: pl.DataFrame  # id, policy, beneficiary, subject, month, amount_fen, state, account
    waiting: list[dict[str, Any]]


def pay_candidates(
    session: Session, month: dt.date, lock: bool = False, policies: Sequence[str] | None = None
) -> Candidates:
    """Approved (and bank-returned) lines of ``month`` and earlier with an amount: which may be paid now,
    and which wait (no or implausible bank account, account of a return not corrected, amount out of
    bounds).  Raises when a line's amount no longer matches its approval seal (tampering)."""
    from jiuye.rules.identifiers import bank_account_reason

    acc, ret = _accounts(), _returned_accounts()
    ec = entitlement_confirmations
    # 意愿确认: the account the person gave when confirming comes before the registry's
    pay_to = sa.func.coalesce(ec.c.bank_account, acc.c.account).label("account")
    stmt = (
        sa.select(entitlements.c.id, entitlements.c.policy, entitlements.c.beneficiary, entitlements.c.subject,
                  entitlements.c.month, entitlements.c.amount_fen, entitlements.c.state, entitlements.c.approved_seal,
                  pay_to, ret.c.returned_to)
        .select_from(entitlements.outerjoin(acc, acc.c.k == entitlements.c.beneficiary)
                     .outerjoin(ret, ret.c.entitlement_id == entitlements.c.id)
                     .outerjoin(ec, sa.and_(ec.c.entitlement_id == entitlements.c.id, ec.c.decision == "confirmed")))
        .where(entitlements.c.state.in_(transitions.sources("in_batch")), entitlements.c.month <= month_end(month),
               entitlements.c.amount_fen.is_not(None))
        .order_by(entitlements.c.id)
    )  # fmt: skip
    if policies is not None:  # a district's staff pay their district's measures only
        stmt = stmt.where(entitlements.c.policy.in_(list(policies)))
    needing = sorted(p for p, st in settings(session).items() if st.confirm)
    if needing:  # lines of these measures wait for the person's confirmation (joined above when given)
        stmt = stmt.where(sa.or_(entitlements.c.policy.not_in(needing), ec.c.entitlement_id.is_not(None)))
    if lock and session.get_bind().dialect.name == "postgresql":
        # the lines are locked by the statement that reads them (COPY of a SELECT … FOR UPDATE): every line
        # read is locked, with the values locked, and the join runs once (a separate lock statement fetched
        # 100k ids row by row first); claiming stays guarded by the state in SQL
        stmt = stmt.with_for_update(of=entitlements)
    rows = read_frame(session.connection(), stmt, {
        "id": pl.Int64, "policy": pl.String, "beneficiary": pl.String, "subject": pl.String, "month": pl.Date,
        "amount_fen": pl.Int64, "state": pl.String, "approved_seal": pl.String, "account": pl.String,
        "returned_to": pl.String,
    })  # fmt: skip
    key = session_key(session)
    bounds = line_bounds()
    stored = rows.get_column("approved_seal").to_list()
    tampered = [
        i for i, got, want in zip(rows.get_column("id").to_list(), stored, seals(key, rows), strict=True)
        if got is None or not hmac.compare_digest(got, want)
    ]  # fmt: skip
    if tampered:
        shown = "、".join(map(str, tampered[:20])) + ("等" if len(tampered) > 20 else "")
        raise UserError(
            f"拒绝发放：{len(tampered)} 条待遇的金额与核准时记录（审计封签）不符，疑被直接改动：{shown}。"
            "请核查审计日志（jiuye audit verify）并重新审核。",
            8,
        )
    # why a line waits, by whole columns; the amount's message is the one of amount_problem (rare rows)
    amount, account = pl.col("amount_fen"), pl.col("account").fill_null("").str.strip_chars()
    bound = pl.col("policy").replace_strict(bounds, default=None, return_dtype=pl.Int64)
    checked = rows.with_columns(account=account).with_columns(
        amount_bad=(amount <= 0) | bound.is_null() | (amount > bound),
        bank=bank_account_reason(pl.when(pl.col("account") != "").then(pl.col("account"))),
    )
    bad_amount = checked.filter("amount_bad")
    amount_text = {
        i: amount_problem(p, a, bounds)
        for i, p, a in zip(bad_amount["id"].to_list(), bad_amount["policy"].to_list(),
                           bad_amount["amount_fen"].to_list(), strict=True)
    }  # fmt: skip
    checked = checked.with_columns(
        problem=pl.when("amount_bad").then(pl.col("id").replace_strict(amount_text, default=None, return_dtype=pl.String))
        .when(pl.col("account") == "").then(pl.lit("无银行账号"))
        .when(pl.col("bank").is_not_null()).then(pl.lit("银行账号不合规（") + pl.col("bank") + pl.lit("）"))
        .when((pl.col("state") == "returned") & (pl.col("account") == pl.col("returned_to").fill_null("")))
        .then(pl.lit("银行退票后账号尚未更正"))
    )  # fmt: skip
    waiting = (
        checked.filter(pl.col("problem").is_not_null())
        .select("id", "policy", "beneficiary", "month", reason="problem")
        .to_dicts()
    )
    payable = checked.filter(pl.col("problem").is_null()).select(
        "id", "policy", "beneficiary", "subject", "month", "amount_fen", "state", "account"
    )
    return Candidates(payable, waiting)


def committed_batch(session: Session) -> Callable[[int, str], bool]:
    def check(batch_id: int, token: str) -> bool:
        row = session.execute(
            sa.select(payment_batches.c.file_token, payment_batches.c.state).where(payment_batches.c.id == batch_id)
        ).first()
        return row is not None and row.state == "paid" and bool(row.file_token) and row.file_token.startswith(token)

    return check


def pay(
    session: Session, month: dt.date, actor: str, out_dir: Path, policies: Sequence[str] | None = None
) -> Batch:
    """Claim the payable approved lines of ``month`` and earlier, pay them in one batch, write the files.

    Files are written under temporary names and get their final names only when the caller's transaction
    commits (a rollback removes them); the audit head of the batch is then appended to the anchor file.
    Lines without a usable bank account wait (``Batch.waiting``).
    """
    _lock_pay(session)
    payment_file.check_folder(out_dir, committed_batch(session))
    cand = pay_candidates(session, month, lock=True, policies=policies)
    if cand.payable.is_empty():
        extra = f"（另有 {len(cand.waiting)} 条因无银行账号等原因等待，见 jiuye pay --month … --waiting）" if cand.waiting else ""
        raise UserError(f"{month:%Y-%m} 及以前没有已核准、未发放的待遇，无需生成发放批次{extra}。", 6)
    token = secrets.token_hex(16)
    batch_id = int(
        session.execute(
            sa.insert(payment_batches)
            .values(month=month, created_by=actor, state="open", lines=0, total_fen=0, file_token=token)
            .returning(payment_batches.c.id)
        ).scalar_one()
    )
    reason = f"发放批次 {batch_id}"
    # PostgreSQL: the candidates' ids in a temporary table, each claim one set-based statement.  SQLite: the ids
    # as one JSON array read by json_each (a temporary table would create the connection's temp database, after
    # which the pooled connection refuses the import's PRAGMA temp_store; IN-lists of 5,000 literal ids cost
    # more to compile than to run).
    # A claim moves its lines approved/returned → in_batch → paid in ONE statement guarded by the old state: the
    # batch is one transaction, so no other transaction can ever see a line in_batch, and a second UPDATE of
    # every line (on PostgreSQL a new version of each row in all seven indexes of entitlements, most of pay's
    # time) would change nothing anyone observes.  Both moves are checked against the transition table and
    # audited, as before; a failure anywhere below rolls the claim back with everything else.
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    if pg:
        # PostgreSQL: every candidate is locked FOR UPDATE by the read above, so the claim below moves all of
        # them (checked: anything else rolls the batch back).  The payments are written first: their
        # foreign-key check then finds each line once, already locked by this transaction, instead of both
        # row versions the claim leaves in the primary key (≈ 0.5 s of 100k lines).
        _write_payments(conn, batch_id, cand.payable)
    tmp = _temp_ids(conn, cand.payable.select("id", "state")) if pg else None
    claimed_ids: list[int] = []
    for old in sorted(cand.payable.get_column("state").unique().to_list()):
        if tmp is not None:
            claim: Any = sa.select(tmp.c.id).where(tmp.c.state == old)
        else:
            ids = cand.payable.filter(pl.col("state") == old).get_column("id").to_list()
            listed = sa.func.json_each(json.dumps(ids)).table_valued("value")
            claim = sa.select(listed.c.value)
        move = (
            sa.update(entitlements)
            .where(entitlements.c.state == old, entitlements.c.id.in_(claim))
            .values(state="paid", updated_by=actor, updated_at=sa.func.current_timestamp())
            .returning(entitlements.c.id)
        )
        if pg:  # the claimed ids come back by COPY (UPDATE … RETURNING): 100k ids fetched row by row cost ~0.5 s
            got = read_frame(conn, move, {"id": pl.Int64}).get_column("id").sort().to_list()
        else:
            got = sorted(int(x) for x in session.execute(move).scalars())
        transitions.audit_set(session, got, str(old), "in_batch", actor, reason, "pay", {"batch": batch_id})
        claimed_ids += got
    if tmp is not None:
        conn.exec_driver_sql(f"DROP TABLE {tmp.name}")
    if not claimed_ids:
        raise UserError(f"{month:%Y-%m} 及以前没有已核准、未发放的待遇，无需生成发放批次。", 6)
    if pg:
        if len(claimed_ids) != cand.payable.height:  # a locked line moved: never happens; never pay it
            raise UserError(
                f"发放中止：{cand.payable.height - len(claimed_ids)} 条待遇在锁定后状态被改动，本批次未生成，请重新发放。", 5
            )
    else:
        _write_payments(conn, batch_id, cand.payable.filter(pl.col("id").is_in(claimed_ids)))
    ids = sorted(claimed_ids)
    transitions.audit_set(session, ids, "in_batch", "paid", actor, reason, "pay", {"batch": batch_id})
    lines = payment_lines(session, batch_id)
    built = payment_file.build(lines)
    checksum = built[1]
    total_fen = int(lines["amount_fen"].sum())
    record(session, actor, "create", "payment_batches", batch_id, None, "paid", reason,
           {"month": f"{month:%Y-%m}", "lines": lines.height, "total_fen": total_fen, "checksum": checksum,
            "file_token": token})  # fmt: skip
    audit_seq, audit_hash = audit_head(session)
    batch = payment_file.write_temp(lines, built, batch_id, month, out_dir, token, (audit_seq, audit_hash))
    batch.waiting = cand.waiting
    session.execute(
        sa.update(payment_batches)
        .where(payment_batches.c.id == batch_id, payment_batches.c.state == "open")
        .values(
            lines=batch.lines, total_fen=batch.total_fen, checksum=batch.checksum, state="paid",
            csv_path=str(batch.files[0]), xlsx_path=str(batch.files[1]), audit_seq=audit_seq, audit_hash=audit_hash,
        )
    )  # fmt: skip
    folder, key = session_audit_dir(session), session_key(session)

    def committed(_s: Session) -> None:
        payment_file.finalize(batch)
        append_anchor(folder, key, audit_seq, audit_hash, f"发放批次 {batch_id}")

    def rolled_back(_s: Session, _previous: object) -> None:
        payment_file.discard(batch)

    sa.event.listen(session, "after_commit", committed, once=True)
    sa.event.listen(session, "after_soft_rollback", rolled_back, once=True)
    return batch


def _write_payments(conn: sa.Connection, batch_id: int, lines: pl.DataFrame) -> None:
    """One payment (state paid, to the line's account) per line of ``lines``, in the batch ``batch_id``."""
    write_frame(conn, "payments", lines.sort("state", "id").select(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"), pl.col("id").alias("entitlement_id"), "policy",
        "beneficiary", "subject", "month", "amount_fen", pl.lit("paid").alias("state"),
        pl.col("account").alias("bank_account"),
    ))  # fmt: skip


def _temp_ids(conn: sa.Connection, frame: pl.DataFrame) -> sa.TableClause:
    """``frame`` (id, state) as a temporary table of this connection (the caller drops it)."""
    name = "tmp_jiuye_pay_ids"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} (id BIGINT PRIMARY KEY, state VARCHAR(16) NOT NULL)")
    write_frame(conn, name, frame)
    return sa.table(name, sa.column("id"), sa.column("state"))


def waiting_lines(session: Session, month: dt.date) -> list[dict[str, Any]]:
    """Approved or bank-returned lines that ``pay`` leaves waiting, with the reason (e.g. 无银行账号)."""
    return pay_candidates(session, month).waiting


def batch_anchors(session: Session) -> list[Anchor]:
    """The audit heads payment batches recorded at creation, as anchors for ``jiuye audit verify``."""
    rows = session.execute(
        sa.select(payment_batches.c.id, payment_batches.c.audit_seq, payment_batches.c.audit_hash,
                  payment_batches.c.created_at)
        .where(payment_batches.c.audit_seq.is_not(None)).order_by(payment_batches.c.id)
    ).all()  # fmt: skip
    return [Anchor(int(r.audit_seq), str(r.audit_hash), str(r.created_at), f"发放批次 {r.id}（数据库记录）", True, 0)
            for r in rows]  # fmt: skip


def _details(session: Session, batch_id: int) -> pl.DataFrame:
    """Name and masked identifier of the batch's beneficiaries (from the registry)."""
    from jiuye.registry.models import TABLES

    wanted = sa.select(payments.c.beneficiary).where(payments.c.batch_id == batch_id)
    frames = []
    for table, key in (("persons", "id_number"), ("employers", "credit_code"), ("organizations", "org_id")):
        t = TABLES.get(table)
        if t is None or key not in t.c:
            continue
        code = t.c["credit_code"] if "credit_code" in t.c else t.c[key]
        stmt = sa.select(t.c[key].label("beneficiary"), t.c["name"].label("name"), code.label("code"))
        frames.append(
            read_frame(session.connection(), stmt.where(t.c[key].in_(wanted)),
                       {"beneficiary": pl.String, "name": pl.String, "code": pl.String})
            .with_columns(kind=pl.lit(table))
        )  # fmt: skip
    if not frames:
        return pl.DataFrame(schema={"beneficiary": pl.String, "name": pl.String, "code": pl.String,
                                    "kind": pl.String})  # fmt: skip
    return pl.concat(frames).unique("beneficiary", keep="first")


def payment_lines(session: Session, batch_id: int) -> pl.DataFrame:
    """The batch's payments with what the file shows; the bank account is the one stored with the payment."""
    from jiuye.rules.catalog import all_measures

    frame = read_frame(
        session.connection(),
        sa.select(payments.c.id.label("payment_id"), payments.c.policy, payments.c.beneficiary, payments.c.subject,
                  payments.c.month, payments.c.amount_fen, payments.c.bank_account)
        .where(payments.c.batch_id == batch_id),
        {"payment_id": pl.Int64, "policy": pl.String, "beneficiary": pl.String, "subject": pl.String,
         "month": pl.Date, "amount_fen": pl.Int64, "bank_account": pl.String},
    ).sort("policy", "beneficiary", "subject", "month")  # Python's code point order, whatever the collation

    titles = pl.DataFrame(
        {"policy": [m.id for m in all_measures()], "title": [m.meta.title for m in all_measures()]}
    )
    details = _details(session, batch_id)
    code = pl.col("code").fill_null(pl.col("beneficiary"))
    masked = mask(code)
    subject_masked = mask(pl.col("subject"))
    return (
        frame.join(titles, on="policy", how="left")
        .join(details, on="beneficiary", how="left")
        .with_columns(
            masked_id=masked,
            masked_subject=pl.when(pl.col("subject") == pl.col("beneficiary")).then(pl.lit("本人/本单位"))
            .otherwise(subject_masked),
            name=pl.col("name").fill_null(""),
            bank_account=pl.col("bank_account").fill_null(""),
        )
    )


def reverse(session: Session, payment_id: int, actor: str, reason: str) -> dict[str, Any]:
    """Claw back one payment (追回): payment and entitlement become reversed; the cap is free again."""
    if not reason.strip():
        raise UserError("请用 --reason 写明追回理由。", 2)
    row = _payment_for_update(session, payment_id)
    if row["state"] != "paid":
        raise UserError(f"发放记录 {payment_id} 当前状态为“{PAYMENT_STATE_LABELS.get(row['state'], row['state'])}”，不能追回。", 5)
    done = session.execute(
        sa.update(payments)
        .where(payments.c.id == payment_id, payments.c.state == "paid")
        .values(state="reversed", reversed_at=dt.datetime.now(dt.UTC), reversed_by=actor, reversal_reason=reason)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise UserError(f"发放记录 {payment_id} 已被并发修改，请重试。", 5)
    record(session, actor, "reverse", "payments", payment_id, "paid", "reversed", reason)
    transitions.move(session, [int(row["entitlement_id"])], "reversed", actor, reason, action="reverse",
                     payload={"payment_id": payment_id})  # fmt: skip
    return dict(row)


PAYMENT_STATE_LABELS = declare_states("payments", {"paid": "已发放", "reversed": "已追回", "returned": "银行退票"})
declare_states("payment_batches", PAYMENT_STATE_LABELS)  # a batch is created "paid"


def _payment_for_update(session: Session, payment_id: int) -> Any:
    row = (
        session.execute(sa.select(payments).where(payments.c.id == payment_id).with_for_update())
        .mappings()
        .first()
    )
    if row is None:
        raise UserError(f"找不到发放记录 {payment_id}。", 4)
    return row


def bank_return(session: Session, payment_id: int, actor: str, reason: str) -> dict[str, Any]:
    """A bank return (退票): the money came back unpaid.  The payment becomes ``returned`` and its line
    ``returned``; ``pay`` pays the line again once the beneficiary's bank account differs from the one
    returned.  Not a clawback (:func:`reverse`): the person keeps the entitlement."""
    if not reason.strip():
        raise UserError("请用 --reason 写明退票原因（例如：账号不存在、户名不符）。", 2)
    row = _payment_for_update(session, payment_id)
    if row["state"] != "paid":
        raise UserError(f"发放记录 {payment_id} 当前状态为“{PAYMENT_STATE_LABELS.get(row['state'], row['state'])}”，不能登记退票。", 5)
    done = session.execute(
        sa.update(payments)
        .where(payments.c.id == payment_id, payments.c.state == "paid")
        .values(state="returned", returned_at=dt.datetime.now(dt.UTC), return_reason=reason)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise UserError(f"发放记录 {payment_id} 已被并发修改，请重试。", 5)
    record(session, actor, "bank_return", "payments", payment_id, "paid", "returned", reason,
           {"bank_account": row["bank_account"]})  # fmt: skip
    transitions.move(session, [int(row["entitlement_id"])], "returned", actor, reason, action="bank_return",
                     payload={"payment_id": payment_id})  # fmt: skip
    return dict(row)


def payment_history(session: Session) -> pl.DataFrame:
    """Non-reversed payments as the engine's ``facts.payments`` (caps and once-only rules read them)."""
    from jiuye.db.frames import read_frame

    stmt = sa.select(payments.c.policy, payments.c.beneficiary, payments.c.subject, payments.c.month,
                     payments.c.amount_fen).where(payments.c.state != "reversed")  # fmt: skip
    frame = read_frame(session.connection(), stmt, {"policy": pl.String, "beneficiary": pl.String,
                                                    "subject": pl.String, "month": pl.Date, "amount_fen": pl.Int64})
    # a bank return and the line's later payment are one entitlement: counted once for caps
    return frame.unique(["policy", "beneficiary", "subject", "month"], keep="first", maintain_order=True)
