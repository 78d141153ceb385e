"""``jiuye import``: read → validate everything → write everything in one transaction.

All files are written in one transaction (the persons file and the contracts file that references it
may come together; references are checked against the file set plus the database), and nothing is
committed until every file given has been read and checked.

On PostgreSQL (an import without an upload scope) the write transaction starts early
(:class:`EarlyWriter`): a table's rows go to the server as soon as its own cells are checked, while the
tables after it and the checks across files are still running on the client.  The transaction commits
only when validation found no problem at all; otherwise it is rolled back and the import proceeds as
it always did (refused with the full problem list, or with ``--skip-invalid`` writing the good rows
in a new transaction) — so what is committed, what is reported and the all-or-nothing guarantee are
the same as with the phases one after the other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from jiuye.registry.importing import validate as v
from jiuye.registry.importing import writer
from jiuye.registry.importing.readers import ROW, ReadError, Sheet, read_table_file
from jiuye.registry.importing.report import ProgressReporter, write_reject_file
from jiuye.registry.importing.scope import UploadScope, check_scope
from jiuye.registry.schema import TABLES, Table, dependency_order


class ImportRejected(Exception):
    """Validation found problems and nothing was written; ``problems`` lists them."""

    def __init__(self, problems: pl.DataFrame) -> None:
        super().__init__(f"{problems.height} problems")
        self.problems = problems


@dataclass
class TableResult:
    table: str
    rows: int
    counts: writer.WriteCounts


@dataclass
class ImportResult:
    import_id: str
    pieces: list[v.Piece]
    problems: pl.DataFrame
    tables: list[TableResult] = field(default_factory=list)
    reject_files: list[tuple[Path, int]] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return sum(v.bad_rows(p).len() for p in self.pieces)


def current_user() -> str:
    from jiuye.cliargs import default_actor

    return default_actor()


def new_import_id(now: dt.datetime) -> str:
    return f"import-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def read_sheets(paths: list[Path], progress: ProgressReporter) -> list[Sheet]:
    sheets: list[Sheet] = []
    for path in paths:
        if path.suffix.lower() == ".json":
            from jiuye.registry.importing.casejson import case_sheets

            found = case_sheets(path)
        else:
            found = read_table_file(path)
        for s in found:
            note = f"，编码 {_encoding_name(s.encoding)}" if s.encoding else ""
            progress.message(f"读取 {s.where}：{s.frame.height:,} 行{note}")
        sheets.extend(found)
    return sheets


def _encoding_name(encoding: str | None) -> str:
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带BOM）", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}.get(
        encoding or "", encoding or ""
    )


def match_pieces(sheets: list[Sheet], forced_table: str | None, progress: ProgressReporter) -> list[v.Piece]:
    pieces = []
    for s in sheets:
        if s.frame.height == 0:
            # an export of an empty table comes back header-only: nothing to import, nothing wrong
            progress.message(f"提示：{s.where} 只有表头，已跳过")
            continue
        pieces.append(v.identify(s, forced_table or s.table_hint))
    if not pieces:
        raise ReadError("所给文件中没有数据行")
    return pieces


def validate_all(
    conn: sa.Connection, pieces: list[v.Piece], skip_invalid: bool, progress: ProgressReporter,
    scope: UploadScope | None = None, early: EarlyWriter | None = None,
) -> pl.DataFrame:
    """Check every piece and the file set; return the problems.  With ``early``, each table's pieces are
    handed to it as soon as they are checked (tables in dependency order)."""
    started = time.monotonic()
    towns = writer.towns(conn)
    if early is not None:
        conn.commit()  # hold no lock the early writer could wait for
    order = {name: i for i, name in enumerate(dependency_order())}
    ordered = sorted(pieces, key=lambda p: order.get(p.table.name, len(order)))  # stable: file order within a table
    for i, p in enumerate(ordered):
        v.check_piece(p, towns)
        if early is not None and (i + 1 == len(ordered) or ordered[i + 1].table.name != p.table.name):
            early.table_checked(p.table.name, [q for q in ordered if q.table.name == p.table.name])
    if early is not None:
        early.all_given()

    def lookup(table: Table, column: str, values: pl.Series) -> pl.Series:
        if early is None:
            return writer.existing_keys(conn, table, column, values)
        with early.reading(table.name):
            found = writer.existing_keys(conn, table, column, values)
            conn.commit()
        return found

    v.check_set(pieces, lookup, skip_invalid)
    if scope is not None:  # an account of one district (town) imports only rows of its own scope
        check_scope(conn, pieces, scope)
    problems = v.all_problems(pieces)
    rows = sum(p.sheet.frame.height for p in pieces)
    progress.message(
        f"校验 {rows:,} 行完成（{time.monotonic() - started:.1f} 秒）："
        + (f"发现 {problems.height:,} 个问题" if problems.height else "没有发现问题")
    )
    return problems


class _Abandoned(Exception):
    """The early write was given up (validation found a problem, or needs a table it has written)."""


class EarlyWriter:
    """The import's write transaction on PostgreSQL, run in a thread while validation goes on.

    Validation is client CPU (Polars), writing is mostly the server's COPY and index builds: run one
    after the other, each waits for the other (at 1M people ≈ 45 s of client work, then ≈ 40 s of the
    client waiting for the server).  Here the checked tables are written in dependency order while the
    client checks the rest; the transaction commits only after :meth:`commit`, which the import calls
    only when validation found no problem.  :meth:`abandon` rolls it back: nothing of it is ever
    visible to anyone (READ COMMITTED), and a crash or kill loses it like any open transaction.

    Deadlock-free by construction: the validating connection holds no lock between statements (it
    commits after each look-up), and before it reads a table this writer has written — locked ACCESS
    EXCLUSIVE when the load drops constraints — the writer is abandoned (its statement cancelled, its
    transaction rolled back), so the look-up reads the database as it was.  A table that a written one
    references is locked only when it was written too: the bulk load drops no foreign key to any other
    (``writer._pg_deferred_ddl``), so reading it waits for nothing, as a web read does not.
    """

    def __init__(
        self, engine: sa.Engine, import_id: str, now: dt.datetime, progress: ProgressReporter
    ) -> None:
        self._engine, self._import_id, self._now, self._progress = engine, import_id, now, progress
        self._tables: queue.Queue[tuple[str, pl.DataFrame] | None] = queue.Queue()
        self._guard = threading.Lock()  # touched vs. abandoned, and vs. a look-up in progress
        self._abandoned = threading.Event()
        self._decided = threading.Event()
        self._finish: Callable[[sa.Connection], None] | None = None
        self._touched: set[str] = set()  # the tables written (see reading())
        self._raw: object = None  # the psycopg connection, for cancel()
        self.results: list[TableResult] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="jiuye-import-early-writer", daemon=True)
        self._thread.start()

    # --- the validating thread's side -------------------------------------------------------------

    def table_checked(self, name: str, pieces: list[v.Piece]) -> None:
        if any(p.problems.height for p in pieces):
            self.abandon()  # rows would be refused or left out: the ordinary path decides
            return
        frames = [p.typed.drop(ROW) for p in pieces if p.typed is not None]
        self._tables.put((name, pl.concat(frames) if len(frames) > 1 else frames[0]))

    def all_given(self) -> None:
        self._tables.put(None)

    @contextlib.contextmanager
    def reading(self, table: str) -> Iterator[None]:
        """Around a look-up of ``table`` by the validating connection: the writer is abandoned first if it
        may hold a lock on ``table``, and starts no new table until the look-up is done.

        A table's bulk load locks it ACCESS EXCLUSIVE (its indexes are dropped and rebuilt) until the
        transaction ends, i.e. until the validator has finished: a look-up waiting for such a lock waits
        for ever.  The tables it references are not locked beyond row locks unless this writer wrote them
        too (the load drops only foreign keys to tables it loaded).  Holding the guard through the look-up
        closes the window between the test and the look-up's own lock, in which the writer could take the
        next table."""
        self._guard.acquire()
        try:
            if table in self._touched:
                self._guard.release()  # abandon() takes it
                try:
                    self.abandon()
                finally:
                    self._guard.acquire()
            yield
        finally:
            self._guard.release()

    def abandon(self) -> None:
        with self._guard:
            if self._abandoned.is_set():
                return
            self._abandoned.set()
        self._decided.set()
        self._tables.put(None)
        raw = self._raw
        if raw is not None and self._thread.is_alive():
            # the statement in progress (psycopg's cancel is thread-safe); best effort: a cancel between two
            # statements is ignored by the server, and the writer stops at its next progress report instead
            with contextlib.suppress(Exception):
                raw.cancel()  # type: ignore[attr-defined]
        self._thread.join()

    def commit(self, finish: Callable[[sa.Connection], None]) -> list[TableResult]:
        """Run ``finish`` in the transaction, commit, and return what was written; re-raises the
        writer's error (the transaction is then rolled back)."""
        self._finish = finish
        self._decided.set()
        try:
            self._thread.join()
        except BaseException:
            # Ctrl-C while the last tables are written: roll back, as the sequential path's `with` did (unless
            # the commit has already gone out)
            self.abandon()
            raise
        if self.error is not None:
            raise self.error
        if self._abandoned.is_set():
            raise RuntimeError("early write abandoned")  # not reached: abandon() is never followed by commit()
        return self.results

    @property
    def usable(self) -> bool:
        return not self._abandoned.is_set() and self.error is None

    # --- the writing thread -----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            with self._engine.begin() as conn:
                from jiuye.db.core import take_write_lock

                self._raw = conn.connection.driver_connection
                take_write_lock(conn)
                self._progress.message("开始写入数据库（单一事务：中途失败或被终止时数据库保持原样）")
                while True:
                    item = self._tables.get()
                    if item is None:
                        break
                    name, frame = item
                    with self._guard:
                        if self._abandoned.is_set():
                            raise _Abandoned
                        table = TABLES[name]
                        self._touched.add(name)
                    label = f"写入 {table.title}（{table.name}）"

                    def report(_table: str, done: int, total: int, label: str = label) -> None:
                        if self._abandoned.is_set():
                            raise _Abandoned  # between two COPY chunks
                        self._progress.rows(label, done, total)

                    counts = writer.upsert(conn, table, frame, self._import_id, self._now, report)
                    self.results.append(TableResult(name, frame.height, counts))
                self._decided.wait()
                if self._abandoned.is_set() or self._finish is None:
                    raise _Abandoned
                self._finish(conn)
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the importing thread
            if not self._abandoned.is_set():
                self.error = exc
        finally:
            self._raw = None


