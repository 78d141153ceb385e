"""Request context of residents' and employers' pages (their own cookie, never the staff session).

``actx: ApplicantCtx = Depends(applicant)`` gives the logged-in resident or employer (401 → the login
page) after checking the CSRF token of a state-changing request.  Forms that anyone may send (self-check,
register, login, a concern about a notice) carry a double-submit token: :func:`public_token` sets a
random cookie and puts the same value in the form; :func:`check_public` compares them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from jiuye.accounts.sessions import csrf_ok
from jiuye.accounts.web import db_url, read_session, require_csrf, session_of, write_session
from jiuye.applications import service
from jiuye.applications.identity import Identity
from jiuye.errors import FORBIDDEN, UserError

COOKIE = "jiuye_applicant"
PUBLIC_CSRF_COOKIE = "jiuye_public_csrf"


@dataclass
class ApplicantCtx:
    request: Request
    me: Identity
    csrf: str
    url: str
    token_hash: str

    def read(self) -> Any:
        return read_session(self.url)

    def write(self) -> Any:
        return write_session(self.url)


async def applicant(request: Request) -> ApplicantCtx:
    cached = getattr(request.state, "actx", None)
    if isinstance(cached, ApplicantCtx):
        return cached
    actx = reader(request)
    await require_csrf(request, actx.csrf, "页面已失效，请刷新页面后重试。")
    request.state.actx = actx
    return actx


def reader(request: Request) -> ApplicantCtx:
    """The logged-in applicant, to show them a page only: no CSRF check, so the request body stays unread
    (a refused upload too large to read)."""
    url = db_url(request)
    info = session_of(url, service.resolve, request.cookies.get(COOKIE))
    request.state.page_context = {"applicant": info.subject, "csrf": info.csrf}
    return ApplicantCtx(request, info.subject, info.csrf, url, info.token_hash)


def maybe_applicant(request: Request) -> Identity | None:
    """The logged-in applicant of a public page, if any (no error when not logged in).  A visitor without the
    cookie (most of the self-check's) costs no database work; with it, one query on a bare connection, as
    :func:`~jiuye.accounts.web.session_of` reads — once a request: the policy pages ask twice (the layout's
    greeting, the measures not offered to them)."""
    cached = getattr(request.state, "maybe_applicant", None)
    if cached is None:
        cached = request.state.maybe_applicant = (_maybe_applicant(request),)
    return cached[0]


def _maybe_applicant(request: Request) -> Identity | None:
    token = request.cookies.get(COOKIE)
    if not token:  # what resolve refuses before any query
        return None
    from jiuye.db import get_engine

    try:
        with get_engine(db_url(request)).connect() as conn:
            return service.resolve(conn, token).subject
    except UserError:
        return None


def public_token(request: Request) -> str:
    return request.cookies.get(PUBLIC_CSRF_COOKIE) or getattr(request.state, "public_csrf", None) or _new(request)


def _new(request: Request) -> str:
    token = secrets.token_urlsafe(24)
    request.state.public_csrf = token
    return token


def with_public_cookie(request: Request, response: Response) -> Response:
    token = getattr(request.state, "public_csrf", None)
    if token:
        response.set_cookie(PUBLIC_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")  # fmt: skip
    return response


def check_public(request: Request, given: str) -> None:
    expected = request.cookies.get(PUBLIC_CSRF_COOKIE, "")
    if not expected or not csrf_ok(expected, given):
        raise UserError("页面已失效，请刷新页面后重试。", FORBIDDEN, "csrf_token")


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")  # fmt: skip
