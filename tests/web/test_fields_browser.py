"""The browser's own file button and date fields speak its interface language ("Choose File", "No file chosen",
"mm/dd/yyyy", "January 2026" in this chromium): every page's file and date fields speak Chinese instead (the
staff's import page, the parameters, matching, review, payments; the residents' self-check and application),
phone and desktop."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import shot
from tests.web.test_browser import _login
from tests.web.test_walk_browser import _english

pytestmark = pytest.mark.parametrize("web_db", ["sqlite"], indirect=True)


def _shown(page: Any, field: str) -> str:
    """What the reader sees of a date field: our Chinese text over it, the browser's own text hidden (while the
    field is not being typed into)."""
    page.eval_on_selector(f"#{field}", "e => e.blur()")
    color = page.eval_on_selector(f"#{field}", "e => getComputedStyle(e).color")
    assert color in ("rgba(0, 0, 0, 0)", "transparent"), color
    return str(page.inner_text(f"#{field} + .date-shown"))


def test_the_staff_import_page_picks_files_with_a_chinese_button(page: Any, live_server: str, tmp_path: Any) -> None:
    _login(page, live_server, "admin_js")
    page.goto(f"{live_server}/imports")
    box = page.locator("#files").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1  # the native control is out of sight
    assert page.locator("label[for=files].file-button").inner_text() == "选择文件"
    assert page.inner_text("#files-name") == "未选择文件"
    assert not _english(page)
    shot(page, "staff-import")
    a, b = tmp_path / "人员.csv", tmp_path / "单位.csv"
    a.write_text("id_number\n", encoding="utf-8")
    b.write_text("credit_code\n", encoding="utf-8")
    page.set_input_files("#files", [str(a), str(b)])
    assert page.inner_text("#files-name") == "已选择：人员.csv、单位.csv"


def test_staff_date_and_month_fields_read_in_chinese(page: Any, live_server: str) -> None:
    _login(page, live_server, "policy_js")
    page.goto(f"{live_server}/parameters/JS-04")
    since = page.input_value("#since")
    year, month, _ = since.split("-")
    assert _shown(page, "since") == f"{year}年{int(month)}月1日"
    page.fill("#since", "2027-03-01")
    assert _shown(page, "since") == "2027年3月1日"
    assert not _english(page)
    page.goto(f"{live_server}/match")
    assert _shown(page, "month_from") == "2023年1月"
    shot(page, "staff-match-months")
    _login_again(page, live_server, "reviewer_js")
    page.goto(f"{live_server}/review")
    assert _shown(page, "month") == "年 / 月"  # empty: the hint, not the browser's "---------- ----"
    shot(page, "staff-review-month")


def _login_again(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    _login(page, base, username)


def test_the_selfcheck_dates_read_in_chinese(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/self-check/graduate")
    page.click("text=不填身份证号码时")  # birth date and gender are asked when no ID number is given
    assert _shown(page, "birth_date") == "年 / 月 / 日"
    page.fill("#birth_date", "2001-04-01")
    assert _shown(page, "birth_date") == "2001年4月1日"
    assert not _english(page)
    shot(page, "public-selfcheck-dates")


def test_a_resident_walks_their_pages_in_chinese(page: Any, live_server: str, web_db: str) -> None:
    """A Jinshan resident the registry knows, on a phone and a desk: their page, the policy list and pages, the
    self-check's forms, an application's form and the notices — no English, nothing wider than the screen; the
    Chongming measures are not offered to apply for, and the pages say why (G12)."""
    from tests.web.public_helpers import registry_contact
    from tests.web.test_public_browser import register
    from tests.web.test_public_district import _registry_person

    person = _registry_person(web_db, "jinshan")
    name, phone = registry_contact(web_db, person)
    register(page, live_server, person, name, phone=phone or "13912345678")
    assert "崇明区的" in page.inner_text("#elsewhere")
    page.locator("#elsewhere").scroll_into_view_if_needed()
    shot(page, "public-my-district")
    page.goto(f"{live_server}/policies/CM-03b")
    assert "户籍：金山区" in page.inner_text("#not-for-me") and page.locator("a[href='/my/apply/CM-03b']").count() == 0
    page.locator("#not-for-me").scroll_into_view_if_needed()
    shot(page, "public-policy-other-district")
    page.goto(f"{live_server}/my/apply/JS-09")
    page.click("text=开始填写")
    problems = []
    for href in ["/my", "/policies", "/policies/JS-09", "/policies/CM-03b", "/self-check", "/self-check/graduate",
                 "/self-check/flexible", "/self-check/employed", "/self-check/employer", "/notices",
                 "/my/apply/CM-03b", page.url.removeprefix(live_server)]:  # fmt: skip
        page.goto(live_server + href)
        if english := _english(page):
            problems.append(f"{href}: {english[:8]}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"] + 1:
            problems.append(f"{href}: {width}px wide")
    assert not problems, problems
