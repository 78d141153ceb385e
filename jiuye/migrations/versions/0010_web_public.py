"""web for residents and employers: accounts, sessions, applications and their files, public notices,
意愿确认 (entitlement confirmations and the per-measure setting)

Revision ID: 0010_web_public
Revises: 0009_web_staff
Create Date: 2026-11-30

Written from jiuye.applications.models and jiuye.ledger.models, then frozen: later changes need a new
revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_web_public"
down_revision: str | None = "0009_web_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="resident 个人 | employer 单位"),
        sa.Column("identifier", sa.String(length=18), nullable=False, comment="公民身份号码或统一社会信用代码"),
        sa.Column("name", sa.Text(), nullable=False, comment="姓名或单位名称"),
        sa.Column("phone", sa.String(length=11), nullable=False, comment="手机号码"),
        sa.Column("password_hash", sa.Text(), nullable=True, comment="argon2 密码哈希（外部身份认证时为空）"),
        sa.Column("provider", sa.String(length=32), nullable=False, comment="身份认证方式"),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
        sa.UniqueConstraint("identifier", name="uq_applicants_identifier"),
        comment="群众和用人单位账号",
    )
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
    op.create_table(
        "applications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("applicant_id", sa.BigInteger(), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False, comment="政策编号"),
        sa.Column("state", sa.String(length=16), nullable=False, comment="draft|submitted|approved|rejected|withdrawn"),
        sa.Column("fields", sa.JSON(), nullable=False, comment="申请表填写内容"),
        sa.Column("approved_amount_fen", sa.BigInteger(), nullable=True, comment="核准金额（分）"),
        sa.Column("month", sa.Date(), nullable=True, comment="核准后待遇所属月份"),
        sa.Column("entitlement_id", sa.BigInteger(), nullable=True),
        sa.Column("reviewer", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True, comment="审核理由（申请人可见）"),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"], name=op.f("fk_applications_applicant_id_applicants")),
        sa.ForeignKeyConstraint(["entitlement_id"], ["entitlements.id"],
                                name=op.f("fk_applications_entitlement_id_entitlements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        comment="点单式申请",
    )  # fmt: skip
    op.create_index("ix_applications_applicant_id", "applications", ["applicant_id"])
    op.create_index("ix_applications_state_policy", "applications", ["state", "policy"])
    op.create_table(
        "application_files",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False, comment="对应的申请材料项"),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False, comment="按文件内容识别的类型"),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False, comment="存储文件名（随机）"),
        sa.Column("uploaded_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_application_files_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_files")),
        comment="申请材料",
    )  # fmt: skip
    op.create_index("ix_application_files_application_id", "application_files", ["application_id"])
    op.create_table(
        "notices",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_from", sa.Date(), nullable=False),
        sa.Column("published_to", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["payment_batches.id"], name=op.f("fk_notices_batch_id_payment_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("batch_id", name="uq_notices_batch_id"),
        comment="资金公示",
    )  # fmt: skip
    op.create_table(
        "entitlement_confirmations",
        sa.Column("entitlement_id", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False, comment="confirmed 确认领取 | declined 放弃"),
        sa.Column("bank_account", sa.String(length=32), nullable=True, comment="本人指定的收款账号"),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["entitlement_id"], ["entitlements.id"],
                                name=op.f("fk_entitlement_confirmations_entitlement_id_entitlements")),
        sa.PrimaryKeyConstraint("entitlement_id", name=op.f("pk_entitlement_confirmations")),
        comment="免申即享意愿确认",
    )  # fmt: skip
    with op.batch_alter_table("policy_settings") as batch:
        batch.add_column(sa.Column("confirm", sa.Boolean(), server_default=sa.false(), nullable=False,
                                   comment="免申即享须本人意愿确认后才发放"))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("policy_settings") as batch:
        batch.drop_column("confirm")
    op.drop_table("entitlement_confirmations")
    op.drop_table("notices")
    op.drop_index("ix_application_files_application_id", table_name="application_files")
    op.drop_table("application_files")
    op.drop_index("ix_applications_state_policy", table_name="applications")
    op.drop_index("ix_applications_applicant_id", table_name="applications")
    op.drop_table("applications")
    op.drop_index("ix_applicant_sessions_applicant_id", table_name="applicant_sessions")
    op.drop_table("applicant_sessions")
    op.drop_table("applicants")
