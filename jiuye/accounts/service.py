"""Accounts services: staff users, password check with lockout, staff sessions.

Services take the session and never commit.  Passwords are hashed with argon2id (argon2-cffi).  Sessions
(token hash, idle and absolute timeout, CSRF) and the lockout are :mod:`jiuye.accounts.sessions`, the one
mechanism staff and applicants share; here a staff session is a session of kind ``staff`` whose subject is
an active ``staff_users`` row.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.accounts import sessions
from jiuye.accounts.models import staff_users
from jiuye.accounts.roles import DISTRICT_WIDE, ROLES, can, role_label
from jiuye.accounts.sessions import LOCK_MINUTES, csrf_ok, now_utc, token_hash
from jiuye.audit.labels import declare_states
from jiuye.audit.service import record
from jiuye.errors import BAD_INPUT, CONFLICT, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED, UserError

MIN_PASSWORD = 10
__all__ = ["csrf_ok", "token_hash"]  # re-exported for the views


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


def dummy_check(password: str) -> None:
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

    def require_district(self) -> None:
        """An action on every town's records of the district: refused to a town account."""
        if self.town is not None:
            raise UserError(f"街镇账号（{self.town}）不能进行全区性的操作，请由区级账号办理。", FORBIDDEN)

    def can(self, permission: str) -> bool:
        return can(self.role, permission) and not (self.town is not None and permission in DISTRICT_WIDE)

    def require(self, permission: str) -> None:
        """The role's refusal first; a permission the role holds but that acts on the whole district is then
        refused to a town account by :meth:`require_district` (its own message) — the same answer as :meth:`can`."""
        if not can(self.role, permission):
            raise UserError(f"您的角色（{self.role_label}）无权进行此操作。", FORBIDDEN)
        if permission in DISTRICT_WIDE:
            self.require_district()


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
        from jiuye.rules.facts import DISTRICT_NAMES

        raise UserError(f"{DISTRICT_NAMES.get(district, district)}没有街镇“{town}”。", BAD_INPUT, "town")


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


ACCOUNT_STATE_LABELS = declare_states("staff_users", {"active": "正常", "disabled": "已停用", "locked": "已锁定"})


def set_active(session: Session, username: str, active: bool, actor: str) -> None:
    row = session.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()
    if row is None:
        raise UserError(f"没有账号 {username}。", NOT_FOUND, "username")
    session.execute(sa.update(staff_users).where(staff_users.c.id == row.id).values(active=active))
    if not active:
        revoke_all(session, int(row.id))
    record(session, actor, "account.active", "staff_users", int(row.id), "active" if row.active else "disabled",
           "active" if active else "disabled", None, {"username": username})  # fmt: skip


def list_users(session: Session, district: str | None = None, town: str | None = None) -> list[dict[str, Any]]:
    """The accounts of ``district`` (all when None) — of ``town`` only when given: a town account sees its own
    town's staff, not every town's (as it creates accounts of its own town only)."""
    stmt = sa.select(staff_users.c.id, staff_users.c.username, staff_users.c.display_name, staff_users.c.role,
                     staff_users.c.district, staff_users.c.town, staff_users.c.active,
                     staff_users.c.locked_until).order_by(staff_users.c.id)  # fmt: skip
    if district is not None:
        stmt = stmt.where(staff_users.c.district == district)
    if town is not None:
        stmt = stmt.where(staff_users.c.town == town)
    return [dict(r) | {"role_label": role_label(r["role"])} for r in session.execute(stmt).mappings()]


# --- login, sessions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str  # give to the browser once; only its hash is stored
    csrf: str


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
        dummy_check(password)
        record(session, name or "（空）", "login.failed", "staff_users", None, None, None, "无此账号",
               {"client": client})  # fmt: skip
        raise wrong
    try:
        sessions.check_not_locked(row.locked_until, now, "或联系管理员")
    except UserError:
        record(session, name, "login.failed", "staff_users", int(row.id), None, None, "账号锁定期间尝试登录",
               {"client": client})  # fmt: skip
        raise
    if not row.active:
        dummy_check(password)
        record(session, name, "login.failed", "staff_users", int(row.id), None, None, "账号已停用",
               {"client": client})  # fmt: skip
        raise wrong
    if not check_password(row.password_hash, password):
        locked = sessions.count_failure(session, staff_users, int(row.id), int(row.failed_logins), now)
        reason = f"密码错误（连续第 {int(row.failed_logins) + 1} 次）" + (f"，账号锁定 {LOCK_MINUTES} 分钟" if locked else "")
        record(session, name, "login.failed", "staff_users", int(row.id), None, "locked" if locked else None,
               reason, {"client": client})  # fmt: skip
        raise wrong
    sessions.clear_failures(session, staff_users, int(row.id))
    opened = sessions.open_session(session, "staff", int(row.id), client)
    user = _user(row)
    record(session, user.actor, "login", "staff_users", user.id, None, None, None, {"client": client})
    return LoginResult(user, opened.token, opened.csrf)


SessionInfo = sessions.SessionInfo[User]


_USER_BY_ID = sa.select(staff_users).where(staff_users.c.id == sa.bindparam("id"))  # built once (cache key)


def _if_active(row: Any) -> User | None:
    """The staff subject of a session: the user, while the account is active."""
    return _user(row) if row.active else None


def active_user(session: sessions.Reader, user_id: int) -> User | None:
    row = session.execute(_USER_BY_ID, {"id": user_id}).first()
    return None if row is None else _if_active(row)


_RESOLVE = sessions.resolver("staff", staff_users, [staff_users.c[c] for c in (
    "id", "username", "display_name", "role", "district", "town", "active")], _if_active)  # fmt: skip


def resolve(session: sessions.Reader, token: str | None) -> SessionInfo:
    """The user of a staff session token; raises (401) when missing, unknown, an applicant's, revoked, idle,
    too old, or the account is disabled (session and account read in one query)."""
    return _RESOLVE(session, token)


def logout(session: Session, info: SessionInfo) -> None:
    sessions.close(session, info.token_hash)
    record(session, info.subject.actor, "logout", "staff_users", info.subject.id)


def revoke_all(session: Session, user_id: int) -> int:
    return sessions.revoke_all(session, "staff", user_id)
