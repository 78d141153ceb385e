"""Numbers a user sends — a header, a query field — are read through one check (jiuye.webkit.digits): a value
that ``str.isdigit()`` accepts but ``int()`` refuses ("²", thousands of digits) is a Chinese 4xx, never a 500;
on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import login


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


def test_a_figures_year_of_thousands_of_digits_is_a_chinese_422(web_db: str) -> None:
    with _client(web_db) as c:
        login(c, "leader_js")
        r = c.get("/figures", params={"year": "2" * 5000})  # int() reads no more than 4,300 digits
    assert r.status_code == 422, r.status_code
    assert "年份不对" in r.text