def run_import(
    paths: list[Path],
    engine: sa.Engine,
    *,
    skip_invalid: bool = False,
    forced_table: str | None = None,
    progress: ProgressReporter | None = None,
    by_user: str | None = None,
    write_engine: sa.Engine | None = None,
    scope: UploadScope | None = None,
) -> ImportResult:
    """Import ``paths`` into the database of ``engine`` (which must be migrated).

    Raises :class:`ReadError` (unreadable file / unknown layout) or :class:`ImportRejected` (problems
    found and ``skip_invalid`` false); in both cases the database is untouched.  The rows are written
    through ``write_engine`` (default ``engine``): the command passes :func:`jiuye.db.write_engine`, so
    that the write transaction holds the write lock from its start and waits in line behind another
    writer instead of failing half-way ("database is locked").
    """
    progress = progress or ProgressReporter(quiet=True)
    user = by_user or current_user()
    now = dt.datetime.now(dt.UTC)
    import_id = new_import_id(now)
    sheets = read_sheets(paths, progress)
    pieces = match_pieces(sheets, forced_table, progress)
    for p in pieces:
        if p.ignored:
            progress.message(f"提示：{p.sheet.where} 中以下列不属于“{p.table.title}”表，已忽略：{'、'.join(p.ignored)}")

    write_with = write_engine or engine
    early = (
        EarlyWriter(write_with, import_id, now, progress)
        if write_with.dialect.name == "postgresql" and scope is None
        else None
    )
    try:
        with engine.connect() as conn:
            problems = validate_all(conn, pieces, skip_invalid, progress, scope, early)
    except BaseException:
        if early is not None:
            early.abandon()
        raise
    result = ImportResult(import_id=import_id, pieces=pieces, problems=problems)
    if early is not None:
        if not problems.height and early.usable:
            assert early is not None

            def finish(conn: sa.Connection) -> None:
                result.tables = list(early.results)
                _record_runs_in(conn, result, paths, user, now, "committed")

            early.commit(finish)
            return result
        early.abandon()  # rolled back; below as without it
    if problems.height and not skip_invalid:
        _record_runs(engine, result, paths, user, now, "rejected")
        raise ImportRejected(problems)
    if skip_invalid:
        for p in pieces:
            written = write_reject_file(p)
            if written:
                result.reject_files.append(written)

    # Good rows per table, in dependency order.
    frames: dict[str, list[pl.DataFrame]] = {}
    for p in pieces:
        assert p.typed is not None
        good = p.typed.filter(~pl.col(ROW).is_in(v.bad_rows(p).implode())).drop(ROW)
        frames.setdefault(p.table.name, []).append(good)

    progress.message("开始写入数据库（单一事务：中途失败或被终止时数据库保持原样）")
    with write_with.begin() as conn:
        if conn.dialect.name == "postgresql":
            from jiuye.db.core import take_write_lock

            take_write_lock(conn)
        for name in dependency_order():
            if name not in frames:
                continue
            table = TABLES[name]
            frame = pl.concat(frames[name])
            label = f"写入 {table.title}（{table.name}）"

            def report(_table: str, done: int, total: int, label: str = label) -> None:
                assert progress is not None
                progress.rows(label, done, total)

            counts = writer.upsert(conn, table, frame, import_id, now, report)
            result.tables.append(TableResult(name, frame.height, counts))
        _record_runs_in(conn, result, paths, user, now, "committed")
    return result


