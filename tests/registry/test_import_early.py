"""The early writer of an import into PostgreSQL: tables are written while the rest is still being
validated, in a transaction that commits only when validation found nothing — and otherwise is rolled
back so that the import proceeds exactly as without it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from jiuye.registry.importing import service, validate, writer

from .test_import import (
    CONTRACT_HEADER,
    EMPLOYER_HEADER,
    PERSON_HEADER,
    count,
    employer,
    person,
    query,
    run,
    write_csv,
)
from .test_import_bulk import bulk_always, catalog, contracts_for, file_set  # noqa: F401 — fixture


@pytest.fixture
def pg_url(migrated_db_url: str) -> str:
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("the early writer is PostgreSQL's (SQLite has one writer and writes in-process)")
    return migrated_db_url


def _files(tmp_path: Path, people: list[list[str]], contracts: list[list[str]]) -> list[Path]:
    # contracts named first on the command line, as these tests always named them
    return file_set(tmp_path, people, contracts, ("contracts", "employers", "persons"))


def test_tables_are_written_while_the_file_set_is_still_being_checked(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_always: None  # noqa: F811
) -> None:
    events: list[str] = []
    lock = threading.Lock()
    upsert, check_set = writer.upsert, validate.check_set

    def spy_upsert(conn, table, *args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            events.append(f"write {table.name}")
        return upsert(conn, table, *args, **kwargs)

    def spy_check_set(*args, **kwargs):  # type: ignore[no-untyped-def]
        # give the writer thread time to take the first table before the set checks start: up to a minute, not
        # 10 s, for a loaded machine (the poll ends as soon as it has)
        for _ in range(1200):
            with lock:
                if events:
                    break
            threading.Event().wait(0.05)
        with lock:
            events.append("check_set")
        return check_set(*args, **kwargs)

    monkeypatch.setattr(writer, "upsert", spy_upsert)
    monkeypatch.setattr(validate, "check_set", spy_check_set)
    people = [person(i) for i in range(30)]
    assert run(pg_url, *_files(tmp_path, people, contracts_for(people)), "-q") == 0
    assert events.index("write persons") < events.index("check_set")
    assert count(pg_url, "persons") == 30 and count(pg_url, "contracts") == 30
    (status,) = query(pg_url, "SELECT DISTINCT status FROM import_runs")[0]
    assert status == "committed"
    rows = query(pg_url, "SELECT table_name, rows_read FROM import_runs ORDER BY table_name")
    assert rows == [("contracts", 30), ("employers", 3), ("persons", 30)]


def test_a_problem_found_after_the_early_write_began_leaves_the_database_untouched(
    pg_url: str, tmp_path: Path, bulk_always: None, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    before = catalog(pg_url)
    people = [person(i) for i in range(30)]
    contracts = contracts_for(people)
    contracts.append([person(99)[0], employer(0)[0], "2024-01-01", "", "是"])  # nobody: found by check_set
    files = _files(tmp_path, people, contracts)
    assert run(pg_url, *files) == 2
    assert "引用的人员不存在" in capsys.readouterr().err
    for table in ("persons", "employers", "contracts"):
        assert count(pg_url, table) == 0
    assert catalog(pg_url) == before
    # with --skip-invalid the good rows go in through the ordinary path
    assert run(pg_url, *files, "--skip-invalid", "-q") == 0
    assert count(pg_url, "persons") == 30 and count(pg_url, "contracts") == 30


def test_a_lookup_into_a_table_the_early_writer_holds_does_not_deadlock(
    pg_url: str, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    # persons 0–9 are in the database; the files bring 10–39 and contracts of 0–39: the contracts of 0–9
    # are looked up in the database, whose persons table the early writer may be loading (constraints
    # dropped, locked ACCESS EXCLUSIVE) — the look-up must see the committed rows and not wait forever.
    assert run(pg_url, write_csv(tmp_path / "seed.csv", PERSON_HEADER, [person(i) for i in range(10)]), "-q") == 0
    people = [person(i) for i in range(40)]
    files = _files(tmp_path, people[10:], contracts_for(people))
    abandoned: list[bool] = []
    abandon = service.EarlyWriter.abandon

    def spy(self: service.EarlyWriter) -> None:
        abandoned.append(True)
        abandon(self)

    monkeypatch.setattr(service.EarlyWriter, "abandon", spy)
    outcome: list[int] = []
    worker = threading.Thread(target=lambda: outcome.append(run(pg_url, *files, "-q")), daemon=True)
    worker.start()
    worker.join(timeout=120)  # a deadlock between the two connections fails the test instead of hanging it
    assert not worker.is_alive(), "the import is stuck"
    assert outcome == [0] and abandoned
    assert count(pg_url, "persons") == 40 and count(pg_url, "contracts") == 40


def test_abandon_rolls_back_a_write_in_progress(pg_url: str, tmp_path: Path, bulk_always: None) -> None:  # noqa: F811
    import datetime as dt

    from jiuye.db import get_engine
    from jiuye.registry.importing.readers import read_csv
    from jiuye.registry.importing.report import ProgressReporter

    path = write_csv(tmp_path / "persons.csv", PERSON_HEADER, [person(i) for i in range(30)])
    piece = validate.identify(read_csv(path))
    with get_engine(pg_url).connect() as conn:
        validate.check_piece(piece, writer.towns(conn))
    early = service.EarlyWriter(get_engine(pg_url), "import-test", dt.datetime.now(dt.UTC), ProgressReporter(quiet=True))
    early.table_checked("persons", [piece])
    early.all_given()
    early.abandon()
    assert not early.usable and early.error is None
    assert count(pg_url, "persons") == 0
    assert query(pg_url, "SELECT count(*) FROM import_runs")[0][0] == 0


def test_a_lookup_into_a_table_referenced_by_one_the_early_writer_loads_does_not_deadlock(
    pg_url: str, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    # persons and employers are in the database; the file brings only contracts, into an empty table: its
    # bulk load drops the contracts' foreign keys, which locks the REFERENCED tables (persons, employers)
    # ACCESS EXCLUSIVE until the transaction ends — the validator's look-up of the contracts' persons
    # must not wait for a transaction that waits for the validator.
    people = [person(i) for i in range(30)]
    seed = [
        write_csv(tmp_path / "persons.csv", PERSON_HEADER, people),
        write_csv(tmp_path / "employers.csv", EMPLOYER_HEADER, [employer(i) for i in range(3)]),
    ]
    assert run(pg_url, *seed, "-q") == 0
    written = threading.Event()
    upsert, check_set = writer.upsert, validate.check_set

    def spy_upsert(conn, table, *args, **kwargs):  # type: ignore[no-untyped-def]
        out = upsert(conn, table, *args, **kwargs)
        written.set()
        return out

    def spy_check_set(*args, **kwargs):  # type: ignore[no-untyped-def]
        written.wait(30)  # the order that hangs: the writer has loaded contracts before the look-ups
        return check_set(*args, **kwargs)

    monkeypatch.setattr(writer, "upsert", spy_upsert)
    monkeypatch.setattr(validate, "check_set", spy_check_set)
    contracts = write_csv(tmp_path / "contracts.csv", CONTRACT_HEADER, contracts_for(people))
    outcome: list[int] = []
    worker = threading.Thread(target=lambda: outcome.append(run(pg_url, contracts, "-q")), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the import is stuck"
    assert outcome == [0]
    assert count(pg_url, "contracts") == 30


def test_web_reads_of_the_registry_see_the_old_rows_while_an_import_loads_a_table_that_references_them(
    pg_url: str, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """persons and employers hold rows; an import loads contracts into their empty table.  While its
    transaction is open, another connection (a web read) reads persons and employers without waiting and
    sees the rows as they were: the load takes no lock on them stronger than a row lock (dropping the
    contracts' foreign keys for the bulk load locked them ACCESS EXCLUSIVE until the import committed)."""
    import psycopg

    people = [person(i) for i in range(30)]
    seed = [
        write_csv(tmp_path / "persons.csv", PERSON_HEADER, people),
        write_csv(tmp_path / "employers.csv", EMPLOYER_HEADER, [employer(i) for i in range(3)]),
    ]
    assert run(pg_url, *seed, "-q") == 0
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    seen: dict[str, object] = {}
    upsert = writer.upsert

    def spy_upsert(conn, table, *args, **kwargs):  # type: ignore[no-untyped-def]
        out = upsert(conn, table, *args, **kwargs)
        # the import's transaction is open and has loaded the table: what does another connection see?
        with psycopg.connect(dsn, autocommit=True) as web:
            seen["locks"] = web.execute(
                "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid <> pg_backend_pid() AND c.relname IN ('persons', 'employers', 'organizations') "
                "AND l.mode NOT IN ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')"
            ).fetchall()
            web.execute("SET lock_timeout = '20s'")  # a bound, so that a waiting read fails instead of hanging
            try:
                seen["persons"] = web.execute("SELECT count(*) FROM persons").fetchone()
                seen["employers"] = web.execute("SELECT count(*) FROM employers").fetchone()
            except psycopg.errors.LockNotAvailable as exc:
                seen["error"] = exc
        return out

    monkeypatch.setattr(writer, "upsert", spy_upsert)
    contracts = write_csv(tmp_path / "contracts.csv", CONTRACT_HEADER, contracts_for(people))
    assert run(pg_url, contracts, "-q") == 0
    assert seen.get("locks") == [], seen
    assert "error" not in seen, seen
    assert seen["persons"] == (30,) and seen["employers"] == (3,)
    assert count(pg_url, "contracts") == 30
