"""SQLAlchemy 2.x tables of the registry, built from :mod:`jiuye.registry.schema`.

Every declared table becomes a :class:`sqlalchemy.Table` in the shared :data:`jiuye.db.metadata.metadata`
(shared with :class:`Base`, so later hand-written ORM models land in the same metadata and the same migrations):

- ``id`` surrogate primary key (BIGINT; INTEGER on SQLite so that it is the rowid);
- one stored column per logical column (:attr:`jiuye.registry.schema.Column.db_name`): references are
  ``<name>_id`` foreign keys to the referenced table's ``id``; money is BIGINT fen; months are DATE (the
  first day); enums and towns are text (checked on import, so adding an enum value needs no migration);
- a unique index on the natural key (NULLs in an optional key column compare equal, via COALESCE);
- the audit columns ``created_at``, ``updated_at`` (timestamps, default now), ``created_by``,
  ``updated_by`` (the import id or user name, required).

Besides the declared tables: ``change_log`` (one row per changed value, written by imports) and
``import_runs`` (one row per import run).

Adding a table: declare it with :func:`jiuye.registry.schema.register` (or write an ORM model on
:class:`Base`), then add an Alembic revision in ``jiuye/migrations/versions``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.metadata import (  # re-exported: the shared metadata and columns live in jiuye.db
    ID_TYPE,
    NAMING_CONVENTION,
    TIMESTAMP,
    Base,
    audit_columns,
    audit_values,
    metadata,
)
from jiuye.db.migrate import on_upgrade
from jiuye.registry import schema

__all__ = [
    "ID_TYPE",
    "NAMING_CONVENTION",
    "TABLES",
    "TIMESTAMP",
    "Base",
    "audit_columns",
    "audit_values",
    "build_table",
    "change_log",
    "import_runs",
    "metadata",
    "sync_tables",
]  # fmt: skip

def _column_type(col: schema.Column) -> sa.types.TypeEngine[Any]:
    if col.ref is not None:
        return ID_TYPE
    if col.type in ("date", "month"):
        return sa.Date()
    if col.type == "bool":
        return sa.Boolean()
    if col.type == "int":
        return sa.Integer()
    if col.type == "money":
        return sa.BigInteger()
    if col.type == "enum":
        return sa.String(32)
    if col.length is not None:
        return sa.String(col.length)
    return sa.Text()


def build_table(spec: schema.Table, meta: sa.MetaData = metadata) -> sa.Table:
    columns: list[Any] = [sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True)]
    for col in spec.columns:
        args: list[Any] = []
        if col.ref is not None:
            args.append(sa.ForeignKey(f"{col.ref.table}.id"))
        columns.append(
            sa.Column(col.db_name, _column_type(col), *args, nullable=not col.required, comment=col.header)
        )
    columns.extend(audit_columns())
    table = sa.Table(spec.name, meta, *columns, comment=spec.title)
    key_cols = [spec.column(k) for k in spec.key]
    if all(c.required for c in key_cols):
        names = [c.db_name for c in key_cols]
        table.append_constraint(sa.UniqueConstraint(*names, name=f"uq_{spec.name}_key"))
    else:
        exprs: list[Any] = []
        for c in key_cols:
            if c.required:
                exprs.append(table.c[c.db_name])
            elif c.ref is not None or c.type == "int":
                exprs.append(sa.func.coalesce(table.c[c.db_name], 0))
            elif c.type in ("str", "enum", "town"):
                exprs.append(sa.func.coalesce(table.c[c.db_name], ""))
            else:
                raise ValueError(f"{spec.name}.{c.name}: optional key column of type {c.type}")
        sa.Index(f"uq_{spec.name}_key", *exprs, unique=True)
    # look-ups by reference that the natural key does not already start with
    for col in spec.references:
        if spec.key[0] != col.name:
            sa.Index(f"ix_{spec.name}_{col.db_name}", table.c[col.db_name])
    return table


TABLES: dict[str, sa.Table] = {}


def sync_tables() -> dict[str, sa.Table]:
    """Build the tables of every declared table not built yet (call after ``schema.register``)."""
    for name in schema.dependency_order():
        if name not in TABLES:
            TABLES[name] = build_table(schema.TABLES[name])
    return TABLES


sync_tables()

change_log = sa.Table(
    "change_log",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("row_key", sa.Text(), nullable=False, comment="natural key values as in files, joined by |"),
    sa.Column("column_name", sa.String(64), nullable=False),
    sa.Column("old_value", sa.Text(), nullable=True),
    sa.Column("new_value", sa.Text(), nullable=True),
    sa.Column("changed_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("changed_by", sa.Text(), nullable=False),
    sa.Index("ix_change_log_table_name_row_key", "table_name", "row_key"),
    comment="变更记录",
)

import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True, comment="import id (written to created_by/updated_by)"),
    sa.Column("table_name", sa.String(64), nullable=True),
    sa.Column("file_name", sa.Text(), nullable=True),
    sa.Column("file_sha256", sa.String(64), nullable=True),
    sa.Column("started_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("finished_at", TIMESTAMP, nullable=True),
    sa.Column("by_user", sa.Text(), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, comment="running | committed | rejected | failed"),
    sa.Column("rows_read", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("rows_inserted", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("rows_updated", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("rows_unchanged", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("rows_rejected", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("message", sa.Text(), nullable=True),
    comment="导入记录",
)


@on_upgrade
def _reference_data(session: Session) -> None:
    """After every ``jiuye db upgrade``: (re)load the district and town rows."""
    from jiuye.registry.reference import load_reference_data

    load_reference_data(session)
