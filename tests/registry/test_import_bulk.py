"""The bulk load into an empty table (secondary indexes and foreign keys rebuilt after the rows, in the
same transaction): the schema comes back exactly as it was, a violation still fails, and a failure
leaves table, indexes and constraints as they were."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from jiuye.registry.importing import writer
from jiuye.registry.schema import TABLES

from .test_import import (
    CONTRACT_HEADER,
    EMPLOYER_HEADER,
    PERSON_HEADER,
    count,
    employer,
    person,
    run,
    write_csv,
)


def catalog(url: str) -> list[tuple[object, ...]]:
    """Indexes, constraints and column defaults of the registry tables, as the database describes them."""
    from jiuye.db import get_engine

    engine = get_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace "
                "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT table_name, column_name, column_default FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
            ).all()
        else:
            rows = conn.exec_driver_sql("SELECT tbl_name, name, sql FROM sqlite_master").all()
    return sorted(tuple(r) for r in rows)


@pytest.fixture
def bulk_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "BULK_REBUILD_ROWS", 1)


def contracts_for(people: list[list[str]]) -> list[list[str]]:
    """One open contract per person, with the three employers of :func:`file_set` in turn."""
    employers = [employer(i) for i in range(3)]
    return [[p[0], employers[i % 3][0], "2024-01-01", "", "是"] for i, p in enumerate(people)]


def file_set(tmp_path: Path, people: list[list[str]], contracts: list[list[str]],
             order: tuple[str, ...] = ("persons", "employers", "contracts")) -> list[Path]:  # fmt: skip
    """The persons, three employers and the contracts as import files, named on the command line in ``order``."""
    rows = {"persons": (PERSON_HEADER, people), "employers": (EMPLOYER_HEADER, [employer(i) for i in range(3)]),
            "contracts": (CONTRACT_HEADER, contracts)}  # fmt: skip
    return [write_csv(tmp_path / f"{name}.csv", *rows[name]) for name in order]


def test_bulk_load_restores_indexes_and_constraints(
    migrated_db_url: str, tmp_path: Path, bulk_always: None
) -> None:
    before = catalog(migrated_db_url)
    people = [person(i) for i in range(30)]
    contracts = contracts_for(people)
    files = file_set(tmp_path, people, contracts)
    assert run(migrated_db_url, *files, "-q") == 0
    assert count(migrated_db_url, "contracts") == 30
    assert catalog(migrated_db_url) == before
    # the same files again: through the staging path, nothing changes
    assert run(migrated_db_url, *files, "-q") == 0
    assert count(migrated_db_url, "contracts") == 30 and count(migrated_db_url, "change_log") == 0


def test_bulk_load_violation_fails_and_rolls_back(migrated_db_url: str, bulk_always: None) -> None:
    from jiuye.db import get_engine

    before = catalog(migrated_db_url)
    row = dict(zip(["id_number", "name", "birth_date", "gender"], person(1)[:4], strict=True))
    frame = pl.DataFrame(
        [row, row],
        schema={"id_number": pl.String, "name": pl.String, "birth_date": pl.String, "gender": pl.String},
    ).with_columns(
        pl.col("birth_date").str.to_date(),
        pl.lit(False).alias("hukou_agricultural"),
        pl.lit("male").alias("gender"),
    )
    table = TABLES["persons"]
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(c.name) for c in table.columns if c.name not in frame.columns
    )
    # a duplicate natural key (import validation would have caught it) fails when the unique index is rebuilt
    # (SQLite's inline UNIQUE index stays and fails at once, raised by the driver itself)
    with (
        pytest.raises((sa.exc.IntegrityError, sqlite3.IntegrityError)),
        get_engine(migrated_db_url).begin() as conn,
    ):
        writer.upsert(conn, table, frame, "test", dt.datetime.now(dt.UTC))
    assert count(migrated_db_url, "persons") == 0
    assert catalog(migrated_db_url) == before


def test_bulk_load_stamps_every_row_with_the_import(
    migrated_db_url: str, tmp_path: Path, bulk_always: None
) -> None:
    from .test_import import query

    files = [write_csv(tmp_path / "persons.csv", PERSON_HEADER, [person(i) for i in range(25)])]
    assert run(migrated_db_url, *files, "-q") == 0
    (run_id,) = query(migrated_db_url, "SELECT id FROM import_runs WHERE status = 'committed'")[0]
    stamps = query(
        migrated_db_url, "SELECT DISTINCT created_at, updated_at, created_by, updated_by FROM persons"
    )
    assert len(stamps) == 1
    created_at, updated_at, created_by, updated_by = stamps[0]
    assert created_at == updated_at and created_by == updated_by == run_id


def test_bulk_load_on_postgresql_numbers_rows_from_one_reservation(
    migrated_db_url: str, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL: the ids of a bulk load are reserved from the table's sequence in one step and sent with
    # the rows (no nextval per row), numbered in file order as before; a table no foreign key references
    # (contracts) is loaded without its primary key, which is rebuilt after the rows.
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite numbers the rows itself")
    from .test_import import query

    seen: dict[str, tuple[list[str], bool]] = {}
    original = writer.write_frame

    def spy(conn: sa.Connection, target: str, frame: pl.DataFrame, **kwargs: object) -> int:
        table = target.strip('"')
        has_pk = conn.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(%(t)s) AND contype = 'p')",
            {"t": target},
        ).scalar()
        seen[table] = (frame.columns, bool(has_pk))
        return original(conn, target, frame, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "write_frame", spy)
    before = catalog(migrated_db_url)
    people = [person(i) for i in range(30)]
    contracts = contracts_for(people)
    files = file_set(tmp_path, people, contracts)
    assert run(migrated_db_url, *files, "-q") == 0
    assert seen["persons"][0][0] == "id" and seen["contracts"][0][0] == "id"
    assert seen["persons"][1] is True  # referenced by contracts and others: the primary key stays
    assert seen["contracts"][1] is False  # referenced by nothing: rebuilt after the rows
    assert catalog(migrated_db_url) == before
    ids = query(migrated_db_url, "SELECT id, id_number FROM persons ORDER BY id")
    assert [n for _, n in ids] == [p[0] for p in people]  # file order
    first = int(ids[0][0])  # type: ignore[call-overload]
    assert [i for i, _ in ids] == list(range(first, first + 30))  # consecutive
    contract_ids = [int(r[0]) for r in query(migrated_db_url, "SELECT id FROM contracts ORDER BY id")]  # type: ignore[call-overload]
    assert contract_ids == list(range(contract_ids[0], contract_ids[0] + 30))
    # the sequences go on after the reserved ids
    (nxt,) = query(migrated_db_url, "SELECT nextval(pg_get_serial_sequence('contracts', 'id'))")[0]
    assert nxt == contract_ids[-1] + 1


def test_bulk_loaded_keys_are_not_read_back_for_the_tables_that_reference_them(
    migrated_db_url: str, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL: the ids of persons (and employers) bulk-loaded in this transaction are known to the writer;
    # contracts resolve their references from them instead of reading the two tables back — to the same ids.
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite numbers the rows itself")
    from .test_import import query

    reads: list[str] = []
    original = writer.read_frame

    def spy(conn: sa.Connection, stmt: object, *args: object, **kwargs: object) -> pl.DataFrame:
        reads.append(str(stmt))
        return original(conn, stmt, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "read_frame", spy)
    people = [person(i) for i in range(30)]
    contracts = contracts_for(people)
    files = file_set(tmp_path, people, contracts)
    assert run(migrated_db_url, *files, "-q") == 0
    assert not [r for r in reads if "persons" in r or "employers" in r]
    pairs = query(
        migrated_db_url,
        "SELECT p.id_number, e.credit_code FROM contracts c JOIN persons p ON p.id = c.person_id "
        "JOIN employers e ON e.id = c.employer_id ORDER BY p.id_number",
    )
    assert pairs == sorted((c[0], c[1]) for c in contracts)
