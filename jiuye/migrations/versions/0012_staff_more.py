"""Indexes of the staff pages over a large registry (issue 12: the review queue of 1,000,000 people)

- ``ix_entitlements_state_id`` (state, id): the review queue lists one state in id order, a page at a
  time — walked in index order and stopped after one page, instead of sorting every line of the state;
- ``ix_entitlements_policy_state_id`` (policy, state, id): the same with a measure chosen.

Revision ID: 0012_staff_more
Revises: 0013_sessions (landed first; the chain stays single)
Create Date: 2026-11-30

Written from jiuye.ledger.models, then frozen: later changes need a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_staff_more"
down_revision: str | None = "0013_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_entitlements_state_id", "entitlements", ["state", "id"])
    op.create_index("ix_entitlements_policy_state_id", "entitlements", ["policy", "state", "id"])


def downgrade() -> None:
    op.drop_index("ix_entitlements_policy_state_id", table_name="entitlements")
    op.drop_index("ix_entitlements_state_id", table_name="entitlements")
