"""Which database, its engines and sessions.

Which database
--------------
``JIUYE_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/jiuye``; a plain
``postgresql://`` URL is read as psycopg 3) or, by default, the SQLite file ``JIUYE_DB_PATH``
(default ``./jiuye.db``).  Every command that touches the database also takes ``--db URL``.

SQLite runs with WAL journaling, ``foreign_keys=ON`` and one busy timeout (:data:`SQLITE_TIMEOUT_S`),
so that an export can read while an import writes.

Sessions
--------
Services take a :class:`sqlalchemy.orm.Session` (or connection) and never commit; commands own the
transaction through :func:`session_scope` (reads, and registry imports) or :func:`write_session`.
A write session on SQLite takes the write lock when its transaction *begins* (``BEGIN IMMEDIATE``):
otherwise two processes that read first and write later fail with "database is locked" instead of
waiting for each other.  On PostgreSQL both use the same engine; serialisation comes from row locks
and advisory locks in the services.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jiuye.errors import UserError

ENV_URL = "JIUYE_DATABASE_URL"
ENV_PATH = "JIUYE_DB_PATH"
DEFAULT_PATH = "jiuye.db"
SQLITE_TIMEOUT_S = 60  # how long a SQLite connection waits for another writer


class DatabaseNotReady(UserError):
    """The database cannot be reached or is not migrated to the current revision (exit status 3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 3)


def database_url(url: str | None = None) -> str:
    """The URL to use: ``url`` if given, else ``$JIUYE_DATABASE_URL``, else the SQLite file."""
    chosen = url or os.environ.get(ENV_URL) or ""
    if not chosen:
        path = os.environ.get(ENV_PATH) or DEFAULT_PATH
        chosen = f"sqlite:///{path}"
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
    return chosen


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_conn: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL",
                   f"busy_timeout={SQLITE_TIMEOUT_S * 1000}"):  # fmt: skip
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    _sqlite_pragmas(dbapi_conn)


def _sqlite_connect_immediate(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # BEGIN is issued by _sqlite_begin_immediate
    _sqlite_pragmas(dbapi_conn)


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_engine(url: str, *, immediate: bool) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT_S})
    sa.event.listen(engine, "connect", _sqlite_connect_immediate if immediate else _sqlite_connect)
    if immediate:
        sa.event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


@functools.cache
def get_engine(url: str | None = None) -> sa.Engine:
    """One engine per URL (cached); on SQLite transactions begin deferred (readers do not block)."""
    resolved = database_url(url)
    if make_url(resolved).get_backend_name() == "sqlite":
        return _sqlite_engine(resolved, immediate=False)
    return sa.create_engine(resolved, pool_pre_ping=True)


@functools.cache
def write_engine(url: str | None = None) -> sa.Engine:
    """The engine of :func:`write_session`: on SQLite every transaction begins ``IMMEDIATE``."""
    resolved = database_url(url)
    if make_url(resolved).get_backend_name() != "sqlite":
        return get_engine(resolved)
    return _sqlite_engine(resolved, immediate=True)


def _connect_problem(url: str, exc: Exception) -> DatabaseNotReady:
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    return DatabaseNotReady(
        f"无法连接数据库 {display_url(url)}：{reason}。请检查 {ENV_URL}（或 --db）和数据库服务是否正常。"
    )


def check_ready(url: str | None = None) -> sa.Engine:
    """The engine for ``url`` after checking that the database is reachable and fully migrated.

    Raises :class:`DatabaseNotReady` (a :class:`jiuye.errors.UserError`, Chinese message) otherwise.
    """
    from jiuye.db.migrate import current_revision, head_revision

    resolved = database_url(url)
    path = sqlite_path(resolved)
    if path is not None and not path.exists():
        raise DatabaseNotReady(f"数据库文件不存在：{path}。请先运行：jiuye db upgrade")
    engine = get_engine(resolved)
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise _connect_problem(resolved, exc) from exc
    head = head_revision()
    if current is None:
        raise DatabaseNotReady(f"数据库 {display_url(resolved)} 尚未初始化。请先运行：jiuye db upgrade")
    if current != head:
        raise DatabaseNotReady(
            f"数据库 {display_url(resolved)} 的结构版本为 {current}，当前程序需要 {head}。"
            "请先运行：jiuye db upgrade"
        )
    return engine


@contextmanager
def session_scope(url: str | None = None, *, check: bool = False, write: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on an exception.

    ``check=True`` first checks the database with :func:`check_ready`; ``write=True`` uses
    :func:`write_engine` (the write lock from the start on SQLite).
    """
    resolved = database_url(url)
    if check:
        check_ready(resolved)
    engine = write_engine(resolved) if write else get_engine(resolved)
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def write_session(url: str | None = None, *, check: bool = True) -> Iterator[Session]:
    """The session of every command that changes the ledger, matching or supervision state: checked,
    holding the write lock from the start (SQLite), committed on success, rolled back otherwise."""
    with session_scope(url, check=check, write=True) as session:
        yield session


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name
