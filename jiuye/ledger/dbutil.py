"""Write sessions for the ledger commands.

On SQLite a write transaction must take the write lock when it *begins* (``BEGIN IMMEDIATE``):
otherwise two processes that read first and write later fail with "database is locked" instead of
waiting for each other.  On PostgreSQL the ordinary engine is used; serialisation comes from row locks
and advisory locks in the services.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jiuye import db


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=60000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@functools.cache
def write_engine(url: str) -> sa.Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return db.get_engine(url)
    engine = sa.create_engine(url, connect_args={"timeout": 60})
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def write_session(url: str | None = None, *, check: bool = True) -> Iterator[Session]:
    """A session whose transaction holds the write lock from the start (SQLite); commits on success."""
    resolved = db.database_url(url)
    if check:
        db.check_ready(resolved)
    with Session(write_engine(resolved)) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name
