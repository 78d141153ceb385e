"""Numbers a user sends — a header, a query field — are read through one check (jiuye.webkit.digits): a value
that ``str.isdigit()`` accepts but ``int()`` refuses ("²", thousands of digits) is a Chinese 4xx, never a 500;
on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import login
from tests.web.public_helpers import id_number, register


def test_ascii_digits_are_the_digits_0_to_9_only() -> None:
    from jiuye.webkit.digits import ascii_digits

    assert ascii_digits("0") and ascii_digits("2024") and ascii_digits("9" * 5000)
    for text in (
        "",
        " 1",
        "1 ",
        "-1",
        "+1",
        "1.0",
        "²",
        "①",
        "١٢٣",
        "１２",
    ):  # superscript, circled, Arabic-Indic, fullwidth
        assert not ascii_digits(text), text
    assert ascii_digits("2024", most=4) and not ascii_digits("02024", most=4)


def _client(url: str) -> Any:
    from fastapi.testclient import TestClient

    from jiuye.web.app import create_app

    return TestClient(
        create_app(url, start_worker=False), follow_redirects=False, raise_server_exceptions=False
    )


def _post_raw(client: Any, url: str, data: dict[str, str], headers: dict[str, bytes]) -> Any:
    """POST through httpx's ASGI transport, which hands the app the header bytes as given (the test client
    re-encodes every header as UTF-8, so a latin-1 "²" — what an ASGI server's bytes decode to — never arrives).

    On a thread of its own: a browser test earlier in the same worker leaves Playwright's event loop running on
    this one, where ``asyncio.run`` refuses to start another."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    async def post() -> Any:
        transport = httpx.ASGITransport(app=client.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=client.cookies
        ) as a:
            return await a.post(url, data=data, headers=headers)

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, post()).result()


@pytest.mark.parametrize(("length", "said"), [
    (b"\xb2", "请求不完整"), (b"\xb9\xb2\xb3", "请求不完整"),  # "²", "¹²³" as an ASGI server's latin-1 reads them
    (b"1" * 5000, "上传的文件过大"),  # ASCII, but more digits than int() reads
])  # fmt: skip
def test_an_application_saved_with_a_content_length_no_int_reads_is_a_chinese_4xx(web_db: str, length: bytes,
                                                                                    said: str) -> None:  # fmt: skip
    with _client(web_db) as c:
        token = register(c, id_number(31), "郑十一")
        start = c.post("/my/apply/JS-08b", data={"csrf_token": token})
        assert start.status_code == 303, start.text
        r = _post_raw(c, start.headers["location"], {"csrf_token": token, "action": "save", "org_name": "某校"},
                      {"content-length": length})  # fmt: skip
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert "系统内部错误" not in r.text
    assert said in r.text and "保存草稿" in r.text  # said on the resident's application, in Chinese


def test_a_figures_year_of_thousands_of_digits_is_a_chinese_422(web_db: str) -> None:
    with _client(web_db) as c:
        login(c, "leader_js")
        r = c.get("/figures", params={"year": "2" * 5000})  # int() reads no more than 4,300 digits
    assert r.status_code == 422, r.status_code
    assert "年份不对" in r.text
