"""Facts behind a line (issue 9 item 5) and where a line came from (issue 13)

- ``entitlements.fact_fingerprint``: a hash of the facts behind the line when matching last computed it
  (the values each condition of its measure compared, as the explanation shows them); NULL = unknown
  (lines stored before this revision, lines granted from an application): never flagged;
- ``entitlement_facts``: those facts, readable, once per (measure, subject), so that a changed fingerprint
  can say which facts changed, old and new;
- ``entitlements.origin``: ``match`` (found by matching) or ``application`` (granted by a reviewer from an
  application — matching never withdraws or changes it).  Existing granted lines are found by their
  ``grant`` audit event.

Revision ID: 0011_fact_fingerprint
Revises: 0010_web_public
Create Date: 2026-11-30

Written from jiuye.ledger.models, then frozen: later changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_fact_fingerprint"
down_revision: str | None = "0010_web_public"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("entitlements") as b:
        b.add_column(sa.Column("fact_fingerprint", sa.BigInteger(), nullable=True,
                               comment="匹配时所依据事实的指纹（空=未知，不比对）"))  # fmt: skip
        b.add_column(sa.Column("origin", sa.String(length=16), server_default="match", nullable=False,
                               comment="match 主动匹配 | application 依申请核准"))  # fmt: skip
    op.execute(
        "UPDATE entitlements SET origin = 'application' WHERE CAST(id AS VARCHAR(32)) IN "
        "(SELECT entity_id FROM audit_events WHERE entity = 'entitlements' AND action = 'grant')"
    )
    op.create_table(
        "entitlement_facts",
        sa.Column("policy", sa.String(length=16), nullable=False, comment="政策编号"),
        sa.Column("subject", sa.Text(), nullable=False, comment="对象"),
        sa.Column("fingerprint", sa.BigInteger(), nullable=False, comment="事实指纹"),
        sa.Column("facts", sa.Text(), nullable=False, comment="各条件比对的取值（JSON）"),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("policy", "subject", name=op.f("pk_entitlement_facts")),
        comment="待遇所依据的事实（最近一次匹配）",
    )


def downgrade() -> None:
    op.drop_table("entitlement_facts")
    with op.batch_alter_table("entitlements") as b:
        b.drop_column("origin")
        b.drop_column("fact_fingerprint")
