"""Reading registry tables as Polars frames of *logical* columns (see :mod:`jiuye.registry.schema`).

A logical frame has one column per declared column, named as declared: references carry the
referenced row's natural key (``person`` = ID number, ``employer`` = credit code, ``org`` = org_id …),
money stays integer fen (``pl.Int64``), dates and months are ``pl.Date``, booleans ``pl.Boolean``,
ints ``pl.Int64``, enums their codes.  Export, the facts loader and import (to compare a file with
what is stored) all read through here.

Reads and bulk writes go through :mod:`jiuye.db.frames` (columnar: ``COPY`` on PostgreSQL, whole
columns on SQLite; no per-row Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from jiuye.db.frames import quote, read_frame, write_frame
from jiuye.registry import schema
from jiuye.registry.models import TABLES, sync_tables

POLARS_TYPES: dict[str, type[pl.DataType]] = {
    "str": pl.String, "date": pl.Date, "month": pl.Date, "bool": pl.Boolean, "int": pl.Int64,
    "money": pl.Int64, "enum": pl.String, "town": pl.String,
}  # fmt: skip

# Above this many values an ``IN (…)`` filter goes through a temporary table instead.
IN_LIST_LIMIT = 2000


def polars_schema(table: str) -> dict[str, type[pl.DataType]]:
    """The logical frame schema of ``table``."""
    return {c.name: POLARS_TYPES[c.type] for c in schema.TABLES[table].columns}


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table))


class _Query:
    """Builds ``SELECT <logical columns> FROM table LEFT JOIN <referenced tables>`` with scope filters."""

    def __init__(self, name: str) -> None:
        sync_tables()
        self.spec = schema.TABLES[name]
        self.table = TABLES[name]
        self.from_: Any = self.table
        self.aliases: dict[tuple[str, ...], Any] = {}
        self.columns: list[Any] = []
        for col in self.spec.columns:
            if col.ref is None:
                self.columns.append(self.table.c[col.db_name].label(col.name))
            else:
                parent = self._join((col.name,), self.table, col)
                key = schema.TABLES[col.ref.table].column(col.ref.column).db_name
                self.columns.append(parent.c[key].label(col.name))
        self.where: list[Any] = []

    def _join(self, path: tuple[str, ...], child: Any, col: schema.Column) -> Any:
        if path not in self.aliases:
            assert col.ref is not None
            alias = TABLES[col.ref.table].alias("r_" + "_".join(path))
            self.from_ = self.from_.outerjoin(alias, child.c[col.db_name] == alias.c.id)
            self.aliases[path] = alias
        return self.aliases[path]

    def scope_columns(self) -> tuple[Any | None, Any | None]:
        """The SQL expressions for the row's district and town (following ``Scope.via`` references)."""
        spec, table = self.spec, self.table
        path: tuple[str, ...] = ()
        for _ in range(5):
            if spec.scope.via is None:
                d = table.c[spec.scope.district] if spec.scope.district else None
                t = table.c[spec.scope.town] if spec.scope.town else None
                return d, t
            col = spec.column(spec.scope.via)
            assert col.ref is not None
            path = (*path, col.name)
            table = self._join(path, table, col)
            spec = schema.TABLES[col.ref.table]
        raise ValueError(f"{self.spec.name}: scope chain too long")

    def filter_scope(self, district: str | None, town: str | None) -> None:
        d, t = self.scope_columns()
        if district is not None:
            if d is None:
                raise ValueError(f"{self.spec.name}: no district to filter on")
            self.where.append(d == district)
        if town is not None:
            if t is None:
                raise ValueError(f"{self.spec.name}: no town to filter on")
            self.where.append(t == town)

    def select(self) -> sa.Select[Any]:
        stmt = sa.select(*self.columns).select_from(self.from_)
        for w in self.where:
            stmt = stmt.where(w)
        return stmt


def logical_select(table: str, district: str | None = None, town: str | None = None) -> sa.Select[Any]:
    """``SELECT`` of ``table``'s logical columns, optionally limited to a district / town (unordered)."""
    q = _Query(table)
    q.filter_scope(district, town)
    return q.select()


def read_table(
    conn: sa.Connection,
    table: str,
    district: str | None = None,
    town: str | None = None,
    *,
    where: Sequence[Any] = (),
    sort: bool = True,
) -> pl.DataFrame:
    """The rows of ``table`` as a logical frame, sorted by the natural key (nulls last) when ``sort``.

    ``where`` adds SQL conditions on the stored table (``TABLES[table].c…``).
    """
    stmt = logical_select(table, district, town)
    for w in where:
        stmt = stmt.where(w)
    frame = read_frame(conn, stmt, polars_schema(table))
    if sort:
        frame = frame.sort(list(schema.TABLES[table].key), nulls_last=True, maintain_order=True)
    return frame


def count_rows(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(TABLES[table])).scalar_one())


# --- writing -----------------------------------------------------------------------------------------


def key_map(conn: sa.Connection, table: str) -> pl.DataFrame:
    """``(natural key, id)`` of every row of a single-key table: columns ``key`` (String) and ``id``."""
    spec = schema.TABLES[table]
    if len(spec.key) != 1:
        raise ValueError(f"{table} has a composite key")
    t = TABLES[table]
    stmt = sa.select(t.c[spec.column(spec.key[0]).db_name].label("key"), t.c.id.label("id"))
    return read_frame(conn, stmt, {"key": pl.String, "id": pl.Int64})


def resolve_references(conn: sa.Connection, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Replace each reference column (natural key) of a logical frame by its stored ``<name>_id``.

    A reference that names no stored row raises :class:`ValueError` (import validates before this).
    """
    out = frame
    for col in schema.TABLES[table].references:
        if col.name not in out.columns:
            continue
        assert col.ref is not None
        keys = key_map(conn, col.ref.table).rename({"key": col.name, "id": col.db_name})
        out = out.join(keys, on=col.name, how="left", maintain_order="left")
        missing = out.filter(pl.col(col.name).is_not_null() & pl.col(col.db_name).is_null())
        if missing.height:
            shown = ", ".join(missing[col.name].unique(maintain_order=True).head(5).to_list())
            raise ValueError(
                f"{table}.{col.name}: {missing.height} rows name unknown {col.ref.table}: {shown}"
            )
        out = out.drop(col.name)
    return out


def insert_frame(conn: sa.Connection, table: str, frame: pl.DataFrame, by: str) -> int:
    """Insert the rows of a logical frame (references by natural key) into ``table``; returns the count.

    A bulk path for demo data, tests and imports of new rows: PostgreSQL uses ``COPY FROM STDIN``,
    SQLite ``executemany``.  Missing optional columns are stored as NULL; the audit columns get ``by``
    and the current time.  Does not commit.
    """
    if frame.height == 0:
        return 0
    spec = schema.TABLES[table]
    sync_tables()
    present = [c for c in spec.columns if c.name in frame.columns]
    stored = resolve_references(conn, table, frame.select(c.name for c in present))
    names = [c.db_name for c in present]
    stored = stored.select(names).with_columns(
        pl.lit(by).alias("created_by"), pl.lit(by).alias("updated_by")
    )
    write_frame(conn, quote(table), stored.with_columns(pl.col(pl.Boolean).cast(pl.Int8)))
    return frame.height
