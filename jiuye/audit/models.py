"""``audit_events`` (the hash chain) and ``audit_head`` (the last link, so removing the tail is caught)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.metadata import TIMESTAMP, metadata
from jiuye.db.migrate import on_upgrade

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column(
        "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False
    ),
    sa.Column("at", TIMESTAMP, nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("entity_id", sa.Text(), nullable=True),
    sa.Column("old_state", sa.String(32), nullable=True),
    sa.Column("new_state", sa.String(32), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("payload", sa.JSON(), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_events_entity_entity_id", "entity", "entity_id"),
    comment="审计日志",
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    comment="审计链末端",
)


@on_upgrade
def _chain_key(session: Session) -> None:
    """After every ``jiuye db upgrade``: make sure the audit chain key exists (outside the database).

    A missing key is created when the chain is empty, or when every event so far is plain SHA-256 (a
    database from before keyed chains: those events stay as they are, the key applies from the next one).
    A keyed chain whose key file is gone is refused — a new key would make the chain unverifiable, so the
    file must be restored from backup.
    """
    from jiuye.audit.keys import AuditKeyMissing, create_key, load_key, session_audit_dir
    from jiuye.audit.service import chain_is_plain

    folder = session_audit_dir(session)
    try:
        load_key(folder)
    except AuditKeyMissing:
        seq = session.execute(sa.select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar()
        if seq and not chain_is_plain(session):
            raise
        create_key(folder, int(seq or 0) + 1)
