"""Jinja2 environment (templates of every room), Chinese formatting filters, HTML/JSON responses."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

# rooms whose ``templates/`` folder is searched (found by path, so this module imports no room)
TEMPLATE_ROOMS = (
    "web",
    "accounts",
    "ledger",
    "matching",
    "registry",
    "supervision",
    "audit",
    "jobs",
    "parameters",
    "public",
    "applications",
)


def _room_dir(room: str) -> Path | None:
    spec = importlib.util.find_spec("jiuye")
    assert spec is not None and spec.submodule_search_locations
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / room / "templates"
    return path if path.is_dir() else None


def yuan(fen: Any) -> str:
    """Integer fen → 1,234.50 (exact, never through float); None → 待定."""
    if fen is None:
        return "待定"
    n = int(fen)
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}{n // 100:,}.{n % 100:02d}"


def month_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月"
    return str(value)


def datetime_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        local = value.astimezone(dt.timezone(dt.timedelta(hours=8)))  # 北京时间
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    return str(value)


@functools.cache
def environment() -> Environment:
    loaders: list[Any] = [FileSystemLoader(str(Path(__file__).parent / "templates"))]
    for room in TEMPLATE_ROOMS:
        path = _room_dir(room)
        if path is not None:
            loaders.append(FileSystemLoader(str(path)))
    # auto_reload off: templates are package files, changed by an upgrade (a restart), and checking each
    # template's and its parents' modification times on every page is system calls on the event loop
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True), auto_reload=False)
    env.filters.update(yuan=yuan, month=month_text, datetime=datetime_text, number=number_text)
    return env


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    ctx = {"request": request, **getattr(request.state, "page_context", {}), **context}
    html = environment().get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def error_json(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"message": message, "field": field}, status_code=status, headers=SECURITY_HEADERS)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")
