"""A person's file lists at most PERSON_ROWS payments and audit events and PERSON_FLAGS flags: the newest, in
order, with a line saying the list is cut — they were the oldest rows, so a long-supported person's latest
payments and audit events were silently missing from the file an auditor reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa


def _person_with_events(web_db: str, events: int, flags_: int) -> int:
    from jiuye import audit, db
    from jiuye.registry.models import TABLES
    from jiuye.supervision.models import flags

    p = TABLES["persons"]
    with db.session_scope(web_db) as s:
        pid, idn = s.execute(sa.select(p.c.id, p.c.id_number).where(p.c.hukou_district == "jinshan")
                             .order_by(p.c.id)).first()  # fmt: skip
        for i in range(1, events + 1):
            audit.record(s, "测试", "unmask", "persons", pid, None, None, f"测试事件 {i}")
        for i in range(1, flags_ + 1):
            s.execute(sa.insert(flags).values(
                check="shared_bank_account", clause="政策目录 G8", district="jinshan", subject_kind="person",
                subject_id=idn, related_ids=idn, flag_key=f"cut-{i}", detail=f"测试疑点 {i}", severity="high",
                state="open", raised_on=dt.date(2024, 1, 1), run_id="t", last_run_id="t", created_by="测试",
                updated_by="测试"))  # fmt: skip
    return int(pid)


def test_the_newest_rows_are_listed_and_the_cut_is_said(client: Any, web_db: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from jiuye.registry import views
    from tests.web.conftest import api_token, login

    pid = _person_with_events(web_db, events=3, flags_=3)
    monkeypatch.setattr(views, "PERSON_ROWS", 2)
    monkeypatch.setattr(views, "PERSON_FLAGS", 2)
    auditor = api_token(client, "auditor_js")
    got = client.get(f"/api/v1/persons/{pid}", headers=auditor).json()
    assert [e["reason"] for e in got["events"]] == ["测试事件 2", "测试事件 3"]  # the newest two, oldest first
    assert [f["detail"] for f in got["flags"]] == ["测试疑点 2", "测试疑点 3"]
    assert {"events", "flags"} <= set(got["cut"])
    login(client, "auditor_js")
    page = client.get(f"/people/{pid}").text
    assert "测试事件 3" in page and "测试事件 1" not in page
    assert 'id="cut-events"' in page and "只列出最近的 2 条" in page and 'id="cut-flags"' in page


def test_a_file_within_the_limits_says_nothing_is_cut(client: Any, web_db: str) -> None:
    from tests.web.conftest import api_token, login

    pid = _person_with_events(web_db, events=3, flags_=3)
    got = client.get(f"/api/v1/persons/{pid}", headers=api_token(client, "auditor_js")).json()
    assert got["cut"] == []
    assert [e["reason"] for e in got["events"]][-3:] == ["测试事件 1", "测试事件 2", "测试事件 3"]
    login(client, "auditor_js")
    assert 'id="cut-' not in client.get(f"/people/{pid}").text
