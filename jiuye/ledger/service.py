"""Ledger services: the 免申即享 setting, bulk approval, review, payment batches, reversals.

All services take the session explicitly and never commit.  Everything is set-based SQL: one
``UPDATE … RETURNING`` claims many lines at once.

免申即享 default (documented per measure): a measure whose amount the rules compute from registry facts
(catalog kind ``money``) runs as 免申即享 unless the bureau switches it off; measures whose amount is
pending (kind ``pending``) or that need a reviewer need an application / review by default.  The
bureau changes this with ``jiuye settings auto MEASURE on|off``; the setting in force is recorded with
every bulk approval.

Exactly once: payment is serialised per database (``pg_advisory_xact_lock`` on PostgreSQL; the
``BEGIN IMMEDIATE`` write transaction on SQLite), lines are claimed with
``UPDATE entitlements SET state='in_batch' WHERE state='approved' … RETURNING``, and the database
refuses a second non-reversed payment of the same (policy, beneficiary, subject, month) and a second
payment of the same entitlement (unique indexes).  Batch, payments, line states and audit events
commit together or not at all, so a process killed during pay leaves nothing behind but, at most, a
payment file of a batch that does not exist in the database (void; the re-run writes a new one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.service import record
from jiuye.errors import UserError
from jiuye.ledger import transitions
from jiuye.ledger.models import bureau_settings, entitlements, payment_batches, payments, policy_settings
from jiuye.ledger.payment_file import Batch, write_files
from jiuye.rules.dates import month_end
from jiuye.rules.identifiers import mask
from jiuye.rules.measure import BUREAU_DISTRICTS

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


def settings(session: Session) -> dict[str, Setting]:
    from jiuye.rules.catalog import measure_ids

    stored = {r.policy: r for r in session.execute(sa.select(policy_settings)).all()}
    out: dict[str, Setting] = {}
    for pid in measure_ids():
        r = stored.get(pid)
        out[pid] = (
            Setting(pid, default_auto(pid), "默认设置", None)
            if r is None
            else Setting(pid, bool(r.auto), r.set_by, r.set_at)
        )
    return out


def set_auto(session: Session, policy: str, auto: bool, actor: str, reason: str | None = None) -> Setting:
    if not known_policy(policy):
        raise UserError(f"未知的政策编号：{policy}。", 4)
    old = settings(session)[policy]
    now = dt.datetime.now(dt.UTC)
    exists = session.execute(
        sa.select(policy_settings.c.policy).where(policy_settings.c.policy == policy)
    ).first()
    if exists:
        session.execute(
            sa.update(policy_settings)
            .where(policy_settings.c.policy == policy)
            .values(auto=auto, set_by=actor, set_at=now)
        )
    else:
        session.execute(sa.insert(policy_settings).values(policy=policy, auto=auto, set_by=actor, set_at=now))
    label = {True: "免申即享", False: "依申请"}
    record(
        session,
        actor,
        "setting",
        "policy_settings",
        policy,
        label[old.auto],
        label[auto],
        reason,
        {"auto": auto},
    )
    return Setting(policy, auto, actor, now)


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
    row = session.execute(sa.select(bureau_settings).where(bureau_settings.c.name == "district")).first()
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


# --- approval and review --------------------------------------------------------------------------
def approve_month(session: Session, month: dt.date, actor: str, policy: str | None = None) -> dict[str, int]:
    """Approve every found line of ``month`` and earlier of the 免申即享 measures (or of ``policy``)."""
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
    rows = session.execute(
        sa.update(entitlements)
        .where(
            entitlements.c.state == "found",
            entitlements.c.month <= month_end(month),
            entitlements.c.policy.in_(chosen),
        )
        .values(state="approved", updated_by=actor, updated_at=sa.func.current_timestamp())
        .returning(entitlements.c.id, entitlements.c.policy)
    ).all()
    for pid in chosen:
        st = current[pid]
        transitions.audit_set(
            session, [int(r[0]) for r in rows if r[1] == pid], "found", "approved", actor, "免申即享批量核准", "approve",
            {"policy": pid, "setting": "免申即享", "setting_by": st.set_by,
             "setting_at": None if st.set_at is None else str(st.set_at)},
        )  # fmt: skip
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    return counts


def review(session: Session, entitlement_id: int, decision: str, actor: str, reason: str) -> str:
    new = {"approve": "approved", "reject": "rejected"}.get(decision)
    if new is None:
        raise UserError("审核结论只能是 approve（核准）或 reject（驳回）。", 2)
    if not reason.strip():
        raise UserError("请用 --reason 写明审核理由。", 2)
    transitions.move(session, [entitlement_id], new, actor, reason, action="review")
    return new


# --- payment --------------------------------------------------------------------------------------
def _lock_pay(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PAY_LOCK_KEY})


def pay(session: Session, month: dt.date, actor: str, out_dir: Path) -> Batch:
    """Claim the approved, unpaid lines of ``month`` and earlier, pay them in one batch, write the files."""
    _lock_pay(session)
    claimed = session.execute(
        sa.update(entitlements)
        .where(
            entitlements.c.state == "approved",
            entitlements.c.month <= month_end(month),
            entitlements.c.amount_fen.is_not(None),
        )
        .values(state="in_batch", updated_by=actor, updated_at=sa.func.current_timestamp())
        .returning(entitlements.c.id)
    ).all()
    if not claimed:
        raise UserError(f"{month:%Y-%m} 及以前没有已核准、未发放的待遇，无需生成发放批次。", 6)
    batch_id = int(
        session.execute(
            sa.insert(payment_batches)
            .values(month=month, created_by=actor, state="open", lines=0, total_fen=0)
            .returning(payment_batches.c.id)
        ).scalar_one()
    )
    cols = ["policy", "beneficiary", "subject", "month", "amount_fen"]
    session.execute(
        sa.insert(payments).from_select(
            ["batch_id", "entitlement_id", *cols, "state"],
            sa.select(
                sa.literal(batch_id),
                entitlements.c.id,
                *(entitlements.c[c] for c in cols),
                sa.literal("paid"),
            ).where(entitlements.c.state == "in_batch"),
        )
    )
    session.execute(
        sa.update(entitlements)
        .where(entitlements.c.state == "in_batch")
        .values(state="paid", updated_by=actor, updated_at=sa.func.current_timestamp())
    )
    ids = sorted(int(r[0]) for r in claimed)
    reason = f"发放批次 {batch_id}"
    transitions.audit_set(session, ids, "approved", "in_batch", actor, reason, "pay", {"batch": batch_id})
    transitions.audit_set(session, ids, "in_batch", "paid", actor, reason, "pay", {"batch": batch_id})
    lines = payment_lines(session, batch_id)
    batch = write_files(lines, batch_id, month, out_dir)
    session.execute(
        sa.update(payment_batches)
        .where(payment_batches.c.id == batch_id)
        .values(
            lines=batch.lines, total_fen=batch.total_fen, checksum=batch.checksum, state="paid",
            csv_path=str(batch.files[0]), xlsx_path=str(batch.files[1]),
        )
    )  # fmt: skip
    record(session, actor, "create", "payment_batches", batch_id, None, "paid", reason,
           {"month": f"{month:%Y-%m}", "lines": batch.lines, "total_fen": batch.total_fen, "checksum": batch.checksum})  # fmt: skip
    return batch


def _details(session: Session, batch_id: int) -> pl.DataFrame:
    """Name, masked identifier and bank account of the batch's beneficiaries (from the registry)."""
    from jiuye.registry.models import TABLES

    wanted = sa.select(payments.c.beneficiary).where(payments.c.batch_id == batch_id)
    frames = []
    for table, key in (("persons", "id_number"), ("employers", "credit_code"), ("organizations", "org_id")):
        t = TABLES.get(table)
        if t is None or key not in t.c:
            continue
        code = t.c["credit_code"] if "credit_code" in t.c else t.c[key]
        rows = session.execute(
            sa.select(t.c[key], t.c["name"], code, t.c["bank_account"]).where(t.c[key].in_(wanted))
        ).all()
        frames.append(
            pl.DataFrame(
                [tuple(r) for r in rows], schema=["beneficiary", "name", "code", "bank_account"], orient="row"
            ).with_columns(pl.all().cast(pl.String), kind=pl.lit(table))
        )
    if not frames:
        return pl.DataFrame(schema={"beneficiary": pl.String, "name": pl.String, "code": pl.String,
                                    "bank_account": pl.String, "kind": pl.String})  # fmt: skip
    return pl.concat(frames).unique("beneficiary", keep="first")


