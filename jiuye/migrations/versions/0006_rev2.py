"""catalog revision 2: deregistration dates (G13) and the bureau's own district (G12)

Revision ID: 0006_rev2
Revises: 0007_money_safety
Create Date: 2026-11-30

``employers.deregistered_on`` and ``organizations.deregistered_on`` let the rules stop an employer's or an
organisation's lines after the month it was deregistered (G13) and let supervision's
``after_deregistration`` check fire.  ``bureau_settings`` holds deployment settings, first of all the
bureau's own district (``jiuye settings district jinshan|chongming|all``), which ``match`` uses so a
Chongming bureau never matches Jinshan's document (G12).  Written from jiuye.registry.schema and
jiuye.ledger.models and then frozen: later changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_rev2"
down_revision: str | None = "0007_money_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(sa.Column("deregistered_on", sa.Date(), nullable=True, comment="注销日期"))
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("deregistered_on", sa.Date(), nullable=True, comment="注销日期"))
    op.create_table(
        "bureau_settings",
        sa.Column("name", sa.String(length=32), nullable=False, comment="设置名称，如 district"),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", TS, server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_bureau_settings")),
        comment="本局部署设置（如本局所在区：jinshan | chongming | all）",
    )


def downgrade() -> None:
    op.drop_table("bureau_settings")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("deregistered_on")
    with op.batch_alter_table("employers") as batch:
        batch.drop_column("deregistered_on")
