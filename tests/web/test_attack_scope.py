"""Attacks on the staff web found in session 9 (each test failed before its fix):

- the bulk-approval API asked for an empty month answered with a 500 (an ``assert``) instead of a Chinese 422.
"""

from __future__ import annotations

from tests.web.conftest import api_token


def test_an_empty_bulk_approval_month_is_a_chinese_422_not_a_500(web_db: str) -> None:
    from fastapi.testclient import TestClient

    from jiuye.web.app import create_app

    with TestClient(create_app(web_db, start_worker=False), raise_server_exceptions=False) as c:
        headers = api_token(c, "reviewer_js")
        preview = c.get("/api/v1/entitlements-bulk-approval?month=", headers=headers)
        start = c.post("/api/v1/entitlements-bulk-approval", json={"month": "", "expected_count": 0}, headers=headers)
    for r in (preview, start):
        assert r.status_code == 422, (r.status_code, r.text[:200])
        assert r.json() == {"message": "请选择核准月份。", "field": "month"}
