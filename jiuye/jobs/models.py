"""``jobs``: background work started from the web."""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.audit.labels import declare_states
from jiuye.db.metadata import ID_TYPE, TIMESTAMP, metadata

JOB_STATES = ("queued", "running", "done", "failed")
STATE_LABELS = declare_states("jobs", {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"})

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False, comment="任务类型"),
    sa.Column("lock_key", sa.String(64), nullable=True, comment="同一键同时只能有一个任务"),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, comment="queued|running|done|failed"),
    sa.Column("progress", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("message", sa.Text(), nullable=True),
    sa.Column("result", sa.JSON(), nullable=True),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Column("user_id", sa.BigInteger(), nullable=False),
    sa.Column("district", sa.String(32), nullable=False),
    sa.Column("town", sa.Text(), nullable=True),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("started_at", TIMESTAMP, nullable=True),
    sa.Column("finished_at", TIMESTAMP, nullable=True),
    sa.Column("heartbeat_at", TIMESTAMP, nullable=True),
    sa.Index("ix_jobs_state", "state"),
    comment="后台任务",
)
