"""In a real browser, desktop and phone: a policy officer starts matching and watches it finish; a reviewer
opens an employer's file (一企一档); a leader reads the figures.  Screenshots go to docs/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import shot
from tests.web.test_browser import _login, _no_english_errors

pytestmark = pytest.mark.slow


def _wait_done(page: Any, seconds: int = 240) -> str:
    # The job page refreshes itself every second (meta refresh) while the job runs; reloading it from the
    # test as well raced with that navigation (net::ERR_ABORTED).  Playwright's selector wait survives the
    # page's own navigations, so wait for the finished state instead.
    page.wait_for_selector('#job[data-state="done"], #job[data-state="failed"]', timeout=seconds * 1000)
    # the selector matches as soon as #job's tag is parsed; the result table inside it may still be on its way,
    # and count() does not wait: read the finished page once it has loaded (it no longer refreshes itself)
    page.wait_for_load_state()
    return str(page.get_attribute("#job", "data-state"))


def test_policy_officer_starts_matching_and_sees_the_result(page: Any, live_server: str) -> None:
    _login(page, live_server, "policy_js")
    page.goto(f"{live_server}/match")
    assert page.inner_text("h1") == "主动匹配"
    page.fill("#month_from", "2026-01")
    page.fill("#month_to", "2026-10")
    shot(page, "match")
    with page.expect_navigation():
        page.click("#match-form button[type=submit]")
    assert "/jobs/" in page.url
    assert _wait_done(page) == "done", page.inner_text("main")
    assert page.locator("#match-result").count() == 1
    _no_english_errors(page)
    shot(page, "match-result")


def test_reviewer_opens_an_employer_file(page: Any, live_server: str, web_db: str) -> None:
    from jiuye.db import session_scope
    from jiuye.ledger.models import entitlements as e
    from jiuye.registry.models import TABLES

    emp = TABLES["employers"]
    with session_scope(web_db) as s:
        emp_id = s.execute(sa.select(emp.c.id).join(e, e.c.beneficiary == emp.c.credit_code)
                           .where(e.c.policy.like("JS-%")).limit(1)).scalar_one()  # fmt: skip
    _login(page, live_server, "reviewer_js")
    page.goto(f"{live_server}/employers/{emp_id}")
    assert "一企一档" in page.inner_text("h1")
    assert page.locator("#body-entitlements tr").count() >= 2
    _no_english_errors(page)
    shot(page, "employer")


def test_leader_reads_the_figures(page: Any, live_server: str) -> None:
    _login(page, live_server, "leader_js")
    page.goto(f"{live_server}/figures")
    assert page.inner_text("h1") == "领导统计"
    assert "无数据来源" in page.inner_text("#targets")
    assert page.locator("#fig-measure tr").count() >= 2
    assert page.locator("form[method=post] button:not(.link)").count() == 0  # read-only: only 退出
    _no_english_errors(page)
    shot(page, "figures")
