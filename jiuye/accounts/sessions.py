"""One session mechanism for everyone who logs in: staff, residents and employers.

A session is a row of ``sessions`` keyed by the SHA-256 of a random token (256 bits) that the browser
holds in a cookie (or an API client as a bearer token); a copy of the database cannot be used to log in.
The row names the *kind* of subject (``staff``: a ``staff_users`` row; ``applicant``: an ``applicants``
row) and its id, so a token of one kind is never accepted where the other is asked for.  Sessions end on
logout, on revocation, after :func:`idle_minutes` without a request (``$JIUYE_SESSION_IDLE_MINUTES``,
default 30) or :data:`ABSOLUTE_HOURS` after login.  Each has its CSRF token.

Password lockout is the same for every kind too: :data:`MAX_FAILURES` wrong passwords in a row lock the
account for :data:`LOCK_MINUTES` (:func:`check_not_locked`, :func:`count_failure`, :func:`clear_failures`
on any table with ``failed_logins`` and ``locked_until``).

A room supplies only who the subject is: :func:`resolver` takes the room's table of subjects, the columns to
read with the session and a ``subject(row)`` that returns the subject (a staff user, an applicant's identity)
or None when it may no longer log in.
Services take the session and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.accounts.models import sessions
from jiuye.errors import LOCKED, UNAUTHENTICATED, UserError

Kind = Literal["staff", "applicant"]
KINDS: tuple[Kind, ...] = ("staff", "applicant")
T = TypeVar("T")

ABSOLUTE_HOURS = 12
TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session
MAX_FAILURES = 5  # consecutive failed logins before the account is locked
LOCK_MINUTES = 15
MAX_TOKEN = 200


def idle_minutes() -> float:
    return float(os.environ.get("JIUYE_SESSION_IDLE_MINUTES") or 30)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """Stored timestamps come back naive on SQLite (UTC) and aware on PostgreSQL."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True)
class Opened:
    token: str  # give to the browser once; only its hash is stored
    csrf: str
    token_hash: str


@dataclass(frozen=True)
class SessionInfo(Generic[T]):
    subject: T
    csrf: str
    token_hash: str
    needs_touch: bool


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise ValueError(f"unknown session kind {kind!r}")
    return kind


def open_session(session: Session, kind: Kind, subject_id: int, client: str | None = None) -> Opened:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = now_utc()
    th = token_hash(token)
    session.execute(sa.insert(sessions).values(token_hash=th, kind=_kind(kind), subject_id=subject_id,
                                               csrf_token=csrf, created_at=now, last_seen_at=now, client=client))  # fmt: skip
    return Opened(token, csrf, th)


# a session or a bare connection: resolving a token only reads (the request's own transaction comes later)
Reader = Session | sa.Connection
_SESSION_COLUMNS = ("csrf_token", "created_at", "last_seen_at", "revoked_at", "subject_id")


def resolver(kind: Kind, subjects: sa.Table, columns: Sequence[sa.Column[Any]], subject: Callable[[Any], T | None],
             ) -> Callable[[Reader, str | None], SessionInfo[T]]:  # fmt: skip
    """The resolver of session tokens of ``kind``: ``resolve(reader, token)`` gives the subject of a live
    session or raises (401) when the token is missing, unknown, of another kind, revoked, idle or too old, or
    when ``subject(row)`` says the subject may no longer log in (None).

    The session and its subject's row (``columns`` of ``subjects``, whose ``id`` the session's ``subject_id``
    names; the session's own columns come as ``session_<name>``) are read by one statement, built once — a
    request's every check, read afresh on every request, in one query instead of two: a query on the
    server's event loop hands the interpreter to the gathering's thread while SQLite runs, and waits to
    get it back."""
    statement = (
        sa.select(*[sessions.c[c].label(f"session_{c}") for c in _SESSION_COLUMNS], *columns)
        .select_from(sessions.outerjoin(subjects, subjects.c.id == sessions.c.subject_id))
        .where(sessions.c.token_hash == sa.bindparam("th"), sessions.c.kind == _kind(kind))
    )  # fmt: skip
    subject_id = next(c for c in columns if c.name == "id")  # None in a row without its subject (outer join)
    sqlite = _SqliteRead(statement)

    def resolve(reader: Reader, token: str | None) -> SessionInfo[T]:
        expired = UserError("请先登录（会话不存在或已过期）。", UNAUTHENTICATED)
        if not token or len(token) > MAX_TOKEN:
            raise expired
        th = token_hash(token)
        row = (sqlite.first(reader, th) if isinstance(reader, sa.Connection) and reader.dialect.name == "sqlite"
               else reader.execute(statement, {"th": th}).first())  # fmt: skip
        if row is None or row.session_revoked_at is not None:
            raise expired
        now = now_utc()
        last, created = aware(row.session_last_seen_at) or now, aware(row.session_created_at) or now
        if now - last > dt.timedelta(minutes=idle_minutes()) or now - created > dt.timedelta(hours=ABSOLUTE_HOURS):
            raise UserError("长时间未操作，会话已过期，请重新登录。", UNAUTHENTICATED)
        found = None if getattr(row, subject_id.name) is None else subject(row)
        if found is None:
            raise expired
        return SessionInfo(found, row.session_csrf_token, th, (now - last).total_seconds() > TOUCH_SECONDS)

    return resolve