def _sha256(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None


def _record_runs(
    engine: sa.Engine, result: ImportResult, paths: list[Path], user: str, now: dt.datetime, status: str
) -> None:
    try:
        with engine.begin() as conn:
            _record_runs_in(conn, result, paths, user, now, status)
    except sa.exc.SQLAlchemyError:
        pass  # the audit row of a rejected import is best effort; the rejection itself stands


def _record_runs_in(
    conn: sa.Connection, result: ImportResult, paths: list[Path], user: str, now: dt.datetime, status: str
) -> None:
    from jiuye.registry.models import import_runs

    by_table = {t.table: t for t in result.tables}
    finished = dt.datetime.now(dt.UTC)
    rows: list[dict[str, object]] = []
    for path in paths:
        mine = [p for p in result.pieces if p.sheet.path == path]
        tables = sorted({p.table.name for p in mine})
        inserted = sum(by_table[t].counts.inserted for t in tables if t in by_table)
        updated = sum(by_table[t].counts.updated for t in tables if t in by_table)
        unchanged = sum(by_table[t].counts.unchanged for t in tables if t in by_table)
        rows.append({
            "id": result.import_id if len(paths) == 1 else f"{result.import_id}#{len(rows) + 1}",
            "table_name": ",".join(tables)[:64] or None,
            "file_name": str(path),
            "file_sha256": _sha256(path),
            "started_at": now,
            "finished_at": finished,
            "by_user": user,
            "status": status,
            "rows_read": sum(p.sheet.frame.height for p in mine),
            "rows_inserted": inserted if len(paths) == 1 else 0,
            "rows_updated": updated if len(paths) == 1 else 0,
            "rows_unchanged": unchanged if len(paths) == 1 else 0,
            "rows_rejected": sum(v.bad_rows(p).len() for p in mine),
            "message": None if status == "committed" else f"{result.problems.height} 个问题",
        })  # fmt: skip
    if rows:
        conn.execute(sa.insert(import_runs), rows)
