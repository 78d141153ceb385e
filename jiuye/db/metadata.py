"""The one :class:`sqlalchemy.MetaData` every room declares its tables on, and the shared columns.

- :data:`metadata` (with a naming convention, so constraint names are stable across databases) and
  :class:`Base` for ORM models on it;
- :data:`ID_TYPE`: surrogate keys are BIGINT (INTEGER on SQLite so that the key is the rowid);
- :data:`TIMESTAMP`: timestamps with time zone;
- :func:`audit_columns` / :func:`audit_values`: ``created_at``, ``updated_at`` (default now),
  ``created_by``, ``updated_by`` (the import id or user name, required).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def audit_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
        sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
    ]


def audit_values(by: str, now: dt.datetime | None = None, *, created: bool = True) -> dict[str, Any]:
    """The audit column values for a row inserted (``created=True``) or updated by ``by``."""
    now = now or dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {"updated_at": now, "updated_by": by}
    if created:
        values |= {"created_at": now, "created_by": by}
    return values
