"""supervision: flags (资金监管疑点)

Revision ID: 0003_supervision
Revises: 0002_ledger
Create Date: 2026-11-22

Issue 4 part 3 (fund supervision).  Written from jiuye.supervision.models and then frozen: later changes
need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_supervision"
down_revision: str | None = "0002_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "flags",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("check", sa.String(length=32), nullable=False, comment="检查项"),
        sa.Column("clause", sa.Text(), nullable=False, comment="依据条款"),
        sa.Column("district", sa.String(length=32), nullable=True, comment="所属区"),
        sa.Column("subject_kind", sa.String(length=32), nullable=False, comment="对象类型"),
        sa.Column("subject_id", sa.Text(), nullable=False, comment="对象"),
        sa.Column("related_ids", sa.Text(), nullable=True, comment="关联对象"),
        sa.Column("month", sa.Date(), nullable=True, comment="月份"),
        sa.Column("flag_key", sa.Text(), nullable=False, comment="疑点键"),
        sa.Column("detail", sa.Text(), nullable=False, comment="疑点说明"),
        sa.Column("severity", sa.String(length=16), nullable=False, comment="严重程度"),
        sa.Column("state", sa.String(length=16), nullable=False, comment="状态"),
        sa.Column("raised_on", sa.Date(), nullable=False, comment="发现日期"),
        sa.Column("run_id", sa.String(length=64), nullable=False, comment="发现批次"),
        sa.Column("last_run_id", sa.String(length=64), nullable=False, comment="最近检出批次"),
        sa.Column("reviewed_by", sa.Text(), nullable=True, comment="复核人"),
        sa.Column("review_reason", sa.Text(), nullable=True, comment="复核意见"),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
        sa.UniqueConstraint("check", "subject_kind", "subject_id", "flag_key", name="uq_flags_key"),
        comment="资金监管疑点",
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index("ix_flags_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_state")
    op.drop_table("flags")
