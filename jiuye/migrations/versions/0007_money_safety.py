"""money safety (issue 9): approval seals, bank returns, payment-file records, match fingerprints, audit guard

Revision ID: 0007_money_safety
Revises: 0005_house
Create Date: 2026-11-30

- ``entitlements.approved_seal``: HMAC (chain key, outside the database) of the line as approved; ``pay``
  refuses a line whose stored amount no longer matches it.
- ``entitlements.review_reason``: why a line went back to review (amount changed, no longer found, …).
- ``payment_batches``: the audit head at creation (``audit_seq``, ``audit_hash``) and ``file_token`` (the
  random token written into the batch's payment files: a file is the batch's only if both match).
- ``payments.bank_account``: the account paid to (a bank return is payable again only to another one);
  one *paid* payment per entitlement and per line key (a returned payment may be followed by a new one).
- ``match_runs.fingerprint``: the registry fingerprint a run started with (a resumed run whose registry
  changed re-evaluates every chunk).
- the audit chain key is created outside the database by the audit room's upgrade hook (events written
  before it stay plain SHA-256).
- PostgreSQL: triggers refuse UPDATE, DELETE and TRUNCATE of ``audit_events`` and moving ``audit_head``
  backwards or deleting it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_money_safety"
down_revision: str | None = "0005_house"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_GUARD = """
CREATE OR REPLACE FUNCTION jiuye_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%）', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION jiuye_audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION jiuye_audit_append_only();
CREATE OR REPLACE FUNCTION jiuye_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN
    RAISE EXCEPTION '审计链末端只能前移（%）', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION jiuye_audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION jiuye_audit_append_only();
"""

PG_UNGUARD = """
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head;
DROP TRIGGER IF EXISTS audit_head_forward ON audit_head;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
DROP FUNCTION IF EXISTS jiuye_audit_head_forward();
DROP FUNCTION IF EXISTS jiuye_audit_append_only();
"""


def upgrade() -> None:
    with op.batch_alter_table("entitlements") as b:
        b.add_column(sa.Column("approved_seal", sa.String(length=64), nullable=True, comment="核准时的金额封签"))
        b.add_column(sa.Column("review_reason", sa.Text(), nullable=True, comment="退回复核的原因"))
    with op.batch_alter_table("payment_batches") as b:
        b.add_column(sa.Column("audit_seq", sa.BigInteger(), nullable=True, comment="创建时审计链末端序号"))
        b.add_column(sa.Column("audit_hash", sa.String(length=64), nullable=True, comment="创建时审计链末端哈希"))
        b.add_column(sa.Column("file_token", sa.String(length=32), nullable=True, comment="发放文件标识"))
    with op.batch_alter_table("payments") as b:
        b.add_column(sa.Column("bank_account", sa.Text(), nullable=True, comment="发放账号"))
        b.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("return_reason", sa.Text(), nullable=True))
        b.drop_constraint("uq_payments_entitlement_id", type_="unique")
    op.drop_index("uq_payments_line_active", table_name="payments")
    op.create_index(
        "uq_payments_line_active", "payments", ["policy", "beneficiary", "subject", "month"], unique=True,
        postgresql_where=sa.text("state = 'paid'"), sqlite_where=sa.text("state = 'paid'"),
    )  # fmt: skip
    op.create_index(
        "uq_payments_entitlement_paid", "payments", ["entitlement_id"], unique=True,
        postgresql_where=sa.text("state = 'paid'"), sqlite_where=sa.text("state = 'paid'"),
    )  # fmt: skip
    with op.batch_alter_table("match_runs") as b:
        b.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True, comment="开始时登记库指纹"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_UNGUARD)
    with op.batch_alter_table("match_runs") as b:
        b.drop_column("fingerprint")
    op.drop_index("uq_payments_entitlement_paid", table_name="payments")
    op.drop_index("uq_payments_line_active", table_name="payments")
    op.create_index(
        "uq_payments_line_active", "payments", ["policy", "beneficiary", "subject", "month"], unique=True,
        postgresql_where=sa.text("state != 'reversed'"), sqlite_where=sa.text("state != 'reversed'"),
    )  # fmt: skip
    with op.batch_alter_table("payments") as b:
        b.create_unique_constraint("uq_payments_entitlement_id", ["entitlement_id"])
        b.drop_column("return_reason")
        b.drop_column("returned_at")
        b.drop_column("bank_account")
    with op.batch_alter_table("payment_batches") as b:
        b.drop_column("file_token")
        b.drop_column("audit_hash")
        b.drop_column("audit_seq")
    with op.batch_alter_table("entitlements") as b:
        b.drop_column("review_reason")
        b.drop_column("approved_seal")
