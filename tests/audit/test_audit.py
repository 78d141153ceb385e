"""The audit chain: append, verify, and catch direct tampering (UPDATE, DELETE, INSERT).

On PostgreSQL the migration's triggers refuse UPDATE/DELETE of audit rows; these tests tamper as a
superuser would (``session_replication_role = replica`` switches the triggers off) to show that the
keyed chain and the anchors still catch it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from jiuye import audit
from jiuye.audit.models import audit_events
from jiuye.audit.service import VerifyReport
from jiuye.db import get_engine, write_session


def _fill(url: str, n: int = 5) -> None:
    with write_session(url) as s:
        for i in range(n):
            audit.record(
                s, "测试员", "approve", "entitlements", i, "found", "approved", "测试", {"i": i, "金额": 100}
            )


@contextmanager
def tamper(url: str) -> Iterator[sa.Connection]:
    """A connection of someone with direct database access (PostgreSQL: triggers off, as a superuser)."""
    with get_engine(url).begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(sa.text("SET LOCAL session_replication_role = replica"))
        yield c


def _verify(url: str) -> VerifyReport:
    with write_session(url) as s:
        return audit.verify(s)


def test_chain_verifies(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    _fill(migrated_db_url, 3)
    report = _verify(migrated_db_url)
    assert report.ok and report.events == 8, report.message


def test_update_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with tamper(migrated_db_url) as c:
        c.execute(sa.update(audit_events).where(audit_events.c.seq == 3).values(reason="改过"))
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq == 3 and "改动" in report.message


def test_delete_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with tamper(migrated_db_url) as c:
        c.execute(sa.delete(audit_events).where(audit_events.c.seq == 2))
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq == 2 and "缺失" in report.message


def test_delete_tail_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with tamper(migrated_db_url) as c:
        c.execute(sa.delete(audit_events).where(audit_events.c.seq == 5))
    report = _verify(migrated_db_url)
    assert not report.ok and "末尾" in report.message


def test_insert_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with tamper(migrated_db_url) as c:
        row = dict(c.execute(sa.select(audit_events).where(audit_events.c.seq == 5)).mappings().one())
        row.update(seq=6, reason="伪造")
        c.execute(sa.insert(audit_events).values(**row))
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq is not None and report.seq >= 6


def test_insert_in_middle_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with tamper(migrated_db_url) as c:
        c.execute(sa.update(audit_events).where(audit_events.c.seq >= 3).values(seq=audit_events.c.seq + 100))
        row = dict(c.execute(sa.select(audit_events).where(audit_events.c.seq == 103)).mappings().one())
        row.update(seq=3, reason="插入")
        c.execute(sa.insert(audit_events).values(**row))
        c.execute(
            sa.update(audit_events).where(audit_events.c.seq >= 100).values(seq=audit_events.c.seq - 99)
        )
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq is not None and report.seq <= 4
