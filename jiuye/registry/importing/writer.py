"""Bulk, all-or-nothing upsert of validated frames into the registry.

For each table (in dependency order, all in the caller's one transaction):

0. into an empty table (a first load) every row is new: references are resolved in Polars and the
   rows go straight into the table (:func:`insert_fresh`), nothing to compare or log.  Otherwise:

1. the typed frame is loaded into a temporary staging table — ``COPY … FROM STDIN`` on PostgreSQL,
   one ``executemany`` on SQLite;
2. one ``INSERT … SELECT`` resolves the reference columns (ID number → ``persons.id`` …) and finds
   the existing row of each natural key (the same expressions as the unique key index, so the look-up
   uses it; an optional key column compares through ``COALESCE`` as the index does);
3. every value that differs from the stored one is written to ``change_log`` (old → new, as text in
   file notation), the differing rows are updated (``UPDATE … FROM``), and new rows are inserted.

Unchanged rows are not touched at all, so importing the same file twice changes nothing.  Nothing is
committed here: the caller commits once after every table, and a crash or ``kill -9`` at any point
leaves the database as it was (PostgreSQL aborts the open transaction; SQLite discards the
uncommitted WAL frames).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa

from jiuye.db.frames import quote, read_frame, write_frame
from jiuye.registry.schema import TABLES, Column, Table
from jiuye.rules.money import yuan_text

Progress = Callable[[str, int, int], None]  # (table, rows written so far, total rows)


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    values_changed: int = 0


_q = quote


# --- formatting values as text (row keys in Polars, change_log values in SQL) -------------------------


def key_text_expr(col: Column) -> pl.Expr:
    """A typed logical column as the text a file would hold (used for ``change_log.row_key``)."""
    c = pl.col(col.name)
    if col.type == "month":
        return c.dt.strftime("%Y-%m")
    if col.type == "date":
        return c.dt.strftime("%Y-%m-%d")
    if col.type == "bool":
        return pl.when(c).then(pl.lit("是")).when(~c).then(pl.lit("否"))
    if col.type == "money":
        return yuan_text(c)
    return c.cast(pl.String)


def row_key_expr(table: Table) -> pl.Expr:
    return pl.concat_str([key_text_expr(table.column(k)).fill_null("") for k in table.key], separator="|")


def _sql_text(dialect: str, col: Column, expr: str) -> str:
    """SQL rendering the stored value ``expr`` as text in file notation (NULL stays NULL)."""
    pg = dialect == "postgresql"
    if col.type == "date":
        return f"to_char({expr}, 'YYYY-MM-DD')" if pg else f"CAST({expr} AS TEXT)"
    if col.type == "month":
        return f"to_char({expr}, 'YYYY-MM')" if pg else f"substr({expr}, 1, 7)"
    if col.type == "bool":
        return f"CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} THEN '是' ELSE '否' END"
    if col.type == "money":
        cents = (
            f"lpad(CAST(({expr}) % 100 AS TEXT), 2, '0')"
            if pg
            else f"substr('00' || CAST(({expr}) % 100 AS TEXT), -2, 2)"
        )
        return f"CAST(({expr}) / 100 AS TEXT) || '.' || {cents}"
    return f"CAST({expr} AS TEXT)"


# --- staging ---------------------------------------------------------------------------------------


def _staging_type(dialect: str, dtype: pl.DataType) -> str:
    if dtype == pl.Date:
        return "date" if dialect == "postgresql" else "TEXT"
    if dtype == pl.Boolean:
        return "boolean" if dialect == "postgresql" else "INTEGER"
    if dtype.is_integer():
        return "bigint" if dialect == "postgresql" else "INTEGER"
    return "text" if dialect == "postgresql" else "TEXT"


def _load_staging(
    conn: sa.Connection,
    name: str,
    frame: pl.DataFrame,
    on_progress: Callable[[int], None],
) -> None:
    dialect = conn.dialect.name
    cols = ", ".join(f"{_q(c)} {_staging_type(dialect, frame.schema[c])}" for c in frame.columns)
    if dialect == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_q(name)} ({cols}) ON COMMIT DROP")
    else:
        # Staging in memory and a larger page cache: the bulk of an import is B-tree work.
        conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
        conn.exec_driver_sql("PRAGMA cache_size = -131072")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_q(name)}")
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_q(name)} ({cols})")
    target = f"temp.{_q(name)}" if dialect != "postgresql" else _q(name)
    write_frame(conn, target, frame, on_progress=on_progress, drop_empty=True)
    if dialect == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {_q(name)}")


def _is_empty(conn: sa.Connection, table: Table) -> bool:
    return conn.exec_driver_sql(f"SELECT 1 FROM {_q(table.name)} LIMIT 1").first() is None


_KEY_IDS = "jiuye_writer_key_ids"


def _per_transaction(conn: sa.Connection, key: str, empty: Callable[[], Any]) -> Any:
    """``conn.info[key]`` for the connection's current transaction (``conn.info`` outlives it: the value is
    tied to the transaction object and starts again from ``empty()`` in the next one)."""
    txn = conn.get_transaction()
    held = conn.info.get(key)
    if txn is None or held is None or held[0] is not txn:
        held = (txn, empty())
        conn.info[key] = held
    return held[1]


def _key_ids_cache(conn: sa.Connection) -> dict[tuple[str, str], tuple[tuple[int, int], pl.DataFrame]]:
    return _per_transaction(conn, _KEY_IDS, dict)


def _key_ids(conn: sa.Connection, table: str, key: str) -> pl.DataFrame:
    """natural key → surrogate id of every row of ``table`` (as this transaction sees it).

    Read columnar (``COPY … TO STDOUT`` on PostgreSQL) and kept for the rest of the transaction, as
    long as the table's row count and largest id are unchanged (persons are looked up by every person
    table).  ``conn.info`` outlives the transaction, so the cache is tied to the transaction object.
    """
    from jiuye.registry.models import TABLES as SA_TABLES

    cache = _key_ids_cache(conn)
    row = conn.exec_driver_sql(f"SELECT count(*), max(id) FROM {_q(table)}").one()
    signature = (int(row[0]), int(row[1] or 0))
    found = cache.get((table, key))
    if found is None or found[0] != signature:
        t = SA_TABLES[table]
        stmt = sa.select(t.c[key].label("__key"), t.c.id.label("__id"))
        found = (signature, read_frame(conn, stmt, {"__key": pl.String, "__id": pl.Int64}))
        cache[(table, key)] = found
    return found[1]


# --- bulk load into an empty table: secondary indexes and foreign keys after the rows -----------------

_FRESH = "jiuye_writer_fresh_tables"


def _fresh_tables(conn: sa.Connection) -> set[str]:
    """The tables this transaction has loaded into empty (:func:`insert_fresh`)."""
    return _per_transaction(conn, _FRESH, set)


# Below this many rows the indexes are simply maintained row by row.
BULK_REBUILD_ROWS = 20_000


def _pg_deferred_ddl(conn: sa.Connection, table: str) -> tuple[list[str], list[str]]:
    """(drop, recreate) statements for ``table``'s foreign keys, unique constraints and secondary
    indexes on PostgreSQL — and its primary key when no foreign key references the table (a primary
    key that one does cannot be dropped without dropping that foreign key too).  Recreated in reverse
    order of dropping.

    A foreign key is dropped only when it references ``table`` itself or a table this transaction loaded
    into empty (:func:`_fresh_tables`: the same import, earlier — no committed row of it for a read to
    see): PostgreSQL locks the referenced table ACCESS EXCLUSIVE to drop a foreign key, until the
    transaction ends, and every web read of a table holding rows (persons, employers, organisations)
    would wait for the whole import instead of seeing the rows as they were.  A kept foreign key checks
    the rows as they arrive (row locks on the referenced rows, which no read waits for)."""
    drop: list[str] = []
    create: list[str] = []
    rel = _q(table)
    referenced = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = to_regclass(%(t)s) AND contype = 'f')",
        {"t": rel},
    ).scalar()
    kinds = ["f", "u"] if referenced else ["f", "p", "u"]
    fresh = [_q(name) for name in _fresh_tables(conn)]
    cons = conn.exec_driver_sql(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%(t)s) AND contype = ANY(%(k)s) AND (contype <> 'f' OR confrelid = conrelid "
        "  OR confrelid = ANY(SELECT to_regclass(f) FROM unnest(CAST(%(fresh)s AS text[])) AS f)) "
        "ORDER BY contype, conname",
        {"t": rel, "k": kinds, "fresh": fresh},
    ).all()
    for name, _kind, definition in cons:  # foreign keys ('f'), the primary key ('p'), unique constraints ('u')
        drop.append(f"ALTER TABLE {rel} DROP CONSTRAINT {_q(name)}")
        create.append(f"ALTER TABLE {rel} ADD CONSTRAINT {_q(name)} {definition}")
    indexes = conn.exec_driver_sql(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = to_regclass(%(t)s) AND NOT i.indisprimary AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
        "ORDER BY 1",
        {"t": rel},
    ).all()
    for name, definition in indexes:
        drop.append(f"DROP INDEX {name}")
        create.append(definition)
    create.reverse()  # indexes, unique constraints, primary key, then foreign keys (checked in one pass each)
    return drop, create


def _pg_reserve_ids(conn: sa.Connection, table: str, n: int) -> int | None:
    """The first of ``n`` consecutive ids taken from ``table``'s ``id`` sequence in one step (None when the
    column has no sequence of its own), instead of one ``nextval`` per row in the COPY.

    Called with the table locked ``ACCESS EXCLUSIVE`` (its constraints are dropped for the load), so no
    other transaction can be drawing ids for a row of it in between: an INSERT locks the table before it
    evaluates the column default.  Like ``nextval``, the reservation is not undone by a rollback (a gap)."""
    seq = conn.exec_driver_sql("SELECT pg_get_serial_sequence(%(t)s, 'id')", {"t": _q(table)}).scalar()
    if seq is None:
        return None
    last = conn.exec_driver_sql(
        "SELECT setval(CAST(%(s)s AS regclass), nextval(CAST(%(s)s AS regclass)) + %(n)s - 1)", {"s": seq, "n": n}
    ).scalar_one()
    return int(last) - n + 1


def _sqlite_deferred_ddl(conn: sa.Connection, table: str) -> tuple[list[str], list[str]]:
    """(drop, recreate) statements for ``table``'s explicitly created indexes on SQLite (the indexes
    of inline UNIQUE constraints cannot be dropped; foreign keys are part of the table)."""
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY name",
        (table,),
    ).all()
    return [f"DROP INDEX {_q(name)}" for name, _ in rows], [sql for _, sql in rows]


def _bulk_load(conn: sa.Connection, table: str, rows: int, load: Callable[[int | None], object]) -> None:
    """Run ``load`` (rows into the empty ``table``) with the secondary indexes and foreign keys — on
    PostgreSQL also the primary key of a table no foreign key references — built afterwards, in one
    pass each, instead of row by row.

    ``load`` gets the first of ``rows`` ids reserved for the rows (PostgreSQL), or None: the database
    numbers them.  All in the caller's transaction: DDL is transactional on PostgreSQL and SQLite, so a
    failure or a kill at any point leaves the table, its indexes and constraints as they were.  A
    duplicate key or a dangling reference still fails — when the unique index or the foreign key is
    recreated.
    """
    if rows < BULK_REBUILD_ROWS:
        load(None)
        return
    if conn.dialect.name == "postgresql":
        drop, create = _pg_deferred_ddl(conn, table)
        # index builds sort; more sort memory for this transaction only.  And the foreign keys' one-pass
        # checks are hash anti-joins of the whole table against the referenced one: with the default 4 MB
        # they run in batches through temporary files (1M persons, 11M insurance rows: 3.0–5.4 s → 2.2 s)
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    elif conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        assert raw is not None
        if not raw.in_transaction:
            # pysqlite opens its implicit transaction only before DML: DDL first would autocommit
            raw.execute("BEGIN")
        drop, create = _sqlite_deferred_ddl(conn, table)
    else:
        load(None)
        return
    for stmt in drop:
        conn.exec_driver_sql(stmt)
    load(_pg_reserve_ids(conn, table, rows) if conn.dialect.name == "postgresql" else None)
    analyzed = conn.dialect.name != "postgresql"
    for stmt in create:
        if not analyzed and " FOREIGN KEY " in stmt:
            # statistics before the foreign keys' checks are planned (they are whole-table joins)
            conn.exec_driver_sql(f"ANALYZE {_q(table)}")
            analyzed = True
        conn.exec_driver_sql(stmt)
    if not analyzed:
        conn.exec_driver_sql(f"ANALYZE {_q(table)}")


def insert_fresh(
    conn: sa.Connection,
    table: Table,
    frame: pl.DataFrame,
    by: str,
    now: dt.datetime,
    progress: Progress | None = None,
) -> WriteCounts:
    """The fast path into an empty table: every row is new, so there is nothing to compare or log.

    References are resolved in Polars (one key → id map per referenced table) and the rows go straight
    into the table — one ``COPY`` / ``executemany``, no staging table.
    """
    data = frame.select(table.column_names)
    for col in table.references:
        assert col.ref is not None
        ids = _key_ids(conn, col.ref.table, col.ref.column)
        data = data.join(ids, left_on=col.name, right_on="__key", how="left", maintain_order="left")
        data = data.drop(col.name).rename({"__id": col.db_name})
    # The audit stamps exactly as SQLAlchemy stores them (SQLite keeps datetimes as text).
    stamp_type = sa.DateTime(timezone=True)
    process = stamp_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    stamp = process(now) if process else now
    if conn.dialect.name == "postgresql" or not isinstance(stamp, str):
        stamp = now.isoformat()
    data = data.select([pl.col(c.db_name) for c in table.columns])
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("PRAGMA cache_size = -131072")
    audit = {"created_at": stamp, "updated_at": stamp, "created_by": by, "updated_by": by}

    def load(first_id: int | None) -> None:
        rows = data
        if first_id is not None:  # ids numbered in row order, as one nextval per row would
            rows = data.select(pl.int_range(first_id, first_id + data.height, dtype=pl.Int64).alias("id"), pl.all())
        write_frame(
            conn,
            _q(table.name),
            rows,
            constants=audit,
            on_progress=lambda n: progress(table.name, n, data.height) if progress else None,
            drop_empty=True,
        )
        key = table.column(table.key[0]) if len(table.key) == 1 else None
        if first_id is not None and key is not None and key.ref is None and rows.schema[key.db_name] == pl.String:
            # key → id of the rows just sent, for the tables that reference this one (persons: nine of them)
            # without reading them back; the table was empty and is locked, so it holds exactly these rows
            # — and _key_ids still compares the row count and largest id before it uses them
            _key_ids_cache(conn)[(table.name, key.db_name)] = (
                (rows.height, first_id + rows.height - 1),
                rows.select(pl.col(key.db_name).alias("__key"), pl.col("id").alias("__id")),
            )

    _bulk_load(conn, table.name, data.height, load)
    _fresh_tables(conn).add(table.name)
    return WriteCounts(inserted=data.height)


# --- upsert ----------------------------------------------------------------------------------------


def _key_match(table: Table, target: str, source: dict[str, str]) -> list[str]:
    """Join conditions of the target's natural key against source expressions (by stored name)."""
    conds = []
    for k in table.key:
        col = table.column(k)
        left, right = f"{target}.{_q(col.db_name)}", source[col.db_name]
        if col.required:
            conds.append(f"{left} = {right}")
        elif col.ref is not None or col.type == "int":
            conds.append(f"COALESCE({left}, 0) = COALESCE({right}, 0)")
        else:
            conds.append(f"COALESCE({left}, '') = COALESCE({right}, '')")
    return conds


