"""Request context for every room's views: who is logged in, their scope, CSRF, database sessions.

``ctx: Ctx = Depends(staff("review"))`` in a view gives the logged-in user (401 when not logged in, 403
without the permission) after checking the CSRF token of any state-changing request.  Views own the
transaction: ``with ctx.write() as s: service(s, …)`` commits when the block ends (SQLite: the write
lock is taken at BEGIN, as the CLI's commands do).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jiuye.accounts import service, sessions
from jiuye.accounts.service import User
from jiuye.accounts.sessions import SessionInfo
from jiuye.errors import BAD_INPUT, FORBIDDEN, UserError

COOKIE = "jiuye_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_url(request: Request) -> str:
    return str(request.app.state.db_url)


@contextmanager
def read_session(url: str) -> Iterator[Session]:
    from jiuye.db import session_scope

    with session_scope(url) as s:
        yield s


@contextmanager
def write_session(url: str) -> Iterator[Session]:
    from jiuye.db import write_session as ws

    with ws(url, check=False) as s:
        yield s


@dataclass
class Ctx:
    request: Request
    user: User
    csrf: str
    url: str
    bearer: bool = False

    def read(self) -> Any:
        return read_session(self.url)

    def write(self) -> Any:
        return write_session(self.url)


def _token(request: Request) -> tuple[str | None, bool]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), True
    return request.cookies.get(COOKIE), False


async def given_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/x-www-form-urlencoded") or ctype.startswith("multipart/form-data"):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def session_of(url: str, resolve: Callable[[sessions.Reader, str | None], SessionInfo[T]], token: str | None,
               ) -> SessionInfo[T]:  # fmt: skip
    """The session of a request, by the room's ``resolve`` (staff or applicant; raises 401); its
    ``last_seen_at`` is written at most once a minute.  Read on a bare connection: an ORM session's
    begin/commit bookkeeping cost more than the two indexed queries (on every request)."""
    from jiuye.db import get_engine

    with get_engine(url).connect() as conn:
        info = resolve(conn, token)
    if info.needs_touch:
        with write_session(url) as s:
            sessions.touch(s, info.token_hash)
    return info


async def require_csrf(request: Request, expected: str, message: str = "页面已失效（安全校验未通过），请刷新页面后重试。") -> None:
    """A state-changing request must carry its session's CSRF token (form field or header)."""
    if request.method not in SAFE_METHODS and not sessions.csrf_ok(expected, await given_csrf(request)):
        raise UserError(message, FORBIDDEN, CSRF_FIELD)


async def current(request: Request) -> Ctx:
    """The logged-in user of this request (raises 401), CSRF checked on state-changing requests."""
    cached = getattr(request.state, "ctx", None)
    if isinstance(cached, Ctx):
        return cached
    url = db_url(request)
    token, bearer = _token(request)
    info = session_of(url, service.resolve, token)
    if not bearer:  # a bearer token is not sent by a browser on its own: no CSRF to fear
        await require_csrf(request, info.csrf)
    ctx = Ctx(request, info.subject, info.csrf, url, bearer)
    request.state.ctx = ctx
    from jiuye.accounts.scope import DISTRICT_LABELS

    request.state.page_context = {"me": info.subject, "csrf": info.csrf, "district_names": DISTRICT_LABELS}
    return ctx


def staff(permission: str | None = None) -> Callable[[Request], Coroutine[Any, Any, Ctx]]:
    """Dependency: the logged-in user, who must hold ``permission`` (403 otherwise)."""

    async def dependency(request: Request) -> Ctx:
        ctx = await current(request)
        if permission is not None:
            ctx.user.require(permission)
        return ctx

    return dependency


T = TypeVar("T")


class ReasonIn(BaseModel):
    """The body of every API decision that needs a written reason (see :func:`with_reason`)."""

    reason: str = Field(min_length=1, max_length=1000, description="理由（记入审计）")


def with_reason(ctx: Ctx, reason: str, missing: str, act: Callable[[Session, str], T]) -> T:
    """The one handler of a decision that needs a written reason (approve/reject a line, confirm/dismiss a
    flag, reverse a payment, switch a setting): the reason must be there (``missing`` is the Chinese
    message, on the field ``reason``), then ``act(session, reason)`` — which checks the scope and calls the
    service — runs in one write transaction.  The page posts a form and is redirected (:func:`done`); the
    API returns what ``act`` returns."""
    text = (reason or "").strip()
    if not text:
        raise UserError(missing, BAD_INPUT, "reason")
    with ctx.write() as s:
        return act(s, text)


def done(location: str) -> RedirectResponse:
    """After a form's action: back to the page (303 See Other, so that a reload does not post again)."""
    return RedirectResponse(location, status_code=303)
