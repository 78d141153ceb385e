"""Child process of :func:`jiuye.db.frames.snapshot_reader` on SQLite: read a database file through ADBC
(Arrow, C) inside ONE read transaction, and send each result back as Arrow IPC.

Run by path (``python …/sqlite_child.py FILE``), never imported by jiuye: ADBC's SQLite driver carries its
own copy of the SQLite library, and two SQLite libraries must never open the same file in one process
(POSIX advisory locks belong to the process: closing one library's descriptor drops the other's locks —
https://sqlite.org/howtocorrupt.html §2.2).  This process opens the file only through ADBC, read-only.

Protocol on stdin/stdout (binary):

- start: the child opens the file, begins a deferred transaction and answers ``O`` + 8-byte length 0
  (or ``E`` + length + UTF-8 message);
- request: 4-byte big-endian length + the SQL (UTF-8); length 0 ends the transaction and the process;
- answer: ``O`` + 8-byte big-endian length + an Arrow IPC stream, or ``E`` + length + UTF-8 message.

The transaction's snapshot is fixed by the first statement (WAL) and kept until the end, so every answer
comes from the same committed state of the database.
"""

from __future__ import annotations

import io
import struct
import sys
from typing import BinaryIO

# A result is one Arrow batch: the driver infers each column's type from the rows of its first batch, and
# a column that is NULL in those rows would otherwise be typed as integer.
WHOLE_RESULT_ROWS = str(1_000_000_000)  # the driver refuses INT32_MAX


def _answer(out: BinaryIO, ok: bool, payload: bytes) -> None:
    out.write((b"O" if ok else b"E") + struct.pack(">Q", len(payload)))
    out.write(payload)
    out.flush()


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = src.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def main(path: str, busy_timeout_ms: int) -> int:
    src, out = sys.stdin.buffer, sys.stdout.buffer
    try:
        import adbc_driver_sqlite.dbapi as adbc
        import polars as pl

        conn = adbc.connect(f"file:{path}?mode=ro", autocommit=False)  # autocommit off: BEGIN (deferred)
        cur = conn.cursor()
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": WHOLE_RESULT_ROWS})
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    except Exception as exc:  # the parent falls back to its own connection
        _answer(out, False, f"{type(exc).__name__}: {exc}".encode())
        return 1
    _answer(out, True, b"")
    while True:
        try:
            (size,) = struct.unpack(">I", _read_exact(src, 4))
        except EOFError:
            break
        if size == 0:
            break
        sql = _read_exact(src, size).decode("utf-8")
        try:
            cur.execute(sql)
            frame = pl.DataFrame(cur.fetch_arrow())
            buf = io.BytesIO()
            frame.write_ipc_stream(buf)
        except Exception as exc:
            _answer(out, False, f"{type(exc).__name__}: {exc}".encode())
            continue
        _answer(out, True, buf.getvalue())
    try:
        conn.rollback()  # read-only: nothing to keep
        cur.close()
        conn.close()
    except Exception:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30_000))
