"""Tables of the accounts room: ``staff_users`` and ``sessions`` (server-side, revocable; staff and applicants)."""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.db.metadata import ID_TYPE, TIMESTAMP, metadata

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, comment="登录名"),
    sa.Column("display_name", sa.Text(), nullable=False, comment="姓名"),
    sa.Column("password_hash", sa.Text(), nullable=False, comment="argon2 密码哈希"),
    sa.Column("role", sa.String(32), nullable=False, comment="角色"),
    sa.Column("district", sa.String(32), nullable=False, comment="所属区"),
    sa.Column("town", sa.Text(), nullable=True, comment="所属街镇（空 = 全区）"),
    sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locked_until", TIMESTAMP, nullable=True),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.UniqueConstraint("username", name="uq_staff_users_username"),
    comment="工作人员账号",
)

# one table for every session (migration 0013_sessions merged staff_sessions and applicant_sessions):
# ``kind`` says which table ``subject_id`` names, so it cannot be a foreign key; users and applicants are
# disabled, never deleted, and jiuye.accounts.sessions.resolver reads the subject with the session on every request
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True, comment="会话令牌的 SHA-256"),
    sa.Column("kind", sa.String(16), nullable=False, comment="staff 工作人员（staff_users）| applicant 群众和单位（applicants）"),
    sa.Column("subject_id", sa.BigInteger(), nullable=False, comment="staff_users.id 或 applicants.id（按 kind）"),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("last_seen_at", TIMESTAMP, nullable=False),
    sa.Column("revoked_at", TIMESTAMP, nullable=True),
    sa.Column("client", sa.Text(), nullable=True, comment="登录地址"),
    sa.CheckConstraint("kind IN ('staff', 'applicant')", name="kind"),
    sa.Index("ix_sessions_kind_subject_id", "kind", "subject_id"),
    comment="会话（工作人员、群众和用人单位）",
)


def _scope_indexes() -> None:
    """Indexes the scoped pages need (revision 0009): the review queue pages by (state, policy, month)
    over a million-line ledger; a town account filters persons by (户籍区, 户籍街镇)."""
    from jiuye.ledger.models import entitlements
    from jiuye.registry.models import TABLES

    sa.Index("ix_entitlements_state_policy_month", entitlements.c.state, entitlements.c.policy,
             entitlements.c.month, entitlements.c.id)  # fmt: skip
    persons = TABLES["persons"]
    sa.Index("ix_persons_hukou_district_hukou_town", persons.c.hukou_district, persons.c.hukou_town)


_scope_indexes()
