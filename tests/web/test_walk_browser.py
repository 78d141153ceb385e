"""Every staff role walks its pages in a real browser, phone and desktop (session 9's attack, now a test):
the work bench, every page of the menu and the first records those pages link to.  Each page answers
without an error status, fits the phone's width, and shows no English word (login names and <code>
identifiers aside) and no unmasked ID number."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import ACCOUNTS
from tests.web.test_browser import _login

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("web_db", ["sqlite"], indirect=True)]
LOGINS = {name for name, *_ in ACCOUNTS}
ID18 = re.compile(r"(?<![0-9A-Za-z*])\d{17}[\dXx](?![0-9A-Za-z])")
RECORD = re.compile(r"/(entitlements|people|employers|organizations|payments/batches|supervision/flags|jobs|parameters|"
                    r"review/applications)/[A-Za-z0-9-]+$")  # fmt: skip


def _english(page: Any) -> list[str]:
    text = page.evaluate("""() => { const b = document.body.cloneNode(true);
        b.querySelectorAll('code, script, style').forEach(e => e.remove()); return b.innerText; }""")
    words = set(re.findall(r"(?<![A-Za-z0-9-])[A-Za-z][A-Za-z_]{2,}", text))
    return sorted(words - LOGINS - {"PDF", "JPG", "PNG", "XLSX", "CSV", "UTF", "GBK", "JSON", "jiuye"})  # file formats, encodings


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href], nav a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h.startswith("/") and not h.startswith("/api/") and "/download" not in h and "/files/" not in h]


@pytest.mark.parametrize("username", ["admin_js", "policy_js", "reviewer_js", "auditor_js", "caseworker_js", "leader_js"])
def test_every_role_walks_its_pages_in_chinese_on_a_phone_and_a_desk(page: Any, live_server: str, username: str) -> None:
    _login(page, live_server, username)
    seen: set[str] = set()
    queue = ["/", *_links(page, live_server)]
    records: dict[str, int] = {}
    problems: list[str] = []
    while queue:
        href = queue.pop(0).split("#")[0]
        if href in seen or len(seen) > 60:
            continue
        seen.add(href)
        response = page.goto(live_server + href)
        status = response.status if response else 0
        if status >= 400:
            problems.append(f"{href}: HTTP {status}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"] + 1:
            problems.append(f"{href}: {width}px wide")
        if english := _english(page):
            problems.append(f"{href}: English {english[:8]}")
        if ids := ID18.findall(page.inner_text("body")):
            problems.append(f"{href}: unmasked {ids[:2]}")
        for link in _links(page, live_server):
            kind = RECORD.search(link.split("?")[0])
            if kind and records.get(kind.group(1), 0) < 2:  # the first two records of each kind
                records[kind.group(1)] = records.get(kind.group(1), 0) + 1
                queue.append(link)
            elif not kind and link.count("/") == 1 and "?" not in link:  # another page of the menu
                queue.append(link)
    assert len(seen) >= 3
    assert not problems, "\n".join(problems)


def test_the_resident_picks_a_document_with_a_chinese_button(page: Any, live_server: str, tmp_path: Any) -> None:
    """The browser's own file button speaks the browser's language ("Choose File / No file chosen" in this
    chromium): the form shows its own 选择文件 and the chosen file's name instead."""
    from tests.web.public_helpers import PDF, id_number
    from tests.web.test_public_browser import register

    register(page, live_server, id_number(60 + (page.viewport_name == "phone")), "郑十")
    page.goto(f"{live_server}/my/apply/JS-08b")
    # bounding_box() does not wait for the page's styles, and the chosen file's name is shown by its deferred
    # script: read the form once it has loaded
    with page.expect_navigation():
        page.click("text=开始填写")
    box = page.locator("#f-proof").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1  # the native control is out of sight
    assert page.locator("label[for=f-proof].file-button").inner_text() == "选择文件"
    assert page.inner_text("#f-proof-name") == "未选择文件"
    assert not _english(page)
    proof = tmp_path / "评定结果.pdf"
    proof.write_bytes(PDF)
    page.set_input_files("#f-proof", str(proof))
    assert page.inner_text("#f-proof-name") == "已选择：评定结果.pdf"
    with page.expect_navigation():
        page.click("button[value=save]")
    assert "已上传" in page.inner_text("main") and "评定结果.pdf" in page.inner_text("main")


def test_a_public_notice_reads_on_a_phone(page: Any, live_server: str, web_db: str) -> None:
    """The notice's six columns squeezed a measure's title to one character a line on a phone (rows ~350 px
    tall, the amount cut off): on a phone each payment is a block of labelled lines."""
    import datetime as dt

    from jiuye.accounts.web import write_session
    from jiuye.applications import notices
    from jiuye.rules.catalog import all_measures

    with write_session(web_db) as s:
        notice = notices.publish(s, 1, dt.date.today(), 7, "测试", [m.id for m in all_measures()])
    page.goto(f"{live_server}/notices/{notice}")
    rows = page.locator("#notice tr:has(td)")
    assert rows.count() > 10
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    for i in range(3):
        amount = rows.nth(i).locator("td.num").bounding_box()
        assert amount is not None and amount["x"] + amount["width"] <= width  # the amount is in sight
        box = rows.nth(i).bounding_box()
        assert box is not None and box["height"] < 260, box
    assert not _english(page)
