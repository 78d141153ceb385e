"""Accounts services: users, password check with lockout, server-side sessions, CSRF tokens.

Services take the session and never commit.  Passwords are hashed with argon2id (argon2-cffi).  A
session token is random (256 bits), given to the browser once in a cookie and stored only as its SHA-256,
so a copy of the database cannot be used to log in.  Sessions end on logout, on revocation, after
``IDLE_MINUTES`` without a request, or ``ABSOLUTE_HOURS`` after login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.accounts.models import staff_sessions, staff_users
from jiuye.accounts.roles import ROLES, can, role_label
from jiuye.audit.service import record
from jiuye.errors import BAD_INPUT, CONFLICT, FORBIDDEN, LOCKED, NOT_FOUND, UNAUTHENTICATED, UserError

MAX_FAILURES = 5  # consecutive failed logins before the account is locked
LOCK_MINUTES = 15
ABSOLUTE_HOURS = 12
TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session
MIN_PASSWORD = 10


def idle_minutes() -> float:
    return float(os.environ.get("JIUYE_SESSION_IDLE_MINUTES") or 30)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Stored timestamps come back naive on SQLite (UTC) and aware on PostgreSQL."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def check_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: list[str] = []


def _dummy_check(password: str) -> None:
    """Spend the same time on an unknown user name as on a wrong password (no user enumeration by timing)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    check_password(_DUMMY_HASH[0], password)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    district: str
    town: str | None

    @property
    def actor(self) -> str:
        """How the user appears in the audit chain and in ``updated_by`` columns."""
        return f"{self.display_name}（{self.username}）"

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    def can(self, permission: str) -> bool:
        return can(self.role, permission)

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise UserError(f"您的角色（{self.role_label}）无权进行此操作。", FORBIDDEN)


def _user(row: Any) -> User:
    return User(int(row.id), row.username, row.display_name, row.role, row.district, row.town)


def _check_scope(session: Session, district: str, town: str | None) -> None:
    from jiuye.registry.models import TABLES

    d, t = TABLES["districts"], TABLES["towns"]
    if session.execute(sa.select(d.c.id).where(d.c.district == district)).first() is None:
        raise UserError(
            f"没有这个区：{district}（应为区代码，如 jinshan、chongming）。", BAD_INPUT, "district"
        )
    if (
        town is not None
        and session.execute(sa.select(t.c.id).where(t.c.district == district, t.c.name == town)).first()
        is None
    ):
        raise UserError(f"{district} 没有街镇“{town}”。", BAD_INPUT, "town")


def create_user(
    session: Session, username: str, display_name: str, password: str, role: str, district: str,
    town: str | None, actor: str,
) -> User:  # fmt: skip
    username = username.strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise UserError("登录名只能由字母、数字和 . _ - 组成，最长 64 个字符。", BAD_INPUT, "username")
    if role not in ROLES:
        raise UserError(f"没有这个角色：{role}（可选：{'、'.join(f'{k} {v}' for k, v in ROLES.items())}）。",
                        BAD_INPUT, "role")  # fmt: skip
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符。", BAD_INPUT, "password")
    if not display_name.strip():
        raise UserError("请填写姓名。", BAD_INPUT, "display_name")
    town = (town or "").strip() or None
    _check_scope(session, district, town)
    if session.execute(sa.select(staff_users.c.id).where(staff_users.c.username == username)).first():
        raise UserError(f"登录名 {username} 已存在。", CONFLICT, "username")
    new_id = session.execute(
        sa.insert(staff_users)
        .values(username=username, display_name=display_name.strip(), password_hash=hash_password(password),
                role=role, district=district, town=town, active=True, failed_logins=0, created_by=actor)
        .returning(staff_users.c.id)
    ).scalar_one()  # fmt: skip
    record(session, actor, "account.create", "staff_users", int(new_id), None, "active", None,
           {"username": username, "role": role, "district": district, "town": town})  # fmt: skip
    return User(int(new_id), username, display_name.strip(), role, district, town)


