"""Issue 13 in a real browser (Debian chromium through Playwright), phone 390×844 and desktop 1280×900:
the residents' path from the public policy list to an approved application.  Screenshots go to
docs/screenshots/ (referenced in the README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import PASSWORD, shot
from tests.web.public_helpers import PDF, credit_code, id_number, registry_contact

pytestmark = pytest.mark.parametrize("web_db", ["sqlite"], indirect=True)
RESIDENT_PASSWORD = "resident-pass-1"


def no_english_or_trace(page: Any) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body and "Internal Server Error" not in body and "Not Found" not in body


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"page is {width}px wide"


def register(page: Any, base: str, identifier: str, name: str, kind: str = "resident", phone: str = "13912345678") -> None:
    page.goto(f"{base}/my/register")
    page.select_option("#kind", kind)
    page.fill("#identifier", identifier)
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.fill("#password", RESIDENT_PASSWORD)
    page.fill("#password2", RESIDENT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/my?welcome=1")


def fill_graduate(page: Any, birth: str, gender: str, district: str, graduation: str, start: str, insured: int) -> None:
    """The graduate's self-check form: a full-time bachelor, hukou, origin and employer in ``district``."""
    page.fill("#birth_date", birth)
    page.select_option("#gender", gender)
    page.select_option("#hukou_district", district)
    page.select_option("#education", "bachelor")
    page.check("input[name=full_time]")
    page.fill("#graduation_date", graduation)
    page.select_option("#origin_district", district)
    page.select_option("#employer_district", district)
    page.select_option("#employer_type", "enterprise")
    page.fill("#contract_start", start)
    page.check("input[name=registered]")
    page.fill("#insured_months", str(insured))


def test_graduate_selfcheck_in_browser(live_server: str, page: Any) -> None:
    page.goto(f"{live_server}/policies")
    assert page.locator("article.policy").count() >= 15
    no_horizontal_scroll(page)
    shot(page, "public-policies")
    page.click("text=政策计算器 >> nth=0")
    with page.expect_navigation():  # the check as typed is the page's deferred script: wait until it has run
        page.click("text=我是高校毕业生")
    page.fill("#id_number", "3101161")  # checked as it is typed
    assert "还差" in page.inner_text("#id_number-live")
    page.fill("#id_number", "")
    page.click("summary")
    fill_graduate(page, "2001-04-01", "male", "jinshan", "2024-06-30", "2024-07-01", 6)
    no_horizontal_scroll(page)
    shot(page, "public-selfcheck-form")
    with page.expect_navigation():  # the results are read next: wait for the whole page
        page.click("button[type=submit]")
    card = page.locator('article.result-eligible[data-policy="JS-03a"]')
    assert "3,000.00 元" in card.inner_text()
    card.locator("summary").click()
    text = card.inner_text()
    assert "在该单位缴纳社会保险费满6个月" in text and "满足" in text and "金就办〔2023〕1号 一(三)" in text
    no_english_or_trace(page)
    no_horizontal_scroll(page)
    shot(page, "public-selfcheck-graduate")


def test_36_year_old_sees_js02_refused_on_age_in_browser(live_server: str, page: Any) -> None:
    page.goto(f"{live_server}/self-check/flexible")
    page.click("summary")
    page.fill("#birth_date", "1987-03-01")
    page.select_option("#gender", "female")
    page.select_option("#hukou_district", "jinshan")
    page.fill("#unemployed_from", "2023-01-05")
    page.fill("#flexible_from", "2023-09-01")
    page.check("input[name=flexible_insured]")
    with page.expect_navigation():  # count() and evaluate() below do not wait: read the whole results page
        page.click("button[type=submit]")
    card = page.locator('article.result-refused[data-policy="JS-02"]')
    age = card.locator("ul.conds").first.locator("li", has_text="35周岁及以下")
    assert "不满足" in age.inner_text() and "年龄 36 周岁" in age.inner_text()
    assert age.locator(".hint").count() == 0  # nothing would change an age limit passed
    card.scroll_into_view_if_needed()
    no_horizontal_scroll(page)
    shot(page, "public-selfcheck-js02-age")


def test_any_of_condition_shows_what_would_change_it_in_browser(live_server: str, page: Any) -> None:
    """A Chongming student hired before graduating: CM-09's 离校2年内 (any of the graduations) is refused
    with the hint computed from the branch reachable first."""
    page.goto(f"{live_server}/self-check/graduate")
    page.click("summary")
    fill_graduate(page, "2004-04-01", "female", "chongming", "2026-06-30", "2026-03-01", 3)
    with page.expect_navigation():  # count() below does not wait: read the whole results page
        page.click("button[type=submit]")
    card = page.locator('article.result-refused[data-policy="CM-09"]')
    card.locator("summary").first.click() if card.locator("summary").count() else None
    cond = card.locator("ul.conds").first.locator("li", has_text="离校2年内")
    assert "不满足" in cond.inner_text()
    assert cond.locator(".hint").inner_text() == "怎样才能符合：毕业后（2026-06-30起）招用即可申请"
    card.scroll_into_view_if_needed()
    no_english_or_trace(page)
    no_horizontal_scroll(page)
    shot(page, "public-selfcheck-cm09-hint")


