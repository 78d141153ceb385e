"""one session table for staff and applicants (issue 13): ``sessions`` replaces ``staff_sessions`` and
``applicant_sessions``, which had the same shape; ``kind`` (staff | applicant) says which table
``subject_id`` names.  Open sessions are carried over, so nobody is logged out by the upgrade.

Revision ID: 0013_sessions
Revises: 0011_fact_fingerprint
Create Date: 2026-11-30

Written from jiuye.accounts.models, then frozen: later changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_sessions"
down_revision: str | None = "0011_fact_fingerprint"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
COMMON = "token_hash, csrf_token, created_at, last_seen_at, revoked_at"


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="会话令牌的 SHA-256"),
        sa.Column("kind", sa.String(length=16), nullable=False,
                  comment="staff 工作人员（staff_users）| applicant 群众和单位（applicants）"),
        sa.Column("subject_id", sa.BigInteger(), nullable=False, comment="staff_users.id 或 applicants.id（按 kind）"),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("client", sa.Text(), nullable=True, comment="登录地址"),
        sa.CheckConstraint("kind IN ('staff', 'applicant')", name=op.f("ck_sessions_kind")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
        comment="会话（工作人员、群众和用人单位）",
    )  # fmt: skip
    op.create_index("ix_sessions_kind_subject_id", "sessions", ["kind", "subject_id"])
    op.execute(f"INSERT INTO sessions ({COMMON}, kind, subject_id, client) "
               f"SELECT {COMMON}, 'staff', user_id, client FROM staff_sessions")  # fmt: skip
    op.execute(f"INSERT INTO sessions ({COMMON}, kind, subject_id, client) "
               f"SELECT {COMMON}, 'applicant', applicant_id, NULL FROM applicant_sessions")  # fmt: skip
    op.drop_index("ix_staff_sessions_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_index("ix_applicant_sessions_applicant_id", table_name="applicant_sessions")
    op.drop_table("applicant_sessions")


def downgrade() -> None:
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
        "applicant_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="会话令牌的 SHA-256"),
        sa.Column("applicant_id", sa.BigInteger(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"],
                                name=op.f("fk_applicant_sessions_applicant_id_applicants")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_applicant_sessions")),
        comment="群众和用人单位会话",
    )  # fmt: skip
    op.create_index("ix_applicant_sessions_applicant_id", "applicant_sessions", ["applicant_id"])
    op.execute(f"INSERT INTO staff_sessions ({COMMON}, user_id, client) "
               f"SELECT {COMMON}, subject_id, client FROM sessions WHERE kind = 'staff'")  # fmt: skip
    op.execute(f"INSERT INTO applicant_sessions ({COMMON}, applicant_id) "
               f"SELECT {COMMON}, subject_id FROM sessions WHERE kind = 'applicant'")  # fmt: skip
    op.drop_index("ix_sessions_kind_subject_id", table_name="sessions")
    op.drop_table("sessions")
