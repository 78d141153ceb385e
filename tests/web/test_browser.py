"""In a real browser (Debian's chromium through Playwright), desktop and phone: each role logs in; a
reviewer opens a JS-02 entitlement, reads the explanation and approves it; a fund auditor confirms the
planted flag; a policy officer previews and sets a G6 amount; a Chongming reviewer gets 404 on a Jinshan
person by URL.  Screenshots go to docs/screenshots/ for the README."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import ACCOUNTS, PASSWORD, shot

pytestmark = pytest.mark.slow


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _no_english_errors(page: Any) -> None:
    text = page.inner_text("body")
    assert "Traceback" not in text and "Internal Server Error" not in text and "Not Found" not in text


def test_every_role_logs_in_and_sees_the_work_bench(page: Any, live_server: str) -> None:
    for username, name, _role, _district, _town in ACCOUNTS:
        _login(page, live_server, username)
        assert name in page.inner_text("header")
        assert page.inner_text("h1") == "工作台"
        if username == "reviewer_js":
            shot(page, "workbench")
        page.click("button.link")  # 退出
        page.wait_for_url(re.compile(r".*/login.*"))
    shot(page, "login")


def test_reviewer_approves_a_js02_entitlement(page: Any, live_server: str, web_db: str) -> None:
    _login(page, live_server, "reviewer_js")
    page.goto(f"{live_server}/review?policy=JS-02&state=found")
    shot(page, "review-queue")
    with page.expect_navigation():  # count() does not wait: read the new page only once it has loaded
        page.click("#queue a[href^='/entitlements/']")
    assert "JS-02" in page.inner_text("h1")
    assert page.locator("#explanation tr").count() >= 3
    assert "满足" in page.inner_text("#explanation")
    shot(page, "entitlement")
    page.fill("#reason", "材料齐全，符合条件")
    with page.expect_navigation():
        page.click("button[value=approve]")
    assert "done=approve" in page.url, page.inner_text("main")
    assert page.inner_text("#state") == "已核准"
    _no_english_errors(page)
    page.goto(f"{live_server}/review/bulk?month=2026-10")
    assert int(page.inner_text("#bulk-count").replace(",", "")) > 0
    shot(page, "bulk-approve")


def test_fund_auditor_confirms_the_planted_flag(page: Any, live_server: str) -> None:
    _login(page, live_server, "auditor_js")
    page.goto(f"{live_server}/supervision")
    shot(page, "supervision")
    page.click("#flags a[href^='/supervision/flags/']")
    page.fill("#reason", "经核实，死亡后仍有发放")
    with page.expect_navigation():  # the same page comes back after the POST: wait for the new one
        page.click("button[value=confirmed]")
    assert page.inner_text("#flag-state") == "已确认"
    shot(page, "flag")


def test_policy_officer_previews_a_g6_amount(page: Any, live_server: str) -> None:
    _login(page, live_server, "policy_js")
    page.goto(f"{live_server}/parameters/JS-04")
    page.fill("#since", "2026-01-01")
    page.fill("#value", "800")
    page.fill("#source", "市级标准（测试）")
    page.click("#param-form button[type=submit]")
    page.wait_for_selector("#preview")
    assert int(page.inner_text("#pv-lines").replace(",", "")) > 0
    shot(page, "parameters-preview")
    page.click("#preview button[type=submit]")
    page.wait_for_url(re.compile(r".*saved=1"))
    assert "已设定" in page.inner_text("main")


def test_chongming_reviewer_gets_404_on_a_jinshan_person(page: Any, live_server: str, web_db: str) -> None:
    from jiuye.db import session_scope
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    with session_scope(web_db) as s:
        pid = s.execute(sa.select(p.c.id).where(p.c.hukou_district == "jinshan").limit(1)).scalar_one()
    _login(page, live_server, "reviewer_cm")
    response = page.goto(f"{live_server}/people/{pid}")
    assert response is not None and response.status == 404
    assert "不在您的辖区" in page.inner_text("main")
    shot(page, "out-of-scope")


def test_person_page_and_payments(page: Any, live_server: str) -> None:
    _login(page, live_server, "reviewer_js")
    page.goto(f"{live_server}/review?policy=JS-02&state=found")
    with page.expect_navigation():
        page.click("#queue a[href^='/people/']")
    assert "一人一档" in page.inner_text("h1")
    assert "********" in page.inner_text("#person-id")
    shot(page, "person")
    page.goto(f"{live_server}/payments")
    with page.expect_navigation():
        page.click("#batches a[href^='/payments/batches/']")
    assert page.locator("#per-measure tr").count() >= 2
    shot(page, "payment-batch")
