"""The evaluate API answers any request body with a Chinese 4xx, never a 500."""

from __future__ import annotations

from typing import Any

from .test_pages import api_token

# valid JSON (json.loads accepts a lone surrogate escape) that no UTF-8 text can hold
LONE_SURROGATE = (b'{"evaluate": {"from": "2024-01", "to": "2024-12"}, "persons": [{"id": "x", '
                  b'"id_number": "3101161995040\\ud8001", "birth_date": "1995-04-01", "gender": "male"}]}')  # fmt: skip


def test_evaluate_api_refuses_bad_bodies_in_chinese(client: Any) -> None:
    headers = api_token(client, "reviewer_js")
    for body, ctype in [(LONE_SURROGATE, "application/json"), (b"[1]", "application/json"),
                        (b"nope", "application/json"), (b'{"a": 1}', "text/plain"), (b'"x"', "application/json"),
                        (b"{" * 100_000, "application/json")]:  # fmt: skip
        r = client.post("/api/v1/evaluate", content=body, headers={**headers, "content-type": ctype})
        assert 400 <= r.status_code < 500, (body[:40], r.status_code)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"]), r.text
