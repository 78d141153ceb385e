"""house: entitlements.status renamed amount_status (it no longer sits beside state)

Revision ID: 0005_house
Revises: 0004_match_digests
Create Date: 2026-11-30

``payable | amount_pending`` is the status of the *amount*; ``state`` is where the line is in its
life (found … paid).  The case format's ``status`` field (``jiuye evaluate``) is unchanged.
``ALTER TABLE … RENAME COLUMN`` works in place on PostgreSQL and SQLite (≥ 3.25): no table copy.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_house"
down_revision: str | None = "0004_match_digests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE entitlements RENAME COLUMN status TO amount_status")


def downgrade() -> None:
    op.execute("ALTER TABLE entitlements RENAME COLUMN amount_status TO status")
