"""ledger: entitlements, changes, match runs, policy settings, payment batches, payments, audit log

Revision ID: 0002_ledger
Revises: 0001_registry
Create Date: 2026-11-22

Issue 4 (matching, ledger, payment, audit).  Generated from jiuye.ledger.models and jiuye.audit.models,
then frozen: later changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ledger"
down_revision: str | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", ID, autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column("old_state", sa.String(length=32), nullable=True),
        sa.Column("new_state", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        comment="审计日志",
    )
    op.create_index("ix_audit_events_entity_entity_id", "audit_events", ["entity", "entity_id"], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
        comment="审计链末端",
    )
    op.create_table(
        "entitlement_changes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("entitlement_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("old_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("new_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=True),
        sa.Column("old_state", sa.String(length=16), nullable=True),
        sa.Column("new_state", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_changes")),
        comment="待遇变更记录",
    )
    op.create_index(
        "ix_entitlement_changes_entitlement_id", "entitlement_changes", ["entitlement_id"], unique=False
    )
    op.create_table(
        "entitlements",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False, comment="政策编号"),
        sa.Column("beneficiary", sa.Text(), nullable=False, comment="受益人"),
        sa.Column("subject", sa.Text(), nullable=False, comment="对象"),
        sa.Column("month", sa.Date(), nullable=False, comment="月份"),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True, comment="金额（分），空=金额待定"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="payable | amount_pending"),
        sa.Column(
            "state",
            sa.String(length=16),
            nullable=False,
            comment="found|approved|rejected|in_batch|paid|reversed|withdrawn",
        ),
        sa.Column("explanation", sa.JSON(), nullable=True, comment="依据（可按需重算）"),
        sa.Column("first_found_run", sa.BigInteger(), nullable=True),
        sa.Column("last_run", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlements")),
        sa.UniqueConstraint("policy", "beneficiary", "subject", "month", name="uq_entitlements_key"),
        comment="应享待遇",
    )
    op.create_index("ix_entitlements_state_month", "entitlements", ["state", "month"], unique=False)
    op.create_index("ix_entitlements_subject", "entitlements", ["subject"], unique=False)
    op.create_table(
        "match_runs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("month_from", sa.Date(), nullable=False),
        sa.Column("month_to", sa.Date(), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chunks_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("chunks_done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, comment="running | finished"),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("changed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("withdrawn", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_runs")),
        comment="匹配运行",
    )
    op.create_table(
        "payment_batches",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("csv_path", sa.Text(), nullable=True),
        sa.Column("xlsx_path", sa.Text(), nullable=True),
        sa.Column("lines", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False, comment="open | paid"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batches")),
        comment="发放批次",
    )
    op.create_table(
        "policy_settings",
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False, comment="免申即享"),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column(
            "set_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.PrimaryKeyConstraint("policy", name=op.f("pk_policy_settings")),
        comment="政策设置（免申即享）",
    )
    op.create_table(
        "payments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("entitlement_id", sa.BigInteger(), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("beneficiary", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, comment="paid | reversed"),
        sa.Column(
            "paid_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_by", sa.Text(), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["payment_batches.id"], name=op.f("fk_payments_batch_id_payment_batches")
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"], ["entitlements.id"], name=op.f("fk_payments_entitlement_id_entitlements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("entitlement_id", name="uq_payments_entitlement_id"),
        comment="发放记录",
    )
    op.create_index("ix_payments_batch_id", "payments", ["batch_id"], unique=False)
    op.create_index(
        "uq_payments_line_active",
        "payments",
        ["policy", "beneficiary", "subject", "month"],
        unique=True,
        postgresql_where=sa.text("state != 'reversed'"),
        sqlite_where=sa.text("state != 'reversed'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_payments_line_active",
        table_name="payments",
        postgresql_where=sa.text("state != 'reversed'"),
        sqlite_where=sa.text("state != 'reversed'"),
    )
    op.drop_index("ix_payments_batch_id", table_name="payments")
    op.drop_table("payments")
    op.drop_table("policy_settings")
    op.drop_table("payment_batches")
    op.drop_table("match_runs")
    op.drop_index("ix_entitlements_subject", table_name="entitlements")
    op.drop_index("ix_entitlements_state_month", table_name="entitlements")
    op.drop_table("entitlements")
    op.drop_index("ix_entitlement_changes_entitlement_id", table_name="entitlement_changes")
    op.drop_table("entitlement_changes")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_events_entity_entity_id", table_name="audit_events")
    op.drop_table("audit_events")
