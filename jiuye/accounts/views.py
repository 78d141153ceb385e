"""Pages and API of the accounts room: login, logout, the current user, account management."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from jiuye.accounts import service
from jiuye.accounts.roles import PERMISSION_LABELS, PERMISSIONS, ROLES
from jiuye.accounts.web import COOKIE, Ctx, current, db_url, staff, write_session
from jiuye.errors import FORBIDDEN, UserError
from jiuye.webkit.render import render

router = APIRouter(tags=["账号与登录"])
api = APIRouter(prefix="/api/v1", tags=["账号与登录"])

LOGIN_CSRF_COOKIE = "jiuye_login_csrf"


def safe_next(value: str | None) -> str:
    """Only a path on this site (never ``//host`` or ``http://…``) after login."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _do_login(request: Request, username: str, password: str) -> service.LoginResult:
    failure: UserError | None = None
    result: service.LoginResult | None = None
    with write_session(db_url(request)) as s:
        try:
            result = service.login(s, username, password, _client(request))
        except UserError as exc:
            failure = exc  # the failed attempt (count, lock, audit event) is committed, then reported
    if failure is not None:
        raise failure
    assert result is not None
    return result


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")  # fmt: skip


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"title": "登录", "login_csrf": token, "next": safe_next(next)})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login", include_in_schema=False)
def login_submit(
    request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:  # fmt: skip
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not service.csrf_ok(expected, csrf_token):
        raise UserError("登录页面已失效，请刷新后重新登录。", FORBIDDEN, "csrf_token")
    try:
        result = _do_login(request, username, password)
    except UserError as exc:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", {"title": "登录", "login_csrf": token, "next": safe_next(next),
                                                  "error": str(exc), "username": username[:64]},
                          status_code=exc.http_status)  # fmt: skip
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
        return response
    done = RedirectResponse(safe_next(next), status_code=303)
    _set_cookie(request, done, result.token)
    done.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return done


@router.post("/logout", include_in_schema=False)
async def logout_submit(request: Request) -> Response:
    ctx = await current(request)
    from jiuye.accounts.service import token_hash

    token = request.cookies.get(COOKIE, "")
    with ctx.write() as s:
        service.logout(s, service.SessionInfo(ctx.user, ctx.csrf, token_hash(token), False))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/accounts", include_in_schema=False)
def accounts_page(request: Request, ctx: Ctx = Depends(staff("accounts"))) -> Response:
    with ctx.read() as s:
        users = service.list_users(s, ctx.user.district, ctx.user.town)
    return render(
        request,
        "accounts.html",
        {
            "title": "账号管理",
            "users": users,
            "roles": ROLES,
            "permissions": PERMISSIONS,
            "permission_labels": PERMISSION_LABELS,
        },
    )


@router.post("/accounts", include_in_schema=False)
def accounts_create(
    request: Request, username: str = Form(...), display_name: str = Form(...), password: str = Form(...),
    role: str = Form(...), town: str = Form(""), ctx: Ctx = Depends(staff("accounts")),
) -> Response:  # fmt: skip
    town = town.strip()
    if ctx.user.town is not None and town != ctx.user.town:
        # a town account would otherwise give itself (or another town) a wider scope than its own
        raise UserError(f"街镇账号只能新建本街镇（{ctx.user.town}）的账号。", FORBIDDEN, "town")
    with ctx.write() as s:
        service.create_user(s, username, display_name, password, role, ctx.user.district, town or None,
                            ctx.user.actor)  # fmt: skip
    return RedirectResponse("/accounts", status_code=303)


# --- JSON API -------------------------------------------------------------------------------------
class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=512)


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    role_label: str
    district: str
    town: str | None
    permissions: list[str]


class LoginOut(BaseModel):
    token: str = Field(description="会话令牌：以 Authorization: Bearer 令牌 调用其他接口")
    csrf_token: str = Field(description="以 Cookie 会话调用时，修改类请求须带 X-CSRF-Token 头")
    user: UserOut


def user_out(user: service.User) -> UserOut:
    return UserOut(username=user.username, display_name=user.display_name, role=user.role,
                   role_label=user.role_label, district=user.district, town=user.town,
                   permissions=sorted(p for p in PERMISSIONS if user.can(p)))  # fmt: skip


@api.post("/login", response_model=LoginOut, summary="登录，取得会话令牌")
def api_login(request: Request, body: LoginIn) -> Any:
    result = _do_login(request, body.username, body.password)
    return LoginOut(token=result.token, csrf_token=result.csrf, user=user_out(result.user))


@api.post("/logout", summary="退出登录（令牌作废）")
def api_logout(request: Request, ctx: Ctx = Depends(staff())) -> dict[str, str]:
    from jiuye.accounts.service import token_hash

    token = (
        request.headers.get("authorization", "")[7:].strip()
        if ctx.bearer
        else request.cookies.get(COOKIE, "")
    )
    with ctx.write() as s:
        service.logout(s, service.SessionInfo(ctx.user, ctx.csrf, token_hash(token), False))
    return {"message": "已退出登录。"}


@api.get("/me", response_model=UserOut, summary="当前登录的工作人员")
def api_me(ctx: Ctx = Depends(staff())) -> Any:
    return user_out(ctx.user)
