"""web for staff: accounts, server-side sessions, background jobs, dated parameter values

Revision ID: 0009_web_staff
Revises: 0006_rev2
Create Date: 2026-11-30

Written from jiuye.accounts.models, jiuye.jobs.models and jiuye.parameters.models, then frozen: later
changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_web_staff"
down_revision: str | None = "0006_rev2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False, comment="登录名"),
        sa.Column("display_name", sa.Text(), nullable=False, comment="姓名"),
        sa.Column("password_hash", sa.Text(), nullable=False, comment="argon2 密码哈希"),
        sa.Column("role", sa.String(length=32), nullable=False, comment="角色"),
        sa.Column("district", sa.String(length=32), nullable=False, comment="所属区"),
        sa.Column("town", sa.Text(), nullable=True, comment="所属街镇（空 = 全区）"),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
        comment="工作人员账号",
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="会话令牌的 SHA-256"),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("client", sa.Text(), nullable=True, comment="登录地址"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
        comment="工作人员会话",
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "jobs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="任务类型"),
        sa.Column("lock_key", sa.String(length=64), nullable=True, comment="同一键同时只能有一个任务"),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, comment="queued|running|done|failed"),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("town", sa.Text(), nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("heartbeat_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        comment="后台任务",
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_table(
        "parameter_values",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False, comment="政策编号"),
        sa.Column("name", sa.String(length=64), nullable=False, comment="参数"),
        sa.Column("since", sa.Date(), nullable=False, comment="生效日期"),
        sa.Column("value_text", sa.Text(), nullable=False, comment="参数值（精确十进制文本）"),
        sa.Column("source", sa.Text(), nullable=False, comment="依据（文件、条款）"),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_values")),
        sa.UniqueConstraint("measure", "name", "since", name="uq_parameter_values_key"),
        comment="参数设定（按日期生效）",
    )
    # the review queue pages by (state, policy, month) over a million-line ledger
    op.create_index("ix_entitlements_state_policy_month", "entitlements", ["state", "policy", "month", "id"])
    op.create_index("ix_persons_hukou_district_hukou_town", "persons", ["hukou_district", "hukou_town"])


def downgrade() -> None:
    op.drop_index("ix_persons_hukou_district_hukou_town", table_name="persons")
    op.drop_index("ix_entitlements_state_policy_month", table_name="entitlements")
    op.drop_table("parameter_values")
    op.drop_index("ix_jobs_state", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_staff_sessions_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