def payment_lines(session: Session, batch_id: int) -> pl.DataFrame:
    from jiuye.rules.catalog import all_measures

    rows = session.execute(
        sa.select(payments.c.id, payments.c.policy, payments.c.beneficiary, payments.c.subject, payments.c.month,
                  payments.c.amount_fen)
        .where(payments.c.batch_id == batch_id)
        .order_by(payments.c.policy, payments.c.beneficiary, payments.c.subject, payments.c.month)
    ).all()  # fmt: skip
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"payment_id": pl.Int64, "policy": pl.String, "beneficiary": pl.String, "subject": pl.String,
                "month": pl.Date, "amount_fen": pl.Int64},
        orient="row",
    )  # fmt: skip
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
    """Claw back one payment: payment and entitlement become reversed; the cap is free again."""
    if not reason.strip():
        raise UserError("请用 --reason 写明追回理由。", 2)
    row = (
        session.execute(sa.select(payments).where(payments.c.id == payment_id).with_for_update())
        .mappings()
        .first()
    )
    if row is None:
        raise UserError(f"找不到发放记录 {payment_id}。", 4)
    if row["state"] != "paid":
        raise UserError(f"发放记录 {payment_id} 已追回，不能重复追回。", 5)
    session.execute(
        sa.update(payments)
        .where(payments.c.id == payment_id)
        .values(
            state="reversed", reversed_at=dt.datetime.now(dt.UTC), reversed_by=actor, reversal_reason=reason
        )
    )
    record(session, actor, "reverse", "payments", payment_id, "paid", "reversed", reason)
    transitions.move(session, [int(row["entitlement_id"])], "reversed", actor, reason, action="reverse",
                     payload={"payment_id": payment_id})  # fmt: skip
    return dict(row)


def payment_history(session: Session) -> pl.DataFrame:
    """Non-reversed payments as the engine's ``facts.payments`` (caps and once-only rules read them)."""
    from jiuye.db.frames import read_frame

    stmt = sa.select(payments.c.policy, payments.c.beneficiary, payments.c.subject, payments.c.month,
                     payments.c.amount_fen).where(payments.c.state != "reversed")  # fmt: skip
    return read_frame(session.connection(), stmt, {"policy": pl.String, "beneficiary": pl.String,
                                                   "subject": pl.String, "month": pl.Date, "amount_fen": pl.Int64})