def set_password(session: Session, username: str, password: str, actor: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符。", BAD_INPUT, "password")
    row = session.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()
    if row is None:
        raise UserError(f"没有账号 {username}。", NOT_FOUND, "username")
    session.execute(
        sa.update(staff_users).where(staff_users.c.id == row.id)
        .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
    )  # fmt: skip
    revoke_all(session, int(row.id))
    record(session, actor, "account.password", "staff_users", int(row.id), None, None, "重设密码",
           {"username": username})  # fmt: skip


def set_active(session: Session, username: str, active: bool, actor: str) -> None:
    row = session.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()
    if row is None:
        raise UserError(f"没有账号 {username}。", NOT_FOUND, "username")
    session.execute(sa.update(staff_users).where(staff_users.c.id == row.id).values(active=active))
    if not active:
        revoke_all(session, int(row.id))
    record(session, actor, "account.active", "staff_users", int(row.id), "active" if row.active else "disabled",
           "active" if active else "disabled", None, {"username": username})  # fmt: skip


def list_users(session: Session, district: str | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(staff_users.c.id, staff_users.c.username, staff_users.c.display_name, staff_users.c.role,
                     staff_users.c.district, staff_users.c.town, staff_users.c.active,
                     staff_users.c.locked_until).order_by(staff_users.c.id)  # fmt: skip
    if district is not None:
        stmt = stmt.where(staff_users.c.district == district)
    return [dict(r) | {"role_label": role_label(r["role"])} for r in session.execute(stmt).mappings()]


# --- login, sessions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str  # give to the browser once; only its hash is stored
    csrf: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(session: Session, username: str, password: str, client: str | None = None) -> LoginResult:
    """Check the password; on success open a session.  Failures are audited and count towards a lock.

    The caller must commit even when this raises (the failure count and the audit event are the point),
    see :func:`jiuye.accounts.views` — it catches, commits, and answers.
    """
    name = username.strip()[:64]
    row = session.execute(sa.select(staff_users).where(staff_users.c.username == name)).first()
    now = now_utc()
    wrong = UserError("登录名或密码不正确。", UNAUTHENTICATED, "password")
    if row is None:
        _dummy_check(password)
        record(session, name or "（空）", "login.failed", "staff_users", None, None, None, "无此账号",
               {"client": client})  # fmt: skip
        raise wrong
    locked = _aware(row.locked_until)
    if locked is not None and locked > now:
        record(session, name, "login.failed", "staff_users", int(row.id), None, None, "账号锁定期间尝试登录",
               {"client": client})  # fmt: skip
        minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
        raise UserError(f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员。", LOCKED)
    if not row.active:
        _dummy_check(password)
        record(session, name, "login.failed", "staff_users", int(row.id), None, None, "账号已停用",
               {"client": client})  # fmt: skip
        raise wrong
    if not check_password(row.password_hash, password):
        failures = int(row.failed_logins) + 1
        values: dict[str, Any] = {"failed_logins": failures}
        reason = f"密码错误（连续第 {failures} 次）"
        if failures >= MAX_FAILURES:
            values = {"failed_logins": 0, "locked_until": now + dt.timedelta(minutes=LOCK_MINUTES)}
            reason += f"，账号锁定 {LOCK_MINUTES} 分钟"
        session.execute(sa.update(staff_users).where(staff_users.c.id == row.id).values(**values))
        record(session, name, "login.failed", "staff_users", int(row.id), None,
               "locked" if "locked_until" in values else None, reason, {"client": client})  # fmt: skip
        raise wrong
    session.execute(
        sa.update(staff_users).where(staff_users.c.id == row.id).values(failed_logins=0, locked_until=None)
    )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.execute(
        sa.insert(staff_sessions).values(token_hash=token_hash(token), user_id=row.id, csrf_token=csrf,
                                         created_at=now, last_seen_at=now, client=client)
    )  # fmt: skip
    user = _user(row)
    record(session, user.actor, "login", "staff_users", user.id, None, None, None, {"client": client})
    return LoginResult(user, token, csrf)


@dataclass(frozen=True)
class SessionInfo:
    user: User
    csrf: str
    token_hash: str
    needs_touch: bool


def resolve(session: Session, token: str | None) -> SessionInfo:
    """The user of a session token; raises (401) when missing, unknown, revoked, idle or too old."""
    expired = UserError("请先登录（会话不存在或已过期）。", UNAUTHENTICATED)
    if not token or len(token) > 200:
        raise expired
    th = token_hash(token)
    row = session.execute(
        sa.select(staff_sessions, staff_users.c.username, staff_users.c.display_name, staff_users.c.role,
                  staff_users.c.district, staff_users.c.town, staff_users.c.active)
        .join(staff_users, staff_users.c.id == staff_sessions.c.user_id)
        .where(staff_sessions.c.token_hash == th)
    ).first()  # fmt: skip
    if row is None or row.revoked_at is not None or not row.active:
        raise expired
    now = now_utc()
    last = _aware(row.last_seen_at) or now
    created = _aware(row.created_at) or now
    if now - last > dt.timedelta(minutes=idle_minutes()) or now - created > dt.timedelta(
        hours=ABSOLUTE_HOURS
    ):
        raise UserError("长时间未操作，会话已过期，请重新登录。", UNAUTHENTICATED)
    user = User(int(row.user_id), row.username, row.display_name, row.role, row.district, row.town)
    return SessionInfo(user, row.csrf_token, th, (now - last).total_seconds() > TOUCH_SECONDS)


def touch(session: Session, th: str) -> None:
    session.execute(
        sa.update(staff_sessions).where(staff_sessions.c.token_hash == th, staff_sessions.c.revoked_at.is_(None))
        .values(last_seen_at=now_utc())
    )  # fmt: skip


def logout(session: Session, info: SessionInfo) -> None:
    session.execute(
        sa.update(staff_sessions)
        .where(staff_sessions.c.token_hash == info.token_hash)
        .values(revoked_at=now_utc())
    )
    record(session, info.user.actor, "logout", "staff_users", info.user.id)


def revoke_all(session: Session, user_id: int) -> int:
    result = session.execute(
        sa.update(staff_sessions)
        .where(staff_sessions.c.user_id == user_id, staff_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