def _distinct(dialect: str, a: str, b: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if dialect == "postgresql" else f"{a} IS NOT {b}"


def upsert(
    conn: sa.Connection,
    table: Table,
    frame: pl.DataFrame,
    by: str,
    now: dt.datetime,
    progress: Progress | None = None,
) -> WriteCounts:
    """Insert new rows, update changed rows (logging each changed value), leave the rest alone.

    ``frame`` holds the table's logical columns, typed (validated; references by natural key).
    """
    dialect = conn.dialect.name
    counts = WriteCounts()
    if frame.is_empty():
        return counts
    if _is_empty(conn, table):
        return insert_fresh(conn, table, frame, by, now, progress)
    stage, resolved = f"jiuye_stage_{table.name}", f"jiuye_resolved_{table.name}"
    data = frame.select(*table.column_names, row_key_expr(table).alias("__row_key"))
    _load_staging(conn, stage, data, lambda n: progress(table.name, n, data.height) if progress else None)

    # Resolve references and the existing row per natural key in one statement.
    select: list[str] = ["s.__row_key"]
    joins: list[str] = []
    source: dict[str, str] = {}
    for i, col in enumerate(table.columns):
        if col.ref is not None:
            ref_table = TABLES[col.ref.table]
            alias = f"r{i}"
            joins.append(
                f"LEFT JOIN {_q(ref_table.name)} {alias} ON {alias}.{_q(col.ref.column)} = s.{_q(col.name)}"
            )
            source[col.db_name] = f"{alias}.id"
            select.append(f"{alias}.id AS {_q(col.db_name)}")
            select.append(f"s.{_q(col.name)} AS {_q('__nk_' + col.name)}")
        else:
            source[col.db_name] = f"s.{_q(col.name)}"
            select.append(f"s.{_q(col.name)}")
    joins.append(f"LEFT JOIN {_q(table.name)} t ON " + " AND ".join(_key_match(table, "t", source)))
    select.append("t.id AS __tid")
    temp_kw = "TEMPORARY TABLE"
    if dialect == "postgresql":
        conn.exec_driver_sql(
            f"CREATE {temp_kw} {_q(resolved)} ON COMMIT DROP AS SELECT {', '.join(select)} "
            f"FROM {_q(stage)} s {' '.join(joins)}"
        )
        conn.exec_driver_sql(f"ANALYZE {_q(resolved)}")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_q(resolved)}")
        conn.exec_driver_sql(
            f"CREATE {temp_kw} {_q(resolved)} AS SELECT {', '.join(select)} FROM {_q(stage)} s {' '.join(joins)}"
        )

    key_cols = set(table.key)
    value_cols = [c for c in table.columns if c.name not in key_cols]
    ts = sa.bindparam("now", type_=sa.DateTime(timezone=True))
    params = {"now": now, "by": by, "tname": table.name}

    # 1. The existing rows that differ, in a (normally small) table of their own, so the change log
    #    and the update read only them.  Skipped entirely when no row of the file exists yet.
    matched = conn.exec_driver_sql(f"SELECT count(*) FROM {_q(resolved)} WHERE __tid IS NOT NULL").scalar()
    if value_cols and matched:
        changed = f"jiuye_changed_{table.name}"
        differs = " OR ".join(_distinct(dialect, f"t.{_q(c.db_name)}", f"r.{_q(c.db_name)}") for c in value_cols)
        if dialect == "postgresql":
            create = f"CREATE TEMPORARY TABLE {_q(changed)} ON COMMIT DROP AS"
        else:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_q(changed)}")
            create = f"CREATE TEMPORARY TABLE {_q(changed)} AS"
        conn.exec_driver_sql(
            f"{create} SELECT r.* FROM {_q(resolved)} r JOIN {_q(table.name)} t ON t.id = r.__tid WHERE {differs}"
        )

        # 2. change_log: one row per changed value, old and new in file notation.
        parts = []
        for col in value_cols:
            stored = f"t.{_q(col.db_name)}"
            new = f"r.{_q(col.db_name)}"
            if col.ref is not None:
                ref_table = TABLES[col.ref.table]
                old_text = (
                    f"(SELECT x.{_q(col.ref.column)} FROM {_q(ref_table.name)} x WHERE x.id = {stored})"
                )
                new_text = f"r.{_q('__nk_' + col.name)}"
            else:
                old_text = _sql_text(dialect, col, stored)
                new_text = _sql_text(dialect, col, new)
            parts.append(
                f"SELECT :tname, r.__row_key, '{col.name}', {old_text}, {new_text}, :now, :by "
                f"FROM {_q(changed)} r JOIN {_q(table.name)} t ON t.id = r.__tid "
                f"WHERE {_distinct(dialect, stored, new)}"
            )
        stmt = sa.text(
            "INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_at, "
            "changed_by) " + " UNION ALL ".join(parts)
        ).bindparams(ts)
        counts.values_changed = conn.execute(stmt, params).rowcount or 0

        # 3. update them.
        sets = ", ".join(f"{_q(c.db_name)} = r.{_q(c.db_name)}" for c in value_cols)
        stmt = sa.text(
            f"UPDATE {_q(table.name)} SET {sets}, updated_at = :now, updated_by = :by "
            f"FROM {_q(changed)} r WHERE {_q(table.name)}.id = r.__tid"
        ).bindparams(ts)
        counts.updated = conn.execute(stmt, params).rowcount or 0
        if dialect != "postgresql":
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_q(changed)}")

    # 4. insert the new rows.
    names = [c.db_name for c in table.columns]
    cols = ", ".join(_q(n) for n in names)
    stmt = sa.text(
        f"INSERT INTO {_q(table.name)} ({cols}, created_at, updated_at, created_by, updated_by) "
        f"SELECT {', '.join('r.' + _q(n) for n in names)}, :now, :now, :by, :by "
        f"FROM {_q(resolved)} r WHERE r.__tid IS NULL"
    ).bindparams(ts)
    counts.inserted = conn.execute(stmt, params).rowcount or 0
    counts.unchanged = data.height - counts.inserted - counts.updated
    if dialect != "postgresql":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_q(stage)}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_q(resolved)}")
    return counts


def existing_keys(conn: sa.Connection, table: Table, column: str, values: pl.Series) -> pl.Series:
    """Those of ``values`` present in ``table.column`` (chunked IN look-ups, or one scan when many)."""
    values = values.drop_nulls().unique()
    if values.is_empty():
        return values
    if values.len() > 20_000:
        rows = conn.exec_driver_sql(f"SELECT {_q(column)} FROM {_q(table.name)}").all()
        stored = pl.Series(column, [r[0] for r in rows], dtype=pl.String)
        return values.filter(values.is_in(stored.implode()))
    found: list[str] = []
    items = values.to_list()
    tbl = sa.table(table.name, sa.column(column))
    for start in range(0, len(items), 1000):
        part = items[start : start + 1000]
        stmt = sa.select(tbl.c[column]).where(tbl.c[column].in_(part))
        found.extend(r[0] for r in conn.execute(stmt))
    return pl.Series(column, found, dtype=pl.String)


def towns(conn: sa.Connection) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for district, name in conn.exec_driver_sql("SELECT district, name FROM towns"):
        out.setdefault(district, set()).add(name)
    return {k: frozenset(v) for k, v in out.items()}