def test_resident_applies_reviewer_approves_resident_sees_it_in_browser(
    live_server: str, page: Any, chromium: Any, tmp_path: Path
) -> None:
    who = id_number(20 + (page.viewport_name == "phone"))
    register(page, live_server, who, "李四")
    page.goto(f"{live_server}/policies/JS-08b")
    page.click("text=网上申请")
    with page.expect_navigation():  # the code's check as typed and the file's name are the deferred script's
        page.click("text=开始填写")
    page.fill("#f-org_name", "金山某职业技能培训学校")
    page.fill("#f-org_code", credit_code(30))
    assert "格式正确" in page.inner_text("#f-org_code-live")
    page.select_option("#f-org_district", "jinshan")
    page.select_option("#f-grade", "A")
    page.fill("#f-graded_on", "2024-03-01")
    page.fill("#f-reason", "2023年度办学质量和诚信等级评定为A级")
    proof = tmp_path / "评定结果.pdf"
    proof.write_bytes(PDF)
    page.set_input_files("#f-proof", str(proof))
    no_horizontal_scroll(page)
    shot(page, "public-application-form")
    with page.expect_navigation():
        page.click("button[value=submit]")
    assert "已提交，待审核" in page.inner_text("#state")
    app_url = page.url.split("?")[0]
    app_id = app_url.rsplit("/", 1)[1]

    staff = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = staff.new_page()
    desk.goto(f"{live_server}/login")
    desk.fill("#username", "reviewer_js")
    desk.fill("#password", PASSWORD)
    desk.click("button[type=submit]")
    desk.goto(f"{live_server}/review")
    desk.click("text=点单式申请审核")
    with desk.expect_navigation():  # main is on every page: read the application's once it has loaded
        desk.click(f"a[href='/review/applications/{app_id}']")
    assert "评定结果.pdf" in desk.inner_text("main") and who not in desk.inner_text("body")
    desk.fill("#amount", "20000")
    desk.fill("#reason", "A级机构，按标准给予办学资助")
    with desk.expect_navigation():  # the same page (and #state) comes back after the POST: wait for the new one
        desk.click("button[value=approve]")
    assert "已核准" in desk.inner_text("#state")
    desk.viewport_name = "desktop"
    shot(desk, "staff-application-approved")
    staff.close()

    page.goto(app_url)
    decision = page.inner_text("#decision")
    assert "已核准" in decision and "20,000.00 元" in decision and "A级机构，按标准给予办学资助" in decision
    no_english_or_trace(page)
    no_horizontal_scroll(page)
    shot(page, "public-application-approved")


def test_resident_confirms_and_line_is_in_next_batch_in_browser(
    live_server: str, web_db: str, page: Any, tmp_path: Path
) -> None:
    from jiuye import db
    from jiuye.accounts.web import write_session
    from jiuye.ledger import service as ledger
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payments

    with db.session_scope(web_db) as s:
        line = s.execute(sa.select(e.c.id, e.c.subject, e.c.month).where(
            e.c.state == "found", e.c.policy == "JS-02", e.c.subject == e.c.beneficiary,
            e.c.amount_fen.is_not(None)).order_by(e.c.month, e.c.id).limit(1)).mappings().one()  # fmt: skip
    with write_session(web_db) as s:
        ledger.set_confirm(s, "JS-02", True, "测试")
        ledger.approve_month(s, line["month"], "测试", "JS-02")
    name, phone = registry_contact(web_db, line["subject"])  # someone the registry knows: its name and phone
    register(page, live_server, line["subject"], name, phone=phone)
    card = page.locator(f'article.line[data-entitlement="{line["id"]}"]')
    assert "确认领取" in card.inner_text() and line["subject"] not in page.inner_text("body")
    card.locator("input[name=bank_account]").fill("6222 0202 0011 2233 446")
    no_horizontal_scroll(page)
    shot(page, "public-confirm")
    with page.expect_navigation():  # the same line's card comes back after the POST: wait for the new page
        card.locator("button[value=confirmed]").click()
    card = page.locator(f'article.line[data-entitlement="{line["id"]}"]')
    assert "已确认领取" in card.inner_text() and "3446" in card.inner_text()
    assert "6222020200112233446" not in page.inner_text("body")
    with write_session(web_db) as s:  # the next payment batch
        batch = ledger.pay(s, line["month"], "测试", tmp_path)
    with db.session_scope(web_db) as s:
        paid = s.execute(sa.select(payments.c.batch_id).where(payments.c.entitlement_id == line["id"])).scalar_one()
    assert paid == batch.id
    page.reload()
    assert "已发放" in page.locator(f'article.line[data-entitlement="{line["id"]}"]').inner_text()


def test_resident_cannot_open_another_residents_application_by_url(
    live_server: str, page: Any, chromium: Any, tmp_path: Path
) -> None:
    owner = id_number(40 + (page.viewport_name == "phone"))
    register(page, live_server, owner, "赵六")
    page.goto(f"{live_server}/my/apply/JS-08b")
    page.click("text=开始填写")
    page.fill("#f-reason", "草稿")
    with page.expect_navigation():  # page.url is read next: wait for the saved draft's page
        page.click("button[value=save]")
    app_url = page.url.split("?")[0]
    other_ctx = chromium.new_context(viewport=page.viewport_size, locale="zh-CN")
    other = other_ctx.new_page()
    other.viewport_name = page.viewport_name
    register(other, live_server, id_number(50 + (page.viewport_name == "phone")), "孙七")
    response = other.goto(app_url)
    assert response is not None and response.status == 404
    body = other.inner_text("body")
    assert "找不到这份申请" in body and "赵六" not in body and owner not in body
    no_english_or_trace(other)
    shot(other, "public-other-application-404")
    other_ctx.close()
