"""Polars frames in and out of the database: the one bulk I/O module.

Reads are columnar: PostgreSQL streams ``COPY (SELECT …) TO STDOUT`` CSV straight into
``pl.read_csv``; SQLite fetches raw tuples and converts whole columns (no per-row Python).  For a
whole-table extract from PostgreSQL :func:`adbc_reader` reads Arrow through the ADBC driver (its own
connection: it sees *committed* data only).

Writes: ``COPY … FROM STDIN`` (CSV) on PostgreSQL, one ``executemany`` per chunk on SQLite.

Only ``pl.String``, ``pl.Date``, ``pl.Boolean`` and integer columns are supported.  Nothing here
commits: the caller's transaction decides.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from typing import Any, Protocol

import polars as pl
import sqlalchemy as sa

CHUNK_ROWS = 50_000
# From this many rows, constant columns are loaded as temporary column defaults on PostgreSQL.
CONSTANTS_AS_DEFAULTS_ROWS = 20_000

# a select (or an ``UPDATE … RETURNING``) whose values travel as bound parameters, or SQL text
Query = sa.Select[Any] | sa.Update | sa.Delete | sa.Insert | str
Params = dict[str, Any] | None
# From this many values (long IN-lists of ids or keys), a statement is rendered with literals instead of bound
# parameters: far cheaper to compile, and below SQLite's limit of 32,766 host parameters per statement.
LITERAL_LIST_PARAMS = 2_000


def quote(name: str) -> str:
    """A SQL identifier in double quotes (both databases)."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- reading ---------------------------------------------------------------------------------------


