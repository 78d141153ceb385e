"""matching: per-chunk digests of the inputs a chunk was last reconciled from

Revision ID: 0004_match_digests
Revises: 0003_supervision
Create Date: 2026-11-22

A re-run of ``jiuye match`` skips a chunk whose inputs (code, parameters, window, measures, persons,
registry facts, payments) hash to the digest stored when the chunk was last reconciled: the same inputs
give the same lines, and reconciling the same lines again changes nothing.  Written from
jiuye.ledger.models and then frozen: later changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_match_digests"
down_revision: str | None = "0003_supervision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "match_digests",
        sa.Column("chunk_key", sa.String(length=64), nullable=False, comment="批次键（政策与人员）"),
        sa.Column("digest", sa.String(length=64), nullable=False, comment="输入摘要"),
        sa.Column("lines", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("chunk_key", name=op.f("pk_match_digests")),
        comment="匹配批次输入摘要",
    )


def downgrade() -> None:
    op.drop_table("match_digests")
