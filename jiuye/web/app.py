"""Application factory: routers of every room, Chinese error pages / JSON errors, static files, job worker."""

from __future__ import annotations

import gc
import importlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from jiuye.errors import NOT_FOUND, UNAUTHENTICATED, UserError
from jiuye.webkit.digits import ascii_digits
from jiuye.webkit.fields import field_label
from jiuye.webkit.render import error_json, is_api, render

log = logging.getLogger("jiuye.web")

# every room that contributes pages or API: module with ``router`` (pages) and/or ``api`` (JSON)
VIEW_MODULES: tuple[str, ...] = (
    "jiuye.accounts.views",
    "jiuye.web.dashboard",
    "jiuye.web.figures",
    "jiuye.web.policies",
    "jiuye.registry.views",
    "jiuye.ledger.views",
    "jiuye.matching.views",
    "jiuye.supervision.views",
    "jiuye.parameters.views",
    "jiuye.audit.views",
    "jiuye.jobs.views",
    "jiuye.public.views",
    "jiuye.applications.views",
)
# the routes taken under load, tried first: a request is matched against the routes in order (FastAPI's router
# walks each included router's routes), and the self-check's POST came 85th, the evaluate API 16th — ≈ 0.1 ms of
# the event loop per request; no route of theirs matches another room's path (tests/web/test_routes_order.py)
HOT_MODULES: tuple[str, ...] = ("jiuye.web.policies", "jiuye.public.views")
# pages of residents and employers: their errors on the public layout, their login at /my/login
PUBLIC_PREFIXES = ("/policies", "/self-check", "/my", "/notices")

STATUS_TITLES = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "找不到页面", 405: "不支持的请求方式",
                 409: "当前状态不允许", 413: "文件过大", 422: "输入有误", 423: "账号已锁定", 500: "系统内部错误",
                 503: "数据库暂不可用"}  # fmt: skip


def _error(request: Request, status: int, message: str, field: str | None = None) -> Response:
    if is_api(request):
        return error_json(status, message, field)
    public = request.url.path.startswith(PUBLIC_PREFIXES)
    if status == 401 and request.method == "GET":
        login = "/my/login" if public else "/login"
        return RedirectResponse(f"{login}?next={request.url.path}", status_code=303)
    context = {"title": STATUS_TITLES.get(status, "出错了"), "message": message, "field_label": field_label(field)}
    return render(request, "public_error.html" if public else "error.html", context, status_code=status)


def _field(loc: Any) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    return ".".join(parts) or None


VALIDATION_TEXT = {
    "missing": "必填", "int_parsing": "应为整数", "string_too_long": "过长", "string_too_short": "过短",
    "json_invalid": "不是有效的 JSON", "model_attributes_type": "应为对象", "dict_type": "应为对象",
    "string_type": "应为文字", "int_type": "应为整数", "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）", "date_parsing": "应为日期（YYYY-MM-DD）",
    "enum": "不是允许的取值", "literal_error": "不是允许的取值", "greater_than_equal": "过小", "less_than_equal": "过大",
    "list_type": "应为列表", "float_parsing": "应为数字", "decimal_parsing": "应为数字", "too_long": "过长",
}  # fmt: skip


MAX_RECORD_ID = 2**63 - 1  # the largest key a database column holds (BIGINT, SQLite INTEGER)


async def ids_in_range(request: Request) -> None:
    """A number in the URL larger than any record's id is "not found", like any other missing record:
    SQLite refuses to bind it (OverflowError, a 500 before this), PostgreSQL would compare it as NUMERIC."""
    for value in request.path_params.values():
        # ASCII digits only ("²" or "①" are left to the route's own validation, a 422 in Chinese)
        if isinstance(value, str) and ascii_digits(value) and (len(value) > 19 or int(value) > MAX_RECORD_ID):
            raise UserError("找不到您要的页面或记录。", NOT_FOUND)


_FROZEN: list[bool] = []


def _freeze_startup_heap() -> None:
    """Move what the process holds at startup (modules, the catalog, SQLAlchemy's and FastAPI's structures:
    several hundred thousand objects) out of the cycle collector's reach, once per process: otherwise each
    full collection walks all of it — pauses of ≈ 100 ms every second or two at 50 concurrent requests,
    during which no request of the process moves."""
    if not _FROZEN:
        _FROZEN.append(True)
        gc.collect()
        gc.freeze()


def create_app(db_url: str | None = None, *, start_worker: bool = True) -> FastAPI:
    """The staff application on ``db_url`` (default ``$JIUYE_DATABASE_URL`` or ./jiuye.db)."""
    from jiuye.db import database_url, load_models

    url = database_url(db_url)
    load_models()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _freeze_startup_heap()
        worker = None
        if start_worker:
            from jiuye.jobs.worker import start

            worker = start(url)
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="就业 jiuye 经办系统 API",
        version="1",
        description="区人社局经办人员使用的 JSON 接口：测算、政策、登记库、待遇审核、发放、监管、审计、导入。"
        '错误一律为 {"message": 中文说明, "field": 出错的字段}。登录：POST /api/v1/login，'
        "以 Authorization: Bearer 令牌 调用。",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(ids_in_range)],
    )
    app.state.db_url = url

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        return _error(request, exc.http_status, str(exc), exc.field)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        field = _field(first.get("loc", ()))
        what = VALIDATION_TEXT.get(str(first.get("type", "")), "格式不对")
        whole = first.get("type") == "json_invalid"  # the body itself, not one of its fields
        message = f"输入有误：{'请求内容' if whole else field_label(field) or '请求中的一项'}{what}。" + (
            f"（共 {len(errors)} 处）" if len(errors) > 1 else ""
        )
        return _error(request, 422, message, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "找不到您要的页面或记录。", 405: "不支持这种请求方式。",
                   400: "请求内容无法解析（应为完整有效的 JSON 或表单，嵌套不宜过深），请检查后重试。"}.get(
            exc.status_code, STATUS_TITLES.get(exc.status_code, "请求无法处理。")
        )
        if isinstance(exc.detail, str) and any("\u4e00" <= c <= "\u9fff" for c in exc.detail):
            message = exc.detail
        return _error(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        from jiuye.accounts.scope import masked_traceback

        ref = uuid.uuid4().hex[:8]
        log.error("unhandled error %s on %s %s\n%s", ref, request.method, request.url.path, masked_traceback(exc))
        return _error(request, 500, f"系统内部错误，已记录（编号 {ref}）。请稍后重试或联系管理员。")

    for name in HOT_MODULES + tuple(m for m in VIEW_MODULES if m not in HOT_MODULES):
        module = importlib.import_module(name)
        for attr in ("router", "api"):
            router = getattr(module, attr, None)
            if router is not None:
                app.include_router(router)

    static = Path(__file__).resolve().parent.parent / "webkit" / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    _ = UNAUTHENTICATED
    return app
