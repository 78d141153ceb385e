"""The hot rooms' routes are tried first (``jiuye.web.app.HOT_MODULES``): that must change no request's route.

Every route's path, its parameters filled in several ways, is resolved under every method against the routes
in the plain module order and in the served order; each must land on the same route (or the same 405)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Match

from jiuye.web import app as web_app

SAMPLES = ("1", "x", "JS-01", "99999999999999999999", "a/b", "new", "edit", "graduate")
METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH")


def _routes(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, hot: tuple[str, ...]) -> list[Any]:
    monkeypatch.setattr(web_app, "HOT_MODULES", hot)
    app = web_app.create_app(f"sqlite:///{tmp_path}/routes.db", start_worker=False)
    out: list[Any] = []

    def walk(routes: list[Any]) -> None:
        for r in routes:
            included = getattr(r, "original_router", None)  # FastAPI keeps an included router as one candidate
            if included is not None:
                walk(included.routes)
            else:
                out.append(r)

    walk(app.router.routes)
    return out


def _resolve(routes: list[Any], method: str, path: str) -> tuple[str, Any]:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
    partial = None
    for r in routes:
        match, _ = r.matches(scope)
        key = (getattr(r, "path", None), getattr(r, "name", None))
        if match == Match.FULL:
            return "route", key
        if match == Match.PARTIAL and partial is None:
            partial = key
    return "405 or 404", partial


def test_hot_routes_first_change_no_request_s_route(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    hot = web_app.HOT_MODULES
    plain = _routes(monkeypatch, tmp_path, ())
    served = _routes(monkeypatch, tmp_path, hot)
    assert sorted(map(str, (r.path for r in plain))) == sorted(map(str, (r.path for r in served)))
    paths = {re.sub(r"\{[^}]*\}", value, r.path) for r in plain for value in SAMPLES}
    for path in sorted(paths):
        for method in METHODS:
            assert _resolve(plain, method, path) == _resolve(served, method, path), (method, path)
    # and the point of it: the two requests under load are matched within the first dozen routes
    for method, path in (("POST", "/api/v1/evaluate"), ("POST", "/self-check/graduate")):
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
        assert next(i for i, r in enumerate(served) if r.matches(scope)[0] == Match.FULL) < 12
