"""Per-purpose advisory locks (pay, audit chain, flags) are keyed by the deployment's schema: two
deployments sharing one PostgreSQL database do not queue behind each other, two tasks of one do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from jiuye import db
from jiuye.audit.service import CHAIN_LOCK_KEY, lock_chain
from jiuye.db import advisory_xact_lock
from jiuye.ledger.service import PAY_LOCK_KEY, _lock_pay
from jiuye.supervision.service import FLAGS_LOCK_KEY
from tests.pg_schema import schema_url


@pytest.fixture
def other_schema_url(db_url: str) -> Iterator[str]:
    """A second deployment in the same PostgreSQL database (its own schema)."""
    if not db_url.startswith("postgresql"):
        yield db_url
        return
    with schema_url(db_url, f"jt_locks_{uuid.uuid4().hex[:8]}") as url:
        yield url


@pytest.mark.parametrize(("purpose", "take"), [(PAY_LOCK_KEY, _lock_pay), (CHAIN_LOCK_KEY, lock_chain)])
def test_purpose_lock_is_per_schema(db_url: str, other_schema_url: str, purpose: int, take: object) -> None:
    with Session(db.get_engine(db_url)) as holder:
        take(holder)  # type: ignore[operator]
        if not db_url.startswith("postgresql"):
            # SQLite: writers are serialised by BEGIN IMMEDIATE; the advisory lock is a no-op
            assert advisory_xact_lock(holder, purpose, wait=False) is True
            return
        with Session(db.get_engine(db_url)) as same, Session(db.get_engine(other_schema_url)) as other:
            assert advisory_xact_lock(same, purpose, wait=False) is False  # same deployment: waits in line
            assert advisory_xact_lock(other, purpose, wait=False) is True  # another schema: independent
            assert advisory_xact_lock(same, FLAGS_LOCK_KEY, wait=False) is True  # another purpose: independent
            same.rollback()
            other.rollback()
        holder.rollback()
    with Session(db.get_engine(db_url)) as after:  # released with the transaction
        assert advisory_xact_lock(after, purpose, wait=False) is True
