"""Every field a user can get wrong is named in Chinese, from one table (jiuye/webkit/fields.py): a form field
missing or tampered with, a query parameter, a field named by a service's Chinese error."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import api_token, login

ROOT = Path(__file__).resolve().parents[2] / "jiuye"
ENGLISH = re.compile(r"[A-Za-z_]{3,}")


def _route_fields() -> set[str]:
    from jiuye.web.app import VIEW_MODULES

    names: set[str] = set()

    def walk(dep: Any) -> None:
        for kind in ("path_params", "query_params", "body_params"):
            for f in getattr(dep, kind):
                names.add(f.alias)
                names.update(getattr(f.field_info.annotation, "model_fields", {}))
        for sub in dep.dependencies:
            walk(sub)

    for name in VIEW_MODULES:
        module = importlib.import_module(name)
        for attr in ("router", "api"):
            router = getattr(module, attr, None)
            for route in getattr(router, "routes", []):
                if hasattr(route, "dependant"):
                    walk(route.dependant)
    return names


def _user_error_fields() -> set[str]:
    """The literal field of every ``UserError(message, status, "field")`` in the package."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "UserError":
                args = [*node.args[2:3], *(k.value for k in node.keywords if k.arg == "field")]
                found.update(a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def test_every_field_a_user_can_get_wrong_has_a_chinese_label() -> None:
    from jiuye.webkit.fields import FIELD_LABELS

    fields = _route_fields() | _user_error_fields()
    assert {"decision", "reason", "file", "csrf_token", "month"} <= fields  # the scan sees what it should
    missing = sorted(fields - FIELD_LABELS.keys())
    assert not missing, f"no Chinese label for {missing}"
    for name, label in FIELD_LABELS.items():
        assert label is None or (re.search(r"[\u4e00-\u9fff]", label) and not ENGLISH.search(label)), (name, label)


def test_field_label_of_a_path_names_each_part_in_chinese() -> None:
    from jiuye.webkit.fields import field_label

    assert field_label("decision") == "审核结论"
    assert field_label("month_from") == "起始月份"
    assert field_label("csrf_token") is None  # the message says what to do; the token is no field to check
    assert field_label("no_such_field") is None and field_label(None) is None


@pytest.mark.parametrize("web_db", ["sqlite", "postgresql"], indirect=True)
def test_a_missing_or_tampered_field_is_named_in_chinese(client: Any, web_db: str) -> None:
    token = login(client, "reviewer_js")
    r = client.post("/entitlements/1/review", data={"reason": "理由", "csrf_token": token})  # decision removed
    assert r.status_code == 422 and "审核结论" in r.text and "decision" not in r.text.split("<main", 1)[1]
    r = client.post("/review/bulk", data={"month": "2026-10", "csrf_token": token, "expected_count": "many"})
    assert r.status_code == 422 and "确认的条数" in r.text and "expected_count" not in r.text.split("<main", 1)[1]
    headers = api_token(client, "reviewer_js")
    r = client.post("/api/v1/entitlements/1/review", json={"reason": "理由"}, headers=headers)
    body = r.json()
    assert r.status_code == 422 and body["field"] == "decision" and "审核结论" in body["message"], body
    assert not ENGLISH.search(body["message"]), body
    r = client.post("/api/v1/login", content=b"{{", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["message"].startswith("输入有误：请求内容不是有效的"), r.json()


@pytest.mark.parametrize("web_db", ["sqlite"], indirect=True)
def test_the_public_error_page_names_no_field_in_english(client: Any) -> None:
    r = client.post("/self-check/graduate", data={"birth_date": "2000-01-01"})  # CSRF token removed
    assert r.status_code == 403 and "页面已失效" in r.text
    main = r.text.split("<main", 1)[1]
    assert "csrf_token" not in main and not ENGLISH.search(re.sub(r"<[^>]+>", " ", main).replace("JS", "")), main


def _main_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>", 1)[0])


@pytest.mark.parametrize("web_db", ["sqlite", "postgresql"], indirect=True)
def test_tampered_staff_forms_are_refused_in_chinese_and_change_nothing(client: Any, web_db: str) -> None:
    """Session 9's tampering: a CSRF token of another session, a month typed wrong, an 免申即享 switch value
    the form never sends (it switched the measure off), a town of another district."""
    from jiuye import db
    from jiuye.ledger.models import policy_settings

    def auto_of(policy: str) -> Any:
        with db.session_scope(web_db) as s:
            return s.execute(sa.select(policy_settings.c.auto).where(policy_settings.c.policy == policy)).scalar()

    admin = login(client, "admin_js")
    before = auto_of("JS-02")
    r = client.post("/settings/JS-02", data={"auto": "maybe", "reason": "篡改的取值", "csrf_token": admin})
    assert r.status_code == 422 and "免申即享设置只能是" in r.text and auto_of("JS-02") == before
    r = client.post("/entitlements/1/review", data={"decision": "approve", "reason": "理由", "csrf_token": admin[::-1]})
    assert r.status_code == 403 and "页面已失效" in r.text and not ENGLISH.search(_main_text(r.text))
    r = client.get("/review?month=2026-13")
    assert r.status_code == 422 and "月份格式不对" in r.text and not ENGLISH.search(_main_text(r.text))
    r = client.post("/accounts", data={"username": "x_town", "display_name": "某人", "password": "long-password-123",
                                       "role": "caseworker", "town": "城桥镇", "csrf_token": admin})  # fmt: skip
    assert r.status_code == 422 and "金山区没有街镇“城桥镇”" in r.text