class _SqliteRead:
    """The resolver's statement on SQLite, run on the bare connection's sqlite3 cursor: the same row (the same
    names; the session's times parsed from the text SQLAlchemy stores them as) for ≈ 30 µs less per request
    than SQLAlchemy's execution and result machinery around a 3 µs indexed query — on the server's event
    loop, on every request.  One SELECT outside a transaction, as the deferred engine reads anyway."""

    TIMES = ("session_created_at", "session_last_seen_at", "session_revoked_at")

    def __init__(self, statement: sa.Select[Any]) -> None:
        from collections import namedtuple

        from sqlalchemy.dialects import sqlite

        compiled = statement.compile(dialect=sqlite.dialect())
        self.sql = str(compiled)
        self.order = compiled.positiontup or []
        self.fixed = compiled.construct_params({"th": ""})
        names = [c.key or "" for c in statement.selected_columns]
        # the driver's values are the row's only where SQLAlchemy converts nothing but the session's times
        # (a date, a decimal or a JSON column of a subject would come back as text): refuse to build otherwise
        plain = (sa.String, sa.Integer, sa.Boolean)
        converted = [c.key for c in statement.selected_columns if c.key not in self.TIMES and not isinstance(c.type, plain)]
        if converted:
            raise TypeError(f"_SqliteRead reads only text, integer and boolean columns besides the times: {converted}")
        self.row = namedtuple("_Row", names)  # type: ignore[misc]
        self.times = [i for i, k in enumerate(names) if k in self.TIMES]

    def first(self, conn: sa.Connection, th: str) -> Any:
        params = [th if k == "th" else self.fixed[k] for k in self.order]
        got = conn.connection.driver_connection.execute(self.sql, params).fetchone()  # type: ignore[union-attr]
        if got is None:
            return None
        values = list(got)
        for i in self.times:
            if isinstance(values[i], str):
                values[i] = dt.datetime.fromisoformat(values[i])
        return self.row(*values)


def touch(session: Session, th: str) -> None:
    session.execute(sa.update(sessions).where(sessions.c.token_hash == th, sessions.c.revoked_at.is_(None))
                    .values(last_seen_at=now_utc()))  # fmt: skip


def close(session: Session, th: str) -> None:
    """Logout: the session ends (revoked), whatever its kind."""
    session.execute(sa.update(sessions).where(sessions.c.token_hash == th, sessions.c.revoked_at.is_(None))
                    .values(revoked_at=now_utc()))  # fmt: skip


def revoke_all(session: Session, kind: Kind, subject_id: int) -> int:
    """End every open session of one subject (password changed, account disabled)."""
    result = session.execute(
        sa.update(sessions)
        .where(sessions.c.kind == _kind(kind), sessions.c.subject_id == subject_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )  # fmt: skip
    return int(getattr(result, "rowcount", 0) or 0)


# --- password lockout ------------------------------------------------------------------------------
def check_not_locked(locked_until: dt.datetime | None, now: dt.datetime, contact: str = "") -> None:
    """Raise (423) while the account is locked, saying for how many more minutes."""
    locked = aware(locked_until)
    if locked is not None and locked > now:
        minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
        raise UserError(f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试{contact}。", LOCKED)


def count_failure(session: Session, table: sa.Table, row_id: int, failures: int, now: dt.datetime) -> bool:
    """One more wrong password for ``table``'s row (``failures`` before it); True when this locks it."""
    values: dict[str, Any] = {"failed_logins": failures + 1}
    locked = failures + 1 >= MAX_FAILURES
    if locked:
        values = {"failed_logins": 0, "locked_until": now + dt.timedelta(minutes=LOCK_MINUTES)}
    session.execute(sa.update(table).where(table.c.id == row_id).values(**values))
    return locked


def clear_failures(session: Session, table: sa.Table, row_id: int) -> None:
    session.execute(sa.update(table).where(table.c.id == row_id).values(failed_logins=0, locked_until=None))
