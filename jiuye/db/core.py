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

import errno
import functools
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jiuye.errors import CONFLICT, UserError

ENV_URL = "JIUYE_DATABASE_URL"
ENV_PATH = "JIUYE_DB_PATH"
DEFAULT_PATH = "jiuye.db"
SQLITE_TIMEOUT_S = 60  # how long a SQLite connection waits for another writer
SUPPORTED = ("sqlite", "postgresql")
WRITE_LOCK_KEY = 0x6A697579  # PostgreSQL advisory lock held by every write session ("jiuy")
EXIT_BUSY = 75  # another task holds the write lock and did not finish in time (EX_TEMPFAIL)
EXIT_IO = 74  # a file or the disk failed (EX_IOERR)


class DatabaseBusy(UserError):
    """Another task is writing; this one wrote nothing (exit status 4)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_BUSY)


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
    _check_url(chosen, url)
    return chosen


def _check_url(chosen: str, given: str | None) -> None:
    """A Chinese message for a URL that is not one of ours (garbage, another database, a bad driver)."""
    source = "--db" if given else ENV_URL
    try:
        parsed = make_url(chosen)
    except Exception:  # sqlalchemy.exc.ArgumentError, ValueError …
        raise DatabaseNotReady(
            f"数据库地址无法识别（来自 {source}）。应为 sqlite:///文件路径 或 "
            "postgresql://用户@主机:端口/库名，请检查后重试。"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise DatabaseNotReady(
            f"不支持的数据库类型“{backend}”（来自 {source}）。本系统只支持 SQLite（sqlite:///文件路径）和 "
            "PostgreSQL（postgresql://用户@主机:端口/库名）。"
        )
    driver = parsed.get_driver_name()
    if backend == "postgresql" and driver != "psycopg":
        raise DatabaseNotReady(
            f"不支持的 PostgreSQL 驱动“{driver}”（来自 {source}）。请使用 postgresql:// 或 postgresql+psycopg:// 开头的地址。"
        )
    if backend == "sqlite" and driver not in ("pysqlite", ""):
        raise DatabaseNotReady(f"不支持的 SQLite 驱动“{driver}”（来自 {source}）。请使用 sqlite:///文件路径。")


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


SQLITE_MAGIC = b"SQLite format 3\x00"
READ_ONLY: dict[int, str] = {}  # id(engine) -> path, for engines opened read-only


def _sqlite_pragmas(dbapi_conn: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL",
                   f"busy_timeout={SQLITE_TIMEOUT_S * 1000}"):  # fmt: skip
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_pragmas_read_only(dbapi_conn: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ("foreign_keys=ON", "query_only=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Read-only: through the WAL when SQLite can share it, else the file as it stands (immutable)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def writable(path: Path) -> bool:
    """Whether this process may write the SQLite file and its directory (WAL needs -wal/-shm files)."""
    return os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else Path("."), os.W_OK)


def _not_sqlite(path: Path) -> DatabaseNotReady | None:
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except IsADirectoryError:
        return DatabaseNotReady(f"{path} 是目录，不是数据库文件。请检查 --db 或 {ENV_PATH}。")
    except OSError as exc:
        return DatabaseNotReady(f"无法读取数据库文件 {path}（{exc.strerror}）。请检查文件权限。")
    if head and head != SQLITE_MAGIC:
        return DatabaseNotReady(
            f"文件 {path} 不是 SQLite 数据库。请检查 --db / {ENV_URL} / {ENV_PATH} 是否指向正确的数据库文件。"
        )
    return None


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    _sqlite_pragmas(dbapi_conn)


def _sqlite_connect_immediate(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # BEGIN is issued by _sqlite_begin_immediate
    _sqlite_pragmas(dbapi_conn)


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    """Take the write lock; when another task holds it, say so and wait in line (up to the timeout)."""
    conn.exec_driver_sql("PRAGMA busy_timeout=200")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except sa.exc.OperationalError as exc:
        if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
            raise
        print(f"另一个任务正在写入数据库，正在排队等待（最多 {SQLITE_TIMEOUT_S} 秒）…", file=sys.stderr, flush=True)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_TIMEOUT_S * 1000}")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_TIMEOUT_S * 1000}")


def _sqlite_engine(url: str, *, immediate: bool) -> sa.Engine:
    path = sqlite_path(url)
    if path is not None and path.exists():
        problem = _not_sqlite(path)
        if problem is not None:
            raise problem
        if not writable(path):
            # A read-only file (or directory): open it read-only and immutable, so that reading needs no
            # -wal/-shm files and the read-only commands work; a write gets a Chinese message.
            engine = sa.create_engine(url, creator=functools.partial(_connect_read_only, path.resolve()))
            sa.event.listen(engine, "connect", lambda conn, _rec: _sqlite_pragmas_read_only(conn))
            READ_ONLY[id(engine)] = str(path)
            return engine
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


_CONNECT_REASONS = (
    ("Connection refused", "数据库服务没有响应（连接被拒绝），可能未启动或端口不对"),
    ("password authentication failed", "用户名或密码错误"),
    ("could not translate host name", "主机名无法解析"),
    ("Name or service not known", "主机名无法解析"),
    ("timeout expired", "连接超时"),
    ("unable to open database file", "无法打开数据库文件（目录不存在或没有权限）"),
)


def _connect_problem(url: str, exc: Exception) -> DatabaseNotReady:
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    path = sqlite_path(url)
    if path is not None and "not a database" in reason:
        return DatabaseNotReady(
            f"文件 {path} 不是 SQLite 数据库。请检查 --db / {ENV_URL} / {ENV_PATH} 是否指向正确的数据库文件。"
        )
    for needle, chinese in _CONNECT_REASONS:
        if needle in reason:
            reason = chinese
            break
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
    except sa.exc.DBAPIError as exc:
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
    if write and id(engine) in READ_ONLY:
        raise read_only_problem(READ_ONLY[id(engine)])
    with Session(engine) as session:
        try:
            if write and engine.dialect.name == "postgresql":
                take_write_lock(session)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def read_only_problem(path: str) -> DatabaseNotReady:
    return DatabaseNotReady(
        f"数据库文件 {path} 是只读的（本账户没有写权限），此命令需要写入。只读的查询、导出和审计核验可以照常运行；"
        "要写入，请用有写权限的账户运行，或把数据库复制到可写的位置。"
    )


# keyed by the schema too: a deployment lives in its own schema (search_path), and two deployments (or two
# test runs) sharing one PostgreSQL database must not queue behind each other (two int4 keys: purpose, schema)
_LOCK_KEY = "(:k, hashtext(current_schema()))"


def advisory_xact_lock(session: Session | sa.Connection, purpose: int, *, wait: bool = True) -> bool:
    """PostgreSQL: the transaction-scoped advisory lock of ``purpose`` (an int4 constant naming what it
    serialises: writes, payment, the audit chain, flags …) in this deployment's schema; released when the
    transaction ends.  ``wait=False`` only tries (returns whether it got it).  SQLite: no-op (returns True)
    — its writers are serialised by ``BEGIN IMMEDIATE``.  The one place advisory locks are keyed."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name != "postgresql":
        return True
    fn = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    got = session.execute(sa.text(f"SELECT {fn}{_LOCK_KEY}"), {"k": purpose}).scalar()
    return True if wait else bool(got)


