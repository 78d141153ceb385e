"""Issue 9 (7): the chain is keyed (HMAC, key outside the database), anchored outside the database, and on
PostgreSQL the application cannot UPDATE or DELETE audit rows.  Each attack here passed `audit verify` before.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye import audit, db
from jiuye.audit.keys import ANCHOR_FILE, ENV_AUDIT_DIR, KEY_FILE, AuditKeyMissing, audit_dir
from jiuye.audit.models import audit_events, audit_head
from jiuye.audit.service import FIELDS, GENESIS, _norm_time, verify_and_anchor
from jiuye.db import get_engine, write_session

from .test_audit import _fill, _verify, tamper


def _verify_anchor(url: str) -> audit.VerifyReport:
    with write_session(url) as s:
        return verify_and_anchor(s)


def _rechain(c: sa.Connection, hasher: object) -> None:
    """What an insider with database access does after an edit: recompute every hash and the head."""
    rows = [dict(r) for r in c.execute(sa.select(audit_events).order_by(audit_events.c.seq)).mappings()]
    prev = GENESIS
    for row in rows:
        body = {k: row.get(k) for k in FIELDS}
        body["at"] = _norm_time(row["at"])
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        new = hasher(text + prev)  # type: ignore[operator]
        c.execute(sa.update(audit_events).where(audit_events.c.seq == row["seq"]).values(prev_hash=prev, hash=new))
        prev = new
    c.execute(sa.update(audit_head).values(seq=rows[-1]["seq"] if rows else 0, hash=prev))


def test_recomputed_chain_after_edit_is_caught(migrated_db_url: str) -> None:
    _fill(migrated_db_url)
    with tamper(migrated_db_url) as c:
        c.execute(sa.update(audit_events).where(audit_events.c.seq == 3).values(reason="改过"))
        _rechain(c, lambda t: hashlib.sha256(t.encode()).hexdigest())  # the old, unkeyed chain function
    report = _verify(migrated_db_url)
    assert not report.ok and report.seq == 1, report.message


def test_deleted_tail_with_rewritten_head_is_caught_by_anchor(migrated_db_url: str) -> None:
    _fill(migrated_db_url, 5)
    assert _verify_anchor(migrated_db_url).ok  # anchors head 5
    with tamper(migrated_db_url) as c:
        h3 = c.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == 3)).scalar_one()
        c.execute(sa.delete(audit_events).where(audit_events.c.seq > 3))
        c.execute(sa.update(audit_head).values(seq=3, hash=h3))
    report = _verify(migrated_db_url)
    assert not report.ok and "锚点" in report.message and "5" in report.message, report.message


def test_deleting_everything_is_caught_by_anchor(migrated_db_url: str) -> None:
    _fill(migrated_db_url, 4)
    assert _verify_anchor(migrated_db_url).ok
    with tamper(migrated_db_url) as c:
        c.execute(sa.delete(audit_events))
        c.execute(sa.delete(audit_head))
    report = _verify(migrated_db_url)
    assert not report.ok and "锚点" in report.message, report.message


def test_edited_anchor_line_is_reported(migrated_db_url: str) -> None:
    _fill(migrated_db_url, 3)
    assert _verify_anchor(migrated_db_url).ok
    path = audit_dir(migrated_db_url) / ANCHOR_FILE
    line = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    line["seq"] = 2
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    report = _verify(migrated_db_url)
    assert not report.ok and "锚点文件" in report.message


def test_every_verify_appends_an_anchor(migrated_db_url: str) -> None:
    _fill(migrated_db_url, 2)
    assert _verify_anchor(migrated_db_url).ok
    _fill(migrated_db_url, 2)
    report = _verify_anchor(migrated_db_url)
    assert report.ok and report.anchors == 1
    lines = (audit_dir(migrated_db_url) / ANCHOR_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["seq"] for x in lines] == [2, 4]


def test_postgresql_refuses_update_delete_truncate(migrated_db_url: str) -> None:
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite has no roles; anchors and the key guard it)")
    _fill(migrated_db_url, 3)
    for stmt in (
        sa.update(audit_events).where(audit_events.c.seq == 2).values(reason="改过"),
        sa.delete(audit_events).where(audit_events.c.seq == 3),
        sa.text("TRUNCATE audit_events"),
        sa.update(audit_head).values(seq=1),
        sa.delete(audit_head),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="审计"), get_engine(migrated_db_url).begin() as c:
            c.execute(stmt)
    assert _verify(migrated_db_url).ok


def test_key_lives_outside_the_database_and_is_required(migrated_db_url: str) -> None:
    _fill(migrated_db_url, 2)
    folder = audit_dir(migrated_db_url)
    key = folder / KEY_FILE
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    with get_engine(migrated_db_url).connect() as c:  # the key is nowhere in the database
        dump = json.dumps([list(map(str, r)) for r in c.execute(sa.select(audit_events)).all()])
    assert json.loads(key.read_text())["key"] not in dump
    hidden = key.with_name("moved.key")
    key.rename(hidden)
    try:
        with pytest.raises(AuditKeyMissing):
            _verify(migrated_db_url)
        with pytest.raises(AuditKeyMissing):  # a keyed chain never silently gets a new key
            db.upgrade(migrated_db_url)
    finally:
        hidden.rename(key)
    assert _verify(migrated_db_url).ok


def test_default_key_folder_is_beside_the_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_AUDIT_DIR, raising=False)
    url = f"sqlite:///{tmp_path}/区.db"
    db.upgrade(url)
    assert (tmp_path / "区.db.audit" / KEY_FILE).exists()
    assert os.environ.get(ENV_AUDIT_DIR) is None
    db.get_engine(url).dispose()
