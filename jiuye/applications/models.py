"""Tables of the applications room: residents' and employers' accounts (their sessions are the accounts
room's ``sessions``, kind ``applicant``), applications and
their uploaded files, the public notices of paid batches and the concerns reported on them.

Uploaded files are stored outside the web root (``$JIUYE_FILES_DIR/uploads``), named by a random key;
the table keeps the original name (shown to the applicant and the reviewer only), the type detected
from the content, the size and the SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.db.metadata import ID_TYPE, TIMESTAMP, metadata

APPLICANT_KINDS = ("resident", "employer")
APPLICATION_STATES = ("draft", "submitted", "approved", "rejected", "withdrawn")

applicants = sa.Table(
    "applicants",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False, comment="resident 个人 | employer 单位"),
    sa.Column("identifier", sa.String(18), nullable=False, comment="公民身份号码或统一社会信用代码"),
    sa.Column("name", sa.Text(), nullable=False, comment="姓名或单位名称"),
    sa.Column("phone", sa.String(11), nullable=False, comment="手机号码"),
    sa.Column("password_hash", sa.Text(), nullable=True, comment="argon2 密码哈希（外部身份认证时为空）"),
    sa.Column("provider", sa.String(32), nullable=False, comment="身份认证方式"),
    sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locked_until", TIMESTAMP, nullable=True),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.UniqueConstraint("identifier", name="uq_applicants_identifier"),
    comment="群众和用人单位账号",
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("applicant_id", sa.BigInteger(), sa.ForeignKey("applicants.id"), nullable=False),
    sa.Column("policy", sa.String(16), nullable=False, comment="政策编号"),
    sa.Column("state", sa.String(16), nullable=False, comment="draft|submitted|approved|rejected|withdrawn"),
    sa.Column("fields", sa.JSON(), nullable=False, comment="申请表填写内容"),
    sa.Column("approved_amount_fen", sa.BigInteger(), nullable=True, comment="核准金额（分）"),
    sa.Column("month", sa.Date(), nullable=True, comment="核准后待遇所属月份"),
    sa.Column("entitlement_id", sa.BigInteger(), sa.ForeignKey("entitlements.id"), nullable=True),
    sa.Column("reviewer", sa.Text(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True, comment="审核理由（申请人可见）"),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("submitted_at", TIMESTAMP, nullable=True),
    sa.Column("decided_at", TIMESTAMP, nullable=True),
    sa.Index("ix_applications_applicant_id", "applicant_id"),
    sa.Index("ix_applications_state_policy", "state", "policy"),
    comment="点单式申请",
)

application_files = sa.Table(
    "application_files",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("application_id", sa.BigInteger(), sa.ForeignKey("applications.id"), nullable=False),
    sa.Column("field", sa.String(64), nullable=False, comment="对应的申请材料项"),
    sa.Column("original_name", sa.Text(), nullable=False),
    sa.Column("content_type", sa.String(32), nullable=False, comment="按文件内容识别的类型"),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("stored_name", sa.String(64), nullable=False, comment="存储文件名（随机）"),
    sa.Column("uploaded_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Index("ix_application_files_application_id", "application_id"),
    comment="申请材料",
)

notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.BigInteger(), sa.ForeignKey("payment_batches.id"), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("published_from", sa.Date(), nullable=False),
    sa.Column("published_to", sa.Date(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.UniqueConstraint("batch_id", name="uq_notices_batch_id"),
    comment="资金公示",
)
