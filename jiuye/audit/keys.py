"""What keeps the audit chain honest from outside the database: the chain key and the anchor file.

Both live in the *audit folder* of a database (never in the database itself):

- ``$JIUYE_AUDIT_DIR/<database slug>/`` when ``JIUYE_AUDIT_DIR`` is set (one folder, many databases);
- otherwise, for a SQLite file ``…/jiuye.db``: ``…/jiuye.db.audit/`` beside the database;
- otherwise (PostgreSQL): ``$XDG_DATA_HOME/jiuye/audit/<database slug>/`` (default ``~/.local/share``).

``chain.key`` (JSON: the 256-bit HMAC key and ``from_seq``, the first event keyed with it) is created by
``jiuye db upgrade`` with mode 0600.  Events before ``from_seq`` were written by an older version with plain
SHA-256 and are verified that way.  Whoever can write the database but not this file cannot recompute the
chain after an edit.

``anchors.log`` is append-only (opened in append mode, fsynced): one JSON line per anchor — the chain's head
(``seq``, ``hash``) at a moment, who anchored it (a payment batch, an ``audit verify`` run) and an HMAC
over these values.  ``jiuye audit verify`` checks the chain against every anchor: the event ``seq`` must
still carry ``hash``, so deleting the tail, deleting everything or rewriting an anchored event is caught.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from jiuye.errors import UserError

ENV_AUDIT_DIR = "JIUYE_AUDIT_DIR"
KEY_FILE = "chain.key"
ANCHOR_FILE = "anchors.log"


class AuditKeyMissing(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"审计密钥文件不存在：{path}。新建或升级数据库请运行 jiuye db upgrade；"
            f"已在使用的数据库请从备份恢复该文件（或设置 {ENV_AUDIT_DIR} 指向密钥所在目录）。",
            3,
        )


def _slug(url: URL) -> str:
    """A readable, unique folder name for a database (no password): backend, host, port, database, options."""
    if url.get_backend_name() == "sqlite":
        target = str(Path(url.database or "").resolve())
    else:
        target = f"{url.host or 'localhost'}_{url.port or ''}_{url.database or ''}"
    options = url.query.get("options")
    if options:
        target += f"_{options if isinstance(options, str) else '_'.join(options)}"
    readable = re.sub(r"[^0-9A-Za-z_.=-]+", "_", f"{url.get_backend_name()}_{target}").strip("_")[-80:]
    digest = hashlib.sha256(f"{url.get_backend_name()}|{target}".encode()).hexdigest()[:12]
    return f"{readable}_{digest}"


def audit_dir(url: str | URL) -> Path:
    """The audit folder of the database at ``url`` (see the module docstring)."""
    parsed = make_url(url) if isinstance(url, str) else url
    base = os.environ.get(ENV_AUDIT_DIR)
    if base:
        return Path(base) / _slug(parsed)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        db_file = Path(parsed.database).resolve()
        return db_file.parent / f"{db_file.name}.audit"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "jiuye" / "audit" / _slug(parsed)


def bind_url(session: Session | sa.Connection) -> URL:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.engine.url


def session_audit_dir(session: Session | sa.Connection) -> Path:
    return audit_dir(bind_url(session))


@dataclass(frozen=True)
class ChainKey:
    key: bytes
    from_seq: int  # events with a smaller seq predate the key (plain SHA-256)
    path: Path

    def mac(self, text: str) -> str:
        return hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def macs(self, texts: Iterable[str]) -> list[str]:
        """:meth:`mac` of each text (the keyed state is prepared once and copied: ~2× faster per text)."""
        base = hmac.new(self.key, digestmod=hashlib.sha256)
        out = []
        for text in texts:
            h = base.copy()
            h.update(text.encode("utf-8"))
            out.append(h.hexdigest())
        return out


@functools.lru_cache(maxsize=256)
def _read_key(path: Path, mtime_ns: int) -> ChainKey:
    data = json.loads(path.read_text(encoding="utf-8"))
    return ChainKey(bytes.fromhex(data["key"]), int(data["from_seq"]), path)


def load_key(folder: Path) -> ChainKey:
    path = folder / KEY_FILE
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise AuditKeyMissing(path) from exc
    return _read_key(path, stat.st_mtime_ns)


def session_key(session: Session | sa.Connection) -> ChainKey:
    return load_key(session_audit_dir(session))


def create_key(folder: Path, from_seq: int) -> ChainKey:
    """Write a new key file (refuses to overwrite one)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    body = json.dumps(
        {"key": secrets.token_hex(32), "from_seq": from_seq, "created_at": dt.datetime.now(dt.UTC).isoformat(),
         "note": "jiuye 审计链密钥：请与数据库分开备份；丢失后审计链无法校验"},
        ensure_ascii=False,
    )  # fmt: skip
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    return load_key(folder)


# --- anchors --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    by: str
    ok: bool  # its MAC matches (an edited anchor line is reported, not trusted)
    line: int


def _anchor_text(seq: int, hash_: str, at: str, by: str) -> str:
    return f"{seq}|{hash_}|{at}|{by}"


def append_anchor(folder: Path, key: ChainKey, seq: int, hash_: str, by: str) -> Anchor:
    """Append one anchor line (after the transaction that produced the head has committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    line = json.dumps(
        {"seq": seq, "hash": hash_, "at": at, "by": by, "mac": key.mac(_anchor_text(seq, hash_, at, by))},
        ensure_ascii=False,
    )
    with open(folder / ANCHOR_FILE, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return Anchor(seq, hash_, at, by, True, 0)


def read_anchors(folder: Path, key: ChainKey) -> list[Anchor]:
    path = folder / ANCHOR_FILE
    if not path.exists():
        return []
    out: list[Anchor] = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            d: dict[str, Any] = json.loads(text)
            seq, hash_, at, by = int(d["seq"]), str(d["hash"]), str(d["at"]), str(d["by"])
            ok = hmac.compare_digest(str(d.get("mac", "")), key.mac(_anchor_text(seq, hash_, at, by)))
        except (ValueError, KeyError, TypeError):
            seq, hash_, at, by, ok = 0, "", "", "", False
        out.append(Anchor(seq, hash_, at, by, ok, n))
    return out
