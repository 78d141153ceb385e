"""Tables of the ledger: entitlements and their changes, match runs, per-measure settings, payments.

Money is BIGINT fen.  ``entitlements.amount_fen`` is null while the amount is pending (G6).
``payments`` carries a partial unique index on (policy, beneficiary, subject, month) among lines that
are not reversed: the database itself refuses to pay a line twice; a reversal frees the key again.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.db.metadata import ID_TYPE, TIMESTAMP, audit_columns, metadata

ENTITLEMENT_STATES = ("found", "approved", "rejected", "in_batch", "paid", "reversed", "withdrawn")
STATUSES = ("payable", "amount_pending")


entitlements = sa.Table(
    "entitlements",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("policy", sa.String(16), nullable=False, comment="政策编号"),
    sa.Column("beneficiary", sa.Text(), nullable=False, comment="受益人"),
    sa.Column("subject", sa.Text(), nullable=False, comment="对象"),
    sa.Column("month", sa.Date(), nullable=False, comment="月份"),
    sa.Column("amount_fen", sa.BigInteger(), nullable=True, comment="金额（分），空=金额待定"),
    sa.Column("status", sa.String(16), nullable=False, comment="payable | amount_pending"),
    sa.Column(
        "state",
        sa.String(16),
        nullable=False,
        comment="found|approved|rejected|in_batch|paid|reversed|withdrawn",
    ),
    sa.Column("explanation", sa.JSON(), nullable=True, comment="依据（可按需重算）"),
    sa.Column("first_found_run", sa.BigInteger(), nullable=True),
    sa.Column("last_run", sa.BigInteger(), nullable=True),
    *audit_columns(),
    sa.UniqueConstraint("policy", "beneficiary", "subject", "month", name="uq_entitlements_key"),
    sa.Index("ix_entitlements_state_month", "state", "month"),
    sa.Index("ix_entitlements_subject", "subject"),
    comment="应享待遇",
)

entitlement_changes = sa.Table(
    "entitlement_changes",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("entitlement_id", sa.BigInteger(), nullable=False),
    sa.Column("run_id", sa.BigInteger(), nullable=True),
    sa.Column("old_amount_fen", sa.BigInteger(), nullable=True),
    sa.Column("new_amount_fen", sa.BigInteger(), nullable=True),
    sa.Column("old_status", sa.String(16), nullable=True),
    sa.Column("new_status", sa.String(16), nullable=True),
    sa.Column("old_state", sa.String(16), nullable=True),
    sa.Column("new_state", sa.String(16), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("changed_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Index("ix_entitlement_changes_entitlement_id", "entitlement_id"),
    comment="待遇变更记录",
)

match_runs = sa.Table(
    "match_runs",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("month_from", sa.Date(), nullable=False),
    sa.Column("month_to", sa.Date(), nullable=False),
    sa.Column("started_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("finished_at", TIMESTAMP, nullable=True),
    sa.Column("chunks_total", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("chunks_done", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("state", sa.String(16), nullable=False, comment="running | finished"),
    sa.Column("started_by", sa.Text(), nullable=False),
    sa.Column("inserted", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("changed", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("withdrawn", sa.Integer(), nullable=False, server_default="0"),
    comment="匹配运行",
)

match_digests = sa.Table(
    "match_digests",
    metadata,
    sa.Column("chunk_key", sa.String(64), primary_key=True, comment="批次键（政策与人员）"),
    sa.Column("digest", sa.String(64), nullable=False, comment="输入摘要"),
    sa.Column("lines", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("run_id", sa.BigInteger(), nullable=True),
    sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    comment="匹配批次输入摘要",
)

policy_settings = sa.Table(
    "policy_settings",
    metadata,
    sa.Column("policy", sa.String(16), primary_key=True),
    sa.Column("auto", sa.Boolean(), nullable=False, comment="免申即享"),
    sa.Column("set_by", sa.Text(), nullable=False),
    sa.Column("set_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    comment="政策设置（免申即享）",
)

payment_batches = sa.Table(
    "payment_batches",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("month", sa.Date(), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Column("csv_path", sa.Text(), nullable=True),
    sa.Column("xlsx_path", sa.Text(), nullable=True),
    sa.Column("lines", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("total_fen", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("checksum", sa.String(64), nullable=True),
    sa.Column("state", sa.String(16), nullable=False, comment="open | paid"),
    comment="发放批次",
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.BigInteger(), sa.ForeignKey("payment_batches.id"), nullable=False),
    sa.Column("entitlement_id", sa.BigInteger(), sa.ForeignKey("entitlements.id"), nullable=False),
    sa.Column("policy", sa.String(16), nullable=False),
    sa.Column("beneficiary", sa.Text(), nullable=False),
    sa.Column("subject", sa.Text(), nullable=False),
    sa.Column("month", sa.Date(), nullable=False),
    sa.Column("amount_fen", sa.BigInteger(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, comment="paid | reversed"),
    sa.Column("paid_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("reversed_at", TIMESTAMP, nullable=True),
    sa.Column("reversed_by", sa.Text(), nullable=True),
    sa.Column("reversal_reason", sa.Text(), nullable=True),
    sa.UniqueConstraint("entitlement_id", name="uq_payments_entitlement_id"),
    sa.Index("ix_payments_batch_id", "batch_id"),
    comment="发放记录",
)
sa.Index(
    "uq_payments_line_active",
    payments.c.policy, payments.c.beneficiary, payments.c.subject, payments.c.month,
    unique=True,
    postgresql_where=payments.c.state != "reversed",
    sqlite_where=payments.c.state != "reversed",
)  # fmt: skip


def _declare_exports() -> None:
    # jiuye export / jiuye tables see the ledger's tables as soon as its models are loaded
    from jiuye.ledger.exports import register_exports

    register_exports()


_declare_exports()
