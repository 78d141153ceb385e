"""Databases that are busy, read-only, full or broken (issue 10): a Chinese message naming the cause and
the remedy, waiting in line where that makes sense, and never lost or half-written work."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jiuye import db
from jiuye.cli import main
from jiuye.db import core, get_engine, sqlite_path
from jiuye.ledger.models import entitlements
from tests.matching.test_cli_flow import populate
from tests.registry.test_import import PERSON_HEADER, count, person, write_csv
from tests.test_bad_commands import fingerprint

M = "2023-03"


@pytest.fixture
def fresh_engines() -> Iterator[None]:
    db.get_engine.cache_clear()
    db.write_engine.cache_clear()
    yield
    db.get_engine.cache_clear()
    db.write_engine.cache_clear()


@pytest.fixture
def matched(migrated_db_url: str) -> str:
    populate(migrated_db_url)
    assert main(["match", "--from", M, "--to", M, "--db", migrated_db_url]) == 0
    return migrated_db_url


def _hold_sqlite_write_lock(url: str) -> sqlite3.Connection:
    path = sqlite_path(url)
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_sqlite_writer_waits_in_line_then_refuses_with_a_message(
    matched: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not matched.startswith("sqlite"):
        pytest.skip("the file lock is SQLite's; PostgreSQL: test_three_concurrent_matches_on_postgresql")
    monkeypatch.setattr(core, "SQLITE_TIMEOUT_S", 1)
    before = fingerprint(matched)
    capsys.readouterr()
    holder = _hold_sqlite_write_lock(matched)
    try:
        for argv in (["approve", "--month", M], ["settings", "auto", "JS-02", "off"], ["review", "1", "reject",
                     "--reason", "x"], ["match", "--from", M, "--to", M, "--full"], ["supervise"]):  # fmt: skip
            assert main([*argv, "--db", matched]) == core.EXIT_BUSY, argv
            err = capsys.readouterr().err
            assert "另一个任务正在写入数据库，正在排队等待（最多 1 秒）…" in err
            assert f"错误：另一个任务正在写入数据库（{matched}），请稍后再试。本命令没有写入任何内容。" in err
            assert "Traceback" not in err
    finally:
        holder.rollback()
        holder.close()
    assert fingerprint(matched) == before
    assert main(["approve", "--month", M, "--db", matched]) == 0  # the lock is free: it goes through


def test_sqlite_writer_waiting_in_line_gets_its_turn(
    matched: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if not matched.startswith("sqlite"):
        pytest.skip("SQLite lock")
    holder = _hold_sqlite_write_lock(matched)
    released = threading.Event()

    def release_when_waiting() -> None:
        # let go of the lock once the command has said it is waiting (the event is set when it says so)
        released.wait(30)
        holder.rollback()
        holder.close()

    def said(*args: object, file: Any = None, flush: bool = False) -> None:
        print(*args, file=file, flush=flush)
        if any("正在排队等待" in str(a) for a in args):
            released.set()

    # not a timer: a release 0.3 s after BEGIN came before its first 0.2 s try gave up when the machine was
    # loaded, and the command then never waited nor said so
    monkeypatch.setattr(core, "print", said, raising=False)
    db.write_engine.cache_clear()
    thread = threading.Thread(target=release_when_waiting)
    thread.start()
    try:
        path = write_csv(tmp_path / "p.csv", PERSON_HEADER, [person(i) for i in range(100, 110)])
        assert main(["import", "--db", matched, str(path)]) == 0  # an import is not lost to a short writer
    finally:
        released.set()
        thread.join()
        db.write_engine.cache_clear()
    assert "另一个任务正在写入数据库，正在排队等待" in capsys.readouterr().err
    assert count(matched, "persons") == 4 + 10


def test_three_concurrent_matches_on_postgresql(matched: str) -> None:
    if not matched.startswith("postgresql"):
        pytest.skip("PostgreSQL: the UniqueViolation came from three concurrent runs")
    env = {**os.environ, "JIUYE_DATABASE_URL": matched}
    runs = [
        subprocess.Popen([sys.executable, "-m", "jiuye.cli", "match", "--from", "2023-01", "--to", "2023-06", "--full"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]  # fmt: skip
    results = [(p.wait(300), *p.communicate()) for p in runs]
    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "UniqueViolation" not in err
    with get_engine(matched).connect() as c:
        after_three = c.execute(sa.select(sa.func.count()).select_from(entitlements)).scalar_one()
    assert main(["match", "--from", "2023-01", "--to", "2023-06", "--full", "--db", matched]) == 0
    with get_engine(matched).connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(entitlements)).scalar_one() == after_three > 0


def test_read_only_sqlite_database_serves_read_only_commands(
    matched: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fresh_engines: None,
) -> None:
    if not matched.startswith("sqlite"):
        pytest.skip("file permissions are SQLite's")
    path = sqlite_path(matched)
    assert path is not None
    get_engine(matched).dispose()
    before = fingerprint(matched)
    db.get_engine.cache_clear()
    # Tests run as root, for whom chmod does not stop writes: make the check see what a clerk would see.
    monkeypatch.setattr(core, "writable", lambda _p: False)
    path.chmod(0o444)
    try:
        for argv in (["tables"], ["audit", "verify"], ["entitlement", "1"], ["db", "status"],
                     ["export", "persons", "--out", str(tmp_path / "p.csv")]):  # fmt: skip
            assert main([*argv, "--db", matched]) == 0, (argv, capsys.readouterr().err)
        capsys.readouterr()
        for argv in (["approve", "--month", M], ["match", "--from", M, "--to", M], ["supervise"]):
            assert main([*argv, "--db", matched]) == 3, argv
            err = capsys.readouterr().err
            assert f"错误：数据库文件 {path} 是只读的（本账户没有写权限），此命令需要写入。" in err, err
        csv = tmp_path / "more.csv"
        write_csv(csv, PERSON_HEADER, [person(200)])
        assert main(["import", "--db", matched, str(csv)]) == 3
        assert "是只读的" in capsys.readouterr().err
    finally:
        path.chmod(0o644)
        db.get_engine.cache_clear()
    assert fingerprint(matched) == before


def test_full_disk_during_import_changes_nothing(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fresh_engines: None,
) -> None:
    if not migrated_db_url.startswith("sqlite"):
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    path = sqlite_path(migrated_db_url)
    assert path is not None
    with sqlite3.connect(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    original = core._sqlite_pragmas

    def small_disk(dbapi_conn: object) -> None:
        original(dbapi_conn)
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 3}")  # type: ignore[attr-defined]

    monkeypatch.setattr(core, "_sqlite_pragmas", small_disk)
    csv = write_csv(tmp_path / "p.csv", PERSON_HEADER, [person(i) for i in range(3000)])
    assert main(["import", "--db", migrated_db_url, str(csv)]) == core.EXIT_IO
    err = capsys.readouterr().err
    assert "错误：磁盘空间不足，无法写入数据库" in err and "本命令已撤销，数据库未作修改；请清理磁盘后重试。" in err
    assert "Traceback" not in err
    monkeypatch.setattr(core, "_sqlite_pragmas", original)
    db.get_engine.cache_clear()
    assert count(migrated_db_url, "persons") == 0


def test_a_file_that_cannot_be_written_rolls_the_payment_back(
    matched: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["approve", "--month", M, "--db", matched]) == 0
    before = fingerprint(matched)
    import jiuye.ledger.payment_file as payment_file

    def disk_full(*_args: object, **_kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "pay" / "batch.xlsx"))

    monkeypatch.setattr(payment_file, "write_temp", disk_full)
    capsys.readouterr()
    assert main(["pay", "--month", M, "--out", str(tmp_path / "pay"), "--db", matched]) == core.EXIT_IO
    err = capsys.readouterr().err
    assert err == (f"错误：无法读写“{tmp_path / 'pay' / 'batch.xlsx'}”：磁盘空间不足，请清理磁盘后重试。"
                   "本命令没有完成，数据库未作修改。\n")  # fmt: skip
    assert fingerprint(matched) == before
