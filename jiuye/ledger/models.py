"""Tables of the ledger: entitlements and their changes, per-measure settings, payment batches, payments.

(Matching's own tables, ``match_runs`` and ``match_digests``, are in :mod:`jiuye.matching.models`.)

Money is BIGINT fen.  ``entitlements.amount_fen`` is null while the amount is pending (G6).
``payments`` carries partial unique indexes on (policy, beneficiary, subject, month) and on the
entitlement among payments in state ``paid``: the database itself refuses to pay a line twice; a
reversal (clawback) or a bank return frees the key again.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.keys import Anchor
from jiuye.audit.models import audit_events
from jiuye.audit.service import anchor_source
from jiuye.db.metadata import ID_TYPE, TIMESTAMP, audit_columns, metadata
from jiuye.registry import models as registry_models
from jiuye.registry import schema
from jiuye.registry.schema import Column, Table

ENTITLEMENT_STATES = (
    "found", "approved", "review", "rejected", "in_batch", "paid", "returned", "reversed", "withdrawn",
)  # fmt: skip
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
    sa.Column("amount_status", sa.String(16), nullable=False, comment="payable | amount_pending"),
    sa.Column(
        "state",
        sa.String(16),
        nullable=False,
        comment="found|approved|rejected|in_batch|paid|reversed|withdrawn",
    ),
    sa.Column("explanation", sa.JSON(), nullable=True, comment="依据（可按需重算）"),
    sa.Column("first_found_run", sa.BigInteger(), nullable=True),
    sa.Column("last_run", sa.BigInteger(), nullable=True),
    sa.Column("approved_seal", sa.String(64), nullable=True, comment="核准时的金额封签"),
    sa.Column("review_reason", sa.Text(), nullable=True, comment="退回复核的原因"),
    *audit_columns(),
    sa.Column("fact_fingerprint", sa.BigInteger(), nullable=True, comment="匹配时所依据事实的指纹（空=未知，不比对）"),
    sa.Column("origin", sa.String(16), nullable=False, server_default="match",
              comment="match 主动匹配 | application 依申请核准"),
    sa.UniqueConstraint("policy", "beneficiary", "subject", "month", name="uq_entitlements_key"),
    sa.Index("ix_entitlements_state_month", "state", "month"),
    sa.Index("ix_entitlements_subject", "subject"),
    sa.Index("ix_entitlements_state_id", "state", "id"),  # the review queue: one state, in id order, by pages
    sa.Index("ix_entitlements_policy_state_id", "policy", "state", "id"),  # … of one measure
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

# the facts behind the lines of one (measure, subject) when matching last computed them: what each condition
# compared, as its explanation shows it (a JSON object, condition → value; one per candidate unit, one per
# line of text).  ``fingerprint`` is stored on every line (``entitlements.fact_fingerprint``); when it
# changes, an approved line goes back to review and this text says which facts changed, old and new.
entitlement_facts = sa.Table(
    "entitlement_facts",
    metadata,
    sa.Column("policy", sa.String(16), primary_key=True, comment="政策编号"),
    sa.Column("subject", sa.Text(), primary_key=True, comment="对象"),
    sa.Column("fingerprint", sa.BigInteger(), nullable=False, comment="事实指纹"),
    sa.Column("facts", sa.Text(), nullable=False, comment="各条件比对的取值（JSON）"),
    sa.Column("run_id", sa.BigInteger(), nullable=True),
    sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    comment="待遇所依据的事实（最近一次匹配）",
)

policy_settings = sa.Table(
    "policy_settings",
    metadata,
    sa.Column("policy", sa.String(16), primary_key=True),
    sa.Column("auto", sa.Boolean(), nullable=False, comment="免申即享"),
    sa.Column("confirm", sa.Boolean(), nullable=False, server_default=sa.false(),
              comment="免申即享须本人意愿确认后才发放"),
    sa.Column("set_by", sa.Text(), nullable=False),
    sa.Column("set_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    comment="政策设置（免申即享）",
)

entitlement_confirmations = sa.Table(
    "entitlement_confirmations",
    metadata,
    sa.Column("entitlement_id", sa.BigInteger(), sa.ForeignKey("entitlements.id"), primary_key=True),
    sa.Column("decision", sa.String(16), nullable=False, comment="confirmed 确认领取 | declined 放弃"),
    sa.Column("bank_account", sa.String(32), nullable=True, comment="本人指定的收款账号"),
    sa.Column("decided_by", sa.Text(), nullable=False),
    sa.Column("decided_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    comment="免申即享意愿确认",
)

bureau_settings = sa.Table(
    "bureau_settings",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True, comment="设置名称，如 district"),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("set_by", sa.Text(), nullable=False),
    sa.Column("set_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    comment="本局部署设置（如本局所在区：jinshan | chongming | all）",
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
    sa.Column("audit_seq", sa.BigInteger(), nullable=True, comment="创建时审计链末端序号"),
    sa.Column("audit_hash", sa.String(64), nullable=True, comment="创建时审计链末端哈希"),
    sa.Column("file_token", sa.String(32), nullable=True, comment="发放文件标识"),
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
    sa.Column("bank_account", sa.Text(), nullable=True, comment="发放账号"),
    sa.Column("returned_at", TIMESTAMP, nullable=True),
    sa.Column("return_reason", sa.Text(), nullable=True),
    sa.Index("ix_payments_batch_id", "batch_id"),
    comment="发放记录",
)
sa.Index(
    "uq_payments_line_active",
    payments.c.policy, payments.c.beneficiary, payments.c.subject, payments.c.month,
    unique=True,
    postgresql_where=payments.c.state == "paid",
    sqlite_where=payments.c.state == "paid",
)  # fmt: skip
# one *paid* payment per entitlement: a bank return (state returned) may be followed by a new payment
sa.Index(
    "uq_payments_entitlement_paid", payments.c.entitlement_id, unique=True,
    postgresql_where=payments.c.state == "paid", sqlite_where=payments.c.state == "paid",
)  # fmt: skip


# --- export: ``jiuye export entitlements …`` and ``jiuye tables`` ------------------------------------
# The ledger tables are written only by the ledger services; declaring them here makes them visible to
# the registry's generic export as soon as these models are loaded (beneficiary and subject ID numbers
# are masked unless ``--unmasked``).  The stored tables are the ones above and
# :mod:`jiuye.audit.models`, not tables built from these declarations.

EXPORTS: tuple[Table, ...] = (
    Table(
        "entitlements", "应享待遇", key=("policy", "beneficiary", "subject", "month"),
        columns=(
            Column("id", "int", "待遇编号"),
            Column("policy", "str", "政策编号", required=True),
            Column("beneficiary", "str", "受益人", required=True, id_number=True),
            Column("subject", "str", "对象", required=True, id_number=True),
            Column("month", "month", "月份", required=True),
            Column("amount_fen", "money", "金额（元）"),
            Column("amount_status", "str", "金额状态", required=True),
            Column("state", "str", "办理状态", required=True),
            Column("first_found_run", "int", "首次发现的匹配运行"),
            Column("last_run", "int", "最近变更的匹配运行"),
        ),
        description="主动匹配发现的应享待遇（台账）；只由匹配、核准、发放、追回写入", importable=False,
    ),
    Table(
        "payments", "发放记录", key=("id",),
        columns=(
            Column("id", "int", "发放编号", required=True),
            Column("batch_id", "int", "批次编号", required=True),
            Column("entitlement_id", "int", "待遇编号", required=True),
            Column("policy", "str", "政策编号", required=True),
            Column("beneficiary", "str", "受益人", required=True, id_number=True),
            Column("subject", "str", "对象", required=True, id_number=True),
            Column("month", "month", "月份", required=True),
            Column("amount_fen", "money", "金额（元）", required=True),
            Column("state", "str", "状态", required=True),
            Column("reversal_reason", "str", "追回理由", mask="text"),
        ),
        description="每笔发放；追回后状态为 reversed", importable=False,
    ),
    Table(
        "audit_events", "审计日志", key=("seq",),
        columns=(
            Column("seq", "int", "序号", required=True),
            Column("actor", "str", "操作人", required=True),
            Column("action", "str", "操作", required=True),
            Column("entity", "str", "对象表", required=True),
            Column("entity_id", "str", "对象编号", mask="text"),
            Column("old_state", "str", "原状态"),
            Column("new_state", "str", "新状态"),
            Column("reason", "str", "理由", mask="text"),
            Column("prev_hash", "str", "前序哈希", required=True),
            Column("hash", "str", "哈希", required=True),
        ),
        description="只追加、哈希链接的审计日志（jiuye audit verify 校验）", importable=False,
    ),
)  # fmt: skip


def register_exports() -> None:
    """Declare the ledger tables for export (idempotent)."""
    stored = {"entitlements": entitlements, "payments": payments, "audit_events": audit_events}
    for table in EXPORTS:
        registry_models.TABLES[table.name] = stored[table.name]
        schema.register(table)


register_exports()


@anchor_source
def _batch_anchors(session: Session) -> list[Anchor]:
    """The audit heads payment batches recorded at creation (checked by ``jiuye audit verify``)."""
    from jiuye.ledger.service import batch_anchors

    return batch_anchors(session)