def bound_sql(conn: sa.Connection, query: Query, params: Params = None) -> tuple[str, Any]:
    """``query`` as SQL for ``conn``'s driver with its values as bound parameters (never spliced into the
    text): psycopg's named ``%(name)s`` on PostgreSQL (a dict), SQLite's ``?`` (a tuple).  SQL text is
    returned as it is, with ``params`` (``None``: the text is not scanned for placeholders)."""
    if isinstance(query, str):
        return query, params
    plain = query.compile(dialect=conn.dialect)
    count = sum(len(v) if plain.binds[k].expanding else 1 for k, v in plain.params.items())
    if count > LITERAL_LIST_PARAMS:
        # a long IN-list the program built (ids, keys): as literals rendered by SQLAlchemy, as before — one
        # bound parameter per element costs 5× more to compile and merge (0.6 s vs 0.12 s per 100k)
        return _unescaped(conn, str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.params | (params or {})
    if conn.dialect.name == "postgresql":
        return (str(compiled), values) if values else _unescaped(conn, str(compiled))
    return str(compiled), tuple(_sqlite_value(values[name]) for name in compiled.positiontup or [])


def _unescaped(conn: sa.Connection, sql: str) -> tuple[str, None]:
    """Compiled SQL to run without parameters: for psycopg SQLAlchemy doubles every ``%`` of the text (in string
    literals too), which psycopg turns back into one only when it merges parameters (``COPY`` merges none
    when there are none) — sent as it is, ``name IN ('50%%')`` would compare with ``50%%``."""
    return _literal_sql(conn.dialect, sql), None


def _literal_sql(dialect: sa.Dialect, sql: str) -> str:
    """SQL compiled for ``dialect`` as the server reads it when no driver merges parameters into it."""
    return sql.replace("%%", "%") if dialect.identifier_preparer._double_percents else sql


def _sqlite_value(value: Any) -> Any:
    """A parameter as the SQLite dialect stores it (dates and timestamps are text there)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return int(value)
    return value


def read_frame(conn: sa.Connection, query: Query, dtypes: dict[str, Any], params: Params = None) -> pl.DataFrame:
    """Run ``query`` and return its rows as a frame with exactly ``dtypes`` (columns in select order).

    ``query``: a select or a DML statement with ``RETURNING`` (its values are sent as bound parameters), or
    SQL text with optional ``params`` (PostgreSQL: psycopg's ``%(name)s``; SQLite: ``?`` and a tuple)."""
    names = list(dtypes)
    sql, values = bound_sql(conn, query, params)
    if conn.dialect.name == "postgresql":
        return _read_postgres(conn, sql, values, names, dtypes)
    rows = conn.exec_driver_sql(sql, values).fetchall() if values else conn.exec_driver_sql(sql).fetchall()
    raw = {n: (pl.Int64 if dtypes[n] == pl.Boolean or dtypes[n].is_integer() else pl.String) for n in names}
    frame = pl.DataFrame(rows, schema=raw, orient="row")
    return frame.select(_convert(n, dtypes[n], raw[n]) for n in names)


def _convert(name: str, target: Any, raw: Any) -> pl.Expr:
    col = pl.col(name)
    if target == raw:
        return col
    if target == pl.Date:
        return col.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name)
    if target == pl.Boolean and raw == pl.String:
        return pl.when(col.is_null()).then(None).otherwise(col.is_in(["t", "true", "1"])).alias(name)
    return col.cast(target).alias(name)


def _read_postgres(
    conn: sa.Connection, sql: str, params: Params, names: list[str], dtypes: dict[str, Any]
) -> pl.DataFrame:
    raw_conn = conn.connection.driver_connection
    assert raw_conn is not None
    buf = io.BytesIO()
    # COPY takes no server-side parameters: psycopg merges them client-side, quoted by its own adapters
    with raw_conn.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for chunk in copy:
            buf.write(chunk)
    if buf.tell() == 0:
        return pl.DataFrame(schema=dtypes)
    buf.seek(0)
    read_types = {n: (pl.String if dtypes[n] == pl.Boolean else dtypes[n]) for n in names}
    # unquoted empty fields are NULL (PostgreSQL writes '' as "")
    frame = pl.read_csv(buf, has_header=False, new_columns=names, schema=read_types)
    return frame.select(_convert(n, dtypes[n], read_types[n]) for n in names)


class Reader(Protocol):
    def __call__(self, stmt: sa.Select[Any], dtypes: dict[str, Any]) -> pl.DataFrame: ...

    def close(self) -> None: ...


class _AdbcReader:
    def __init__(self, engine: sa.Engine) -> None:
        import adbc_driver_postgresql.dbapi as adbc

        self._dialect = engine.dialect
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = adbc.connect(url)

    def __call__(self, stmt: sa.Select[Any], dtypes: dict[str, Any]) -> pl.DataFrame:
        # compiled for psycopg (every % doubled), run by ADBC, which merges no parameters
        sql = _literal_sql(self._dialect, str(stmt.compile(dialect=self._dialect, compile_kwargs={"literal_binds": True})))
        with self._conn.cursor() as cur:
            cur.execute(sql)
            frame = pl.DataFrame(cur.fetch_arrow())
        if frame.width == 0:
            return pl.DataFrame(schema=dtypes)
        return frame.select(pl.col(n).cast(d) for n, d in dtypes.items())

    def close(self) -> None:
        self._conn.close()


class _PgSnapshotReader(_AdbcReader):
    """:class:`_AdbcReader` inside one ``REPEATABLE READ READ ONLY`` transaction: every read sees the same
    committed state (PostgreSQL's snapshot is taken by the first statement)."""

    def __init__(self, engine: sa.Engine) -> None:
        super().__init__(engine)
        with self._conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def close(self) -> None:
        try:
            self._conn.rollback()
        finally:
            super().close()


class SnapshotError(RuntimeError):
    """The snapshot reader failed after it had started (its reads cannot be completed elsewhere)."""


class _SqliteChildReader:
    """Reads a SQLite file through ADBC in a child process (``sqlite_child.py``) inside one read
    transaction; results come back as Arrow IPC.  The child, not this process, opens the file with ADBC's
    own SQLite library (two SQLite libraries on one file in one process break its POSIX locking)."""

    def __init__(self, engine: sa.Engine, path: str) -> None:
        import subprocess
        import sys
        from pathlib import Path

        self._dialect = engine.dialect
        child = Path(__file__).with_name("sqlite_child.py")
        self._proc = subprocess.Popen(
            [sys.executable, str(child), path, str(SQLITE_CHILD_BUSY_MS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        ok, payload = self._receive()
        if not ok:
            self.close()
            raise ImportError(payload.decode("utf-8", "replace"))

    def _receive(self) -> tuple[bool, bytearray]:
        import struct

        out = self._proc.stdout
        assert out is not None
        head = out.read(9)
        if len(head) != 9:
            raise SnapshotError("读取登记库的子进程意外退出。")
        (size,) = struct.unpack(">Q", head[1:])
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            n = out.readinto(view[got:])  # type: ignore[attr-defined]
            if not n:
                raise SnapshotError("读取登记库的子进程意外退出。")
            got += n
        return head[:1] == b"O", data

    def __call__(self, stmt: sa.Select[Any], dtypes: dict[str, Any]) -> pl.DataFrame:
        import struct

        inner = str(stmt.compile(dialect=self._dialect, compile_kwargs={"literal_binds": True}))
        # one storage class per column, whatever the rows hold: the driver types a column by its values
        cols = ", ".join(
            f"CAST(q.{quote(n)} AS {'INTEGER' if _integer_like(d) else 'TEXT'}) AS {quote(n)}" for n, d in dtypes.items()
        )
        sql = f"SELECT {cols} FROM ({inner}) AS q".encode()
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(struct.pack(">I", len(sql)) + sql)
            stdin.flush()
        except OSError as exc:
            raise SnapshotError("读取登记库的子进程意外退出。") from exc
        ok, payload = self._receive()
        if not ok:
            raise SnapshotError(f"读取登记库失败：{payload.decode('utf-8', 'replace')}")
        frame = pl.read_ipc_stream(io.BytesIO(payload))
        raw = {n: (pl.Int64 if _integer_like(d) else pl.String) for n, d in dtypes.items()}
        if frame.height == 0:
            return pl.DataFrame(schema=dtypes)
        frame = frame.select(pl.col(n).cast(raw[n]) for n in dtypes)
        return frame.select(_convert(n, dtypes[n], raw[n]) for n in dtypes)

    def close(self) -> None:
        proc = self._proc
        try:
            if proc.stdin is not None and proc.poll() is None:
                proc.stdin.write(b"\0\0\0\0")
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _integer_like(dtype: Any) -> bool:
    return bool(dtype == pl.Boolean or dtype.is_integer())


SQLITE_CHILD_BUSY_MS = 30_000


def snapshot_reader(bind: Any) -> Reader | None:
    """A reader whose every read sees ONE committed state of the database (a snapshot), for a whole-registry
    extract and the fingerprint that names it: PostgreSQL through ADBC in a ``REPEATABLE READ`` transaction;
    a SQLite *file* through ADBC in a child process (one read transaction).  None when no such reader can
    be had (in-memory or read-only SQLite, the ADBC driver not installed, ``JIUYE_NO_ADBC`` set): the
    caller then reads through its own connection.  Close it after use."""
    if not isinstance(bind, sa.Engine) or os.environ.get("JIUYE_NO_ADBC"):
        return None
    if bind.dialect.name == "postgresql":
        try:
            return _PgSnapshotReader(bind)
        except ImportError:
            return None
    from jiuye.db.core import READ_ONLY

    path = bind.url.database
    if bind.dialect.name != "sqlite" or not path or path == ":memory:" or id(bind) in READ_ONLY:
        return None
    try:
        return _SqliteChildReader(bind, os.path.abspath(path))
    except ImportError:
        return None


def adbc_reader(bind: Any) -> Reader | None:
    """An Arrow reader on its own ADBC connection to ``bind`` (a PostgreSQL engine); None for other
    databases, when the driver is not installed, or when ``JIUYE_NO_ADBC`` is set.  Close it after use."""
    if not isinstance(bind, sa.Engine) or bind.dialect.name != "postgresql" or os.environ.get("JIUYE_NO_ADBC"):
        return None
    try:
        return _AdbcReader(bind)
    except ImportError:
        return None


# --- writing ---------------------------------------------------------------------------------------


def write_frame(
    conn: sa.Connection,
    target: str,
    frame: pl.DataFrame,
    *,
    constants: dict[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
    drop_empty: bool = False,
) -> int:
    """Bulk-load ``frame`` (columns named as the target's) into the table ``target`` (SQL text, quoted
    by the caller where needed): ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite; in
    chunks of :data:`CHUNK_ROWS`, reporting the rows written so far to ``on_progress``.

    ``constants``: text columns with the same value in every row.  ``drop_empty``: leave out columns
    that are empty in every row (the database fills in NULL or the column default) — which matters to
    SQLite, where every value passes through Python.  Returns the number of rows.
    """
    if frame.height == 0:
        return 0
    raw = conn.connection.driver_connection
    assert raw is not None
    constants = constants or {}
    progress = on_progress or (lambda _n: None)
    if drop_empty:
        frame = frame.drop([c for c in frame.columns if frame.get_column(c).null_count() == frame.height])
    done = 0
    if conn.dialect.name == "postgresql":
        restore: list[str] = []
        if constants and frame.height >= CONSTANTS_AS_DEFAULTS_ROWS:
            # Constants as the columns' defaults for the load (transactional DDL, restored below):
            # the server then does not parse two timestamps and two texts per row — ≈ 40 % of a COPY.
            restore = _pg_constant_defaults(conn, target, constants)
        else:
            frame = frame.with_columns(pl.lit(v, dtype=pl.String).alias(k) for k, v in constants.items())
        column_list = ", ".join(quote(c) for c in frame.columns)
        sql = f"COPY {target} ({column_list}) FROM STDIN (FORMAT csv)"
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for chunk in frame.iter_slices(CHUNK_ROWS):
                buf = io.BytesIO()
                chunk.write_csv(buf, include_header=False, date_format="%Y-%m-%d")
                copy.write(buf.getvalue())
                done += chunk.height
                progress(done)
        for stmt in restore:
            conn.exec_driver_sql(stmt)
        return done
    frame = frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean]
    )
    column_list = ", ".join(quote(c) for c in [*frame.columns, *constants])
    marks = ", ".join(["?"] * frame.width + [sql_literal(v) for v in constants.values()])
    cur = raw.cursor()
    try:
        for chunk in frame.iter_slices(CHUNK_ROWS):
            # tuples from whole columns: much cheaper than DataFrame.rows()
            rows = zip(*(chunk.get_column(c).to_list() for c in chunk.columns), strict=True)
            cur.executemany(f"INSERT INTO {target} ({column_list}) VALUES ({marks})", rows)
            done += chunk.height
            progress(done)
    finally:
        cur.close()
    return done


def _pg_constant_defaults(conn: sa.Connection, target: str, constants: dict[str, str]) -> list[str]:
    """Set each constant as its column's default on the table ``target``; return the statements that
    put the original defaults back."""
    rows = conn.exec_driver_sql(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = to_regclass(%(t)s) AND a.attname = ANY(%(c)s)",
        {"t": target, "c": list(constants)},
    ).all()
    original = {name: default for name, default in rows}
    restore = []
    for column, value in constants.items():
        conn.exec_driver_sql(f"ALTER TABLE {target} ALTER COLUMN {quote(column)} SET DEFAULT {sql_literal(value)}")
        before = original.get(column)
        restore.append(
            f"ALTER TABLE {target} ALTER COLUMN {quote(column)} "
            + (f"SET DEFAULT {before}" if before is not None else "DROP DEFAULT")
        )
    return restore
