"""Tables matching writes for itself: its runs (progress, resumable) and the per-chunk input digests.

The lines it finds are the ledger's (``entitlements``), written through :func:`jiuye.ledger.reconcile.reconcile`.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.db.metadata import ID_TYPE, TIMESTAMP, metadata

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
    sa.Column("fingerprint", sa.String(64), nullable=True, comment="开始时登记库指纹"),
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
