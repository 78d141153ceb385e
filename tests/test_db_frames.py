"""``jiuye.db.frames.read_frame``: values travel as bound parameters, never spliced into the SQL text."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from jiuye.db.frames import LITERAL_LIST_PARAMS, bound_sql, read_frame

NASTY = "o'k'); DROP TABLE t; --  50% %(x)s ?"


def test_values_are_bound_not_spliced(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, d DATE)")
            t = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.Text), sa.column("d", sa.Date))
            conn.execute(sa.insert(t), [{"id": 1, "name": NASTY, "d": dt.date(2023, 12, 1)},
                                        {"id": 2, "name": "b", "d": dt.date(2024, 1, 1)}])  # fmt: skip
            query = sa.select(t.c.id, t.c.name, t.c.d).where(t.c.name == NASTY, t.c.d <= dt.date(2023, 12, 31))
            sql, params = bound_sql(conn, query)
            assert NASTY not in sql and "2023-12-31" not in sql  # the values are parameters
            assert NASTY in (params.values() if isinstance(params, dict) else params)
            got = read_frame(conn, query, {"id": pl.Int64, "name": pl.String, "d": pl.Date})
            assert got.to_dicts() == [{"id": 1, "name": NASTY, "d": dt.date(2023, 12, 1)}]
            # an UPDATE … RETURNING, as pay claims its lines
            move = sa.update(t).where(t.c.id.in_([1, 2]), t.c.name != NASTY).values(name=NASTY).returning(t.c.id)
            assert read_frame(conn, move, {"id": pl.Int64})["id"].to_list() == [2]
            assert conn.execute(sa.select(sa.func.count()).where(t.c.name == NASTY)).scalar_one() == 2
            # SQL text: as it is, with optional parameters; a % in text without parameters is a %
            assert read_frame(conn, "SELECT '5%' AS p", {"p": pl.String})["p"].to_list() == ["5%"]
            # a long id list (more values than SQLite takes as parameters) reads, as literals
            many = sa.select(t.c.id).where(t.c.id.in_(range(40_000)))
            assert sorted(read_frame(conn, many, {"id": pl.Int64})["id"].to_list()) == [1, 2]
            conn.exec_driver_sql("DROP TABLE t")
    finally:
        engine.dispose()


def test_long_string_list_with_percent_reads_its_rows(db_url: str) -> None:
    """More than ``LITERAL_LIST_PARAMS`` values are rendered as literals: a ``%`` in one (doubled by SQLAlchemy for
    psycopg's placeholders) must still match its row (review: PostgreSQL compared with ``50%%``)."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t2 (id INTEGER PRIMARY KEY, name TEXT)")
            t = sa.table("t2", sa.column("id", sa.Integer), sa.column("name", sa.Text))
            conn.execute(sa.insert(t), [{"id": 1, "name": NASTY}, {"id": 2, "name": "b"}])
            keys = [NASTY, *(f"k{i}" for i in range(LITERAL_LIST_PARAMS))]
            many = sa.select(t.c.id).where(t.c.name.in_(keys))
            assert read_frame(conn, many, {"id": pl.Int64})["id"].to_list() == [1]
            # a select with no parameters at all: its % are doubled as well
            percent = sa.select(sa.literal_column("'5%'").label("p"))
            assert read_frame(conn, percent, {"p": pl.String})["p"].to_list() == ["5%"]
            conn.exec_driver_sql("DROP TABLE t2")
    finally:
        engine.dispose()


def test_snapshot_reader_matches_a_value_with_percent(db_url: str) -> None:
    """The whole-registry readers render literals too (PostgreSQL: through ADBC, which merges no parameters):
    a ``%`` in a value must match its row, not ``%%``."""
    from jiuye.db.frames import snapshot_reader

    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t3 (id INTEGER PRIMARY KEY, name TEXT)")
            t = sa.table("t3", sa.column("id", sa.Integer), sa.column("name", sa.Text))
            conn.execute(sa.insert(t), [{"id": 1, "name": NASTY}, {"id": 2, "name": "b"}])
        reader = snapshot_reader(engine)
        if reader is None:
            pytest.skip("no snapshot reader here (ADBC not installed or disabled)")
        try:
            got = reader(sa.select(t.c.id).where(t.c.name == NASTY), {"id": pl.Int64})
        finally:
            reader.close()
        assert got["id"].to_list() == [1]
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE t3")
    finally:
        engine.dispose()