# a lock named by text (e.g. one per background job), in this deployment's schema: one bigint key
_NAMED_KEY = "(hashtextextended(current_schema() || ':' || :name, 0))"


def hold_named_lock(conn: sa.Connection, name: str, *, hold: bool = True) -> None:
    """PostgreSQL: take (``hold``) or release the *session* advisory lock named ``name`` on ``conn``.  It
    lasts until released or until the connection ends — also when the process is killed (the server
    drops the dead client's session), which is what makes it a liveness mark.  SQLite: no-op."""
    if conn.dialect.name != "postgresql":
        return
    fn = "pg_advisory_lock" if hold else "pg_advisory_unlock"
    conn.execute(sa.text(f"SELECT {fn}{_NAMED_KEY}"), {"name": name})


def named_lock_free(session: Session | sa.Connection, name: str) -> bool:
    """PostgreSQL: whether nobody holds the lock named ``name`` (tried within this transaction, so it is
    released again at its end).  SQLite: True."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name != "postgresql":
        return True
    return bool(session.execute(sa.text(f"SELECT pg_try_advisory_xact_lock{_NAMED_KEY}"), {"name": name}).scalar())


@contextmanager
def exclusive_run(
    bind: sa.Engine | sa.Connection, name: str, busy: Callable[[], str], *, wait: bool = False
) -> Iterator[None]:
    """One holder at a time, across processes (the command line and the web server's worker), of the run
    named ``name`` for as long as the block lasts.  When another holds it: ``wait`` says ``busy()`` on
    stderr and queues behind it; otherwise refuses at once with ``busy()`` (CONFLICT).  The hold ends with
    the block or with its process, killed or not — so a killed run never blocks the next: PostgreSQL a
    session advisory lock on a connection of its own (the server drops a dead client's session); SQLite an
    ``flock`` on a file beside the database (the kernel drops it with the process).  The one place long
    runs (a whole match) are made exclusive."""
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    if engine.dialect.name == "postgresql":
        conn = engine.connect()
        try:
            got = conn.execute(sa.text(f"SELECT pg_try_advisory_lock{_NAMED_KEY}"), {"name": name}).scalar()
            if not got and wait:
                print(busy(), file=sys.stderr, flush=True)
                conn.execute(sa.text(f"SELECT pg_advisory_lock{_NAMED_KEY}"), {"name": name})
                got = True
            conn.commit()  # the session lock outlives the transaction; the connection stays idle, not in one
            if not got:
                raise UserError(busy(), CONFLICT)
            try:
                yield
            finally:
                try:
                    conn.execute(sa.text(f"SELECT pg_advisory_unlock{_NAMED_KEY}"), {"name": name})
                    conn.commit()
                except Exception:  # an unusable connection: drop it rather than pool a locked one
                    conn.invalidate()
        finally:
            conn.close()
        return
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:  # in-memory SQLite: one process, serialised by its write lock
        yield
        return
    import fcntl

    with open(path.with_name(f"{path.name}.{name.replace(':', '-')}.lock"), "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise UserError(busy(), CONFLICT) from None
            print(busy(), file=sys.stderr, flush=True)
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def exclusive_run_free(bind: sa.Engine | sa.Connection, name: str) -> bool:
    """Whether nobody holds the run ``name`` of :func:`exclusive_run` now (a probe, for a page to refuse
    before queueing; the run itself still takes it)."""
    try:
        with exclusive_run(bind, name, lambda: ""):
            return True
    except UserError:
        return False


def take_write_lock(session: Session | sa.Connection) -> None:
    """PostgreSQL: one writer at a time, in the order they asked (like SQLite's ``BEGIN IMMEDIATE``).

    A task that has to wait says so on stderr; the lock is released when its transaction ends.
    """
    if not advisory_xact_lock(session, WRITE_LOCK_KEY, wait=False):
        print("另一个任务正在写入数据库，正在排队等待…", file=sys.stderr, flush=True)
        advisory_xact_lock(session, WRITE_LOCK_KEY)


@contextmanager
def write_session(url: str | None = None, *, check: bool = True) -> Iterator[Session]:
    """The session of every command that changes the ledger, matching or supervision state: checked,
    holding the write lock from the start (SQLite), committed on success, rolled back otherwise."""
    with session_scope(url, check=check, write=True) as session:
        yield session


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def explain_error(exc: BaseException, url: str | None = None) -> UserError | None:
    """A Chinese message (with the remedy) for a database or file-system failure, or None when unknown.

    Used by the command line for whatever a command did not handle itself: no traceback reaches a user.
    """
    where = ""
    try:
        resolved = database_url(url)
        where = display_url(resolved)
    except UserError:
        resolved = ""
    orig: BaseException | None = None
    if isinstance(exc, sa.exc.DBAPIError):
        orig = exc.orig
    elif isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg"):
        orig = exc  # raised by a driver connection used directly (bulk loads)
    if orig is not None:
        text = str(orig or exc)
        name = type(orig).__name__
        if "database is locked" in text or "database is busy" in text or name in ("LockNotAvailable",):
            return DatabaseBusy(f"另一个任务正在写入数据库（{where}），请稍后再试。本命令没有写入任何内容。")
        if "readonly database" in text or "read-only" in text or name == "ReadOnlySqlTransaction":
            path = sqlite_path(resolved) if resolved else None
            return read_only_problem(str(path or where))
        if "disk is full" in text or name == "DiskFull":
            return UserError(f"磁盘空间不足，无法写入数据库（{where}）。本命令已撤销，数据库未作修改；请清理磁盘后重试。", EXIT_IO)
        if name in ("UniqueViolation", "SerializationFailure", "DeadlockDetected") or "UNIQUE constraint" in text:
            return DatabaseBusy(
                f"另一个任务同时写入了相同的数据（{where}），本命令已撤销，没有写入任何内容。请稍后再试。"
            )
        if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sqlite3.OperationalError):
            return DatabaseNotReady(
                f"数据库 {where} 出错或连接中断。本命令已撤销；请检查数据库服务后重试。"
            )
        return None
    if isinstance(exc, OSError):
        return os_problem(exc)
    return None


_ERRNO_TEXT = {
    errno.ENOENT: "路径不存在，请检查目录是否存在",
    errno.EACCES: "没有权限，请换一个有写权限的位置",
    errno.EPERM: "不允许此操作，请换一个位置",
    errno.ENOSPC: "磁盘空间不足，请清理磁盘后重试",
    errno.EROFS: "该位置在只读文件系统上，请换一个可写的位置",
    errno.ENOTDIR: "路径中的某一级不是目录，请检查路径",
    errno.EISDIR: "这是一个目录，请给出文件路径",
    errno.EEXIST: "已存在同名的文件，无法在此处创建目录，请换一个路径",
    errno.EDQUOT: "磁盘配额已用完，请清理后重试",
}


def os_problem(exc: OSError) -> UserError:
    """A file-system failure as a Chinese sentence naming the path and what to do (exit status 5)."""
    reason = _ERRNO_TEXT.get(exc.errno or -1, f"系统错误：{exc.strerror or type(exc).__name__}")
    target = f"“{exc.filename}”" if exc.filename else ""
    return UserError(f"无法读写{target}：{reason}。本命令没有完成，数据库未作修改。", EXIT_IO)
