"""The payment-batch list reaches every batch of the user's district, however many there are: it pages
(「上一页/下一页」, newest first) where it used to show the newest 200 only — an older batch could be reached
neither from the list nor by its own page, which looked it up in those 200.  The page size is lowered to one
here instead of paying 200 batches.  On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import api_token, login


def _more_batches(url: str, out: Path) -> None:
    """Two more batches after the demo's (2025-06): 2025-07 and 2025-08."""
    from jiuye.cli import main

    for month in ("2025-07", "2025-08"):
        assert main(["approve", "--month", month, "--db", url]) == 0
        assert main(["pay", "--month", month, "--out", str(out / month), "--db", url]) == 0


def _batch_ids(url: str) -> list[int]:
    """The batches holding lines of Jinshan's measures, newest first (the demo pays Jinshan's only)."""
    from jiuye import db
    from jiuye.ledger.models import payments as pay

    with db.session_scope(url) as s:
        found = s.execute(sa.select(pay.c.batch_id).where(pay.c.policy.like("JS-%")).distinct()).scalars()
        return sorted((int(n) for n in found), reverse=True)


def _listed(client: Any) -> tuple[list[int], list[str]]:
    """Every batch the list shows, following 下一页 from the first page; and the pages' HTML."""
    ids: list[int] = []
    pages = [client.get("/payments").text]
    while True:
        ids += [int(n) for n in re.findall(r'<a href="/payments/batches/(\d+)">', pages[-1])]
        following = re.search(r'href="(/payments\?page=(\d+))">下一页', pages[-1])
        if following is None:
            return ids, pages
        assert int(following.group(2)) == len(pages) + 1
        pages.append(client.get(following.group(1)).text)


def test_every_batch_of_the_district_is_reached_from_the_list(
    client: Any, web_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuye.ledger import views

    _more_batches(web_db, tmp_path)
    js = _batch_ids(web_db)
    assert len(js) == 3
    monkeypatch.setattr(views, "BATCH_PAGE_SIZE", 1)  # a batch a page: the oldest lies beyond the first page

    login(client, "auditor_js")
    ids, pages = _listed(client)
    assert ids == js, (ids, js)  # every batch, once each, newest first
    assert len(pages) == 3 and "上一页" not in pages[0] and "上一页" in pages[-1]
    assert "第 2 页" in pages[1] and "下一页" not in pages[-1]
    oldest = client.get(f"/payments/batches/{js[-1]}")
    assert oldest.status_code == 200 and f"发放批次 {js[-1]}" in oldest.text
    assert "这一页没有发放批次" in client.get("/payments?page=99").text  # past the last page: said in Chinese
    headers = api_token(client, "auditor_js")
    by_api = [b["id"] for n in range(1, 5)
              for b in client.get("/api/v1/payment-batches", params={"page": n}, headers=headers).json()]  # fmt: skip
    assert by_api == js
    assert client.get(f"/api/v1/payment-batches/{js[-1]}", headers=headers).status_code == 200

    client.cookies.clear()
    login(client, "auditor_cm")  # another district: none of them, on no page, nor by number
    assert _listed(client)[0] == []
    assert client.get(f"/payments/batches/{js[-1]}").status_code == 404
