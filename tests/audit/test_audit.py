"""The audit chain: append, verify, and catch direct tampering (UPDATE, DELETE, INSERT)."""

from __future__ import annotations

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
    with get_engine(migrated_db_url).begin() as c:
        c.execute(sa.update(audit_events).where(audit_events.c.seq == 3).values(reason="改过"))
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq == 3 and "改动" in report.message


def test_delete_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with get_engine(migrated_db_url).begin() as c:
        c.execute(sa.delete(audit_events).where(audit_events.c.seq == 2))
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq == 2 and "缺失" in report.message


def test_delete_tail_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with get_engine(migrated_db_url).begin() as c:
        c.execute(sa.delete(audit_events).where(audit_events.c.seq == 5))
    report = _verify(migrated_db_url)
    assert not report.ok and "末尾" in report.message


def test_insert_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with get_engine(migrated_db_url).begin() as c:
        row = dict(c.execute(sa.select(audit_events).where(audit_events.c.seq == 5)).mappings().one())
        row.update(seq=6, reason="伪造")
        c.execute(sa.insert(audit_events).values(**row))
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq is not None and report.seq >= 6


def test_insert_in_middle_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with get_engine(migrated_db_url).begin() as c:
        c.execute(sa.update(audit_events).where(audit_events.c.seq >= 3).values(seq=audit_events.c.seq + 100))
        row = dict(c.execute(sa.select(audit_events).where(audit_events.c.seq == 103)).mappings().one())
        row.update(seq=3, reason="插入")
        c.execute(sa.insert(audit_events).values(**row))
        c.execute(
            sa.update(audit_events).where(audit_events.c.seq >= 100).values(seq=audit_events.c.seq - 99)
        )
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq is not None and report.seq <= 4
