"""Database configuration, engines, sessions and migrations.

Which database
--------------
``JIUYE_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/jiuye``; a plain
``postgresql://`` URL is read as psycopg 3) or, by default, the SQLite file ``JIUYE_DB_PATH``
(default ``./jiuye.db``).  Every command that touches the database also takes ``--db URL``.

SQLite runs with WAL journaling, ``foreign_keys=ON`` and a busy timeout, so that an export can read
while an import writes.

Services take a :class:`sqlalchemy.orm.Session` (or connection) and never commit; commands own the
transaction through :func:`session_scope`.
"""

from __future__ import annotations

import csv
import functools
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jiuye.cli import UserError

ENV_URL = "JIUYE_DATABASE_URL"
ENV_PATH = "JIUYE_DB_PATH"
DEFAULT_PATH = "jiuye.db"
REFERENCE_DATA_BY = "jiuye db upgrade"


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


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@functools.cache
def get_engine(url: str | None = None) -> sa.Engine:
    """One engine per URL (cached)."""
    resolved = database_url(url)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(resolved, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(resolved, pool_pre_ping=True)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


# --- migrations ------------------------------------------------------------------------------------


def load_models() -> sa.MetaData:
    """Import every ``jiuye.<room>.models`` module and return the shared metadata they declare into.

    Alembic's env and the migration/model consistency test use this, so a room's tables are known as
    soon as its ``models`` module exists (declare them on ``jiuye.registry.models.metadata``).
    """
    import importlib
    import importlib.util
    import pkgutil

    import jiuye
    from jiuye.registry.models import metadata

    for info in pkgutil.iter_modules(jiuye.__path__):
        if info.ispkg and importlib.util.find_spec(f"jiuye.{info.name}.models") is not None:
            importlib.import_module(f"jiuye.{info.name}.models")
    return metadata


def alembic_config(url: str | None = None, connection: sa.Connection | None = None) -> Any:
    """A programmatic Alembic config: scripts from the installed package, no alembic.ini needed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "jiuye:migrations")
    cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must form one chain, found heads {heads}")
    return str(heads[0])


def current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _connect_problem(url: str, exc: Exception) -> DatabaseNotReady:
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    return DatabaseNotReady(
        f"无法连接数据库 {display_url(url)}：{reason}。请检查 {ENV_URL}（或 --db）和数据库服务是否正常。"
    )


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Apply the migrations up to ``revision`` and (re)load the district/town reference rows.

    Returns the revision the database is at afterwards.
    """
    from alembic import command

    resolved = database_url(url)
    path = sqlite_path(resolved)
    if path is not None and not path.parent.exists():
        raise DatabaseNotReady(f"数据库文件所在目录不存在：{path.parent}")
    engine = get_engine(resolved)
    try:
        with engine.begin() as conn:
            before = current_revision(conn)
            command.upgrade(alembic_config(resolved, conn), revision)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise _connect_problem(resolved, exc) from exc
    with session_scope(resolved) as session:
        rev = current_revision(session.connection())
        if rev is not None and rev >= AUDIT_KEY_REVISION:
            ensure_audit_key(session, legacy=before is None or before < AUDIT_KEY_REVISION)
        load_reference_data(session)
    return rev or ""


AUDIT_KEY_REVISION = "0007_money_safety"  # from this revision on the audit chain is keyed


def ensure_audit_key(session: Session, legacy: bool) -> None:
    """Create the audit chain key (outside the database) when there is none.

    A new database, or one upgraded from before keyed chains (``legacy``: its events stay plain SHA-256),
    gets a fresh key.  A keyed database whose key file is missing is refused: a new key would make its
    chain unverifiable, so the file must be restored from backup.
    """
    from jiuye.audit.keys import AuditKeyMissing, create_key, load_key, session_audit_dir
    from jiuye.audit.service import head

    folder = session_audit_dir(session)
    try:
        load_key(folder)
        return
    except AuditKeyMissing:
        seq = head(session)[0]
        if seq and not legacy:
            raise
        create_key(folder, seq + 1)


def check_ready(url: str | None = None) -> sa.Engine:
    """The engine for ``url`` after checking that the database is reachable and fully migrated.

    Raises :class:`DatabaseNotReady` (a :class:`jiuye.cli.UserError`, Chinese message) otherwise.
    """
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


# --- sessions --------------------------------------------------------------------------------------


@contextmanager
def session_scope(url: str | None = None, *, check: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on an exception.

    With ``check=True`` the database is first checked with :func:`check_ready`.
    """
    engine = check_ready(url) if check else get_engine(url)
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- reference data --------------------------------------------------------------------------------


def reference_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Districts and towns from the packaged ``districts.csv``."""
    text = resources.files("jiuye.registry").joinpath("districts.csv").read_text(encoding="utf-8")
    districts: dict[str, dict[str, str]] = {}
    towns: list[dict[str, str]] = []
    for row in csv.DictReader(io.StringIO(text)):
        districts.setdefault(
            row["district"],
            {"district": row["district"], "name": row["district_name"], "admin_code": row["admin_code"]},
        )
        if row["town"]:
            towns.append({"district": row["district"], "name": row["town"], "kind": row["town_kind"]})
    return list(districts.values()), towns


def load_reference_data(session: Session, by: str = REFERENCE_DATA_BY) -> int:
    """Insert or update the district and town rows; returns how many rows changed (0 when current)."""
    from jiuye.registry.models import TABLES, audit_values

    districts, towns = reference_rows()
    changed = 0
    for name, rows, key in (("districts", districts, ("district",)), ("towns", towns, ("district", "name"))):
        table = TABLES[name]
        existing = {
            tuple(r[k] for k in key): r
            for r in session.execute(sa.select(*(table.c[c] for c in rows[0]), table.c.id)).mappings()
        }
        for row in rows:
            old = existing.get(tuple(row[k] for k in key))
            if old is None:
                session.execute(sa.insert(table).values(**row, **audit_values(by)))
                changed += 1
            elif any(old[c] != v for c, v in row.items()):
                values = {**row, **audit_values(by, created=False)}
                session.execute(sa.update(table).where(table.c.id == old["id"]).values(**values))
                changed += 1
    return changed
