"""The public pages keep the bureau's settings between requests (jiuye.public.bureau); every change a policy
officer makes — a parameter value, 免申即享 on or off, the bureau's district — reaches the very next
self-check and policy list, on both databases, and an unchanged database is not read again."""

from __future__ import annotations

from typing import Any

from tests.web.public_helpers import text_of
from tests.web.test_public import GRADUATE, selfcheck


def _js03a(client: Any) -> str:
    r = selfcheck(client, "graduate", GRADUATE)
    assert r.status_code == 200, r.text
    return text_of(r.text.split('data-policy="JS-03a"')[1].split("</article>")[0])


def test_a_change_reaches_the_next_request_and_nothing_else_rereads(client: Any, web_db: str) -> None:
    from jiuye.db import write_session
    from jiuye.ledger.service import set_auto, set_bureau_district
    from jiuye.parameters.service import parse_change, set_value
    from jiuye.public.bureau import CACHE

    first = _js03a(client)
    assert "3,000.00 元" in first and "免申即享" in first
    reads = CACHE.reads
    for _ in range(3):
        assert _js03a(client) == first
    client.get("/policies")
    assert CACHE.reads == reads  # unchanged: kept

    with write_session(web_db) as s:  # the parameters page's service, on its own connection (as another process)
        set_value(s, parse_change("JS-03a", "bachelor_amount", "2024-01-01", "3500", "测试：调整通知第2号"), "officer")
    block = _js03a(client)
    assert "3,500.00 元" in block and "3,000.00 元" not in block
    assert CACHE.reads == reads + 1

    with write_session(web_db) as s:
        set_auto(s, "JS-03a", False, "officer", "测试：改为依申请")
    block = _js03a(client)
    assert "免申即享" not in block and "须在网上提出申请" in block
    listed = client.get("/policies/JS-03a").text
    assert "依申请：在网上提出申请" in text_of(listed)

    with write_session(web_db) as s:
        set_bureau_district(s, "chongming", "officer", "测试：崇明部署")
    r = selfcheck(client, "graduate", GRADUATE)
    assert r.status_code == 200 and 'data-policy="JS-03a"' not in r.text and 'data-policy="CM-09"' in r.text
    assert client.get("/policies/JS-03a").status_code == 404


def test_one_check_serves_the_requests_that_arrived_before_it(migrated_db_url: str) -> None:
    """``bureau(url, since=arrival)``: a check made after a request arrived serves it (the self-check looks the
    settings up once per gathering); a request that arrived after a change never gets the values before it."""
    import time

    from jiuye.db import write_session
    from jiuye.ledger.service import set_auto
    from jiuye.public.bureau import CACHE, bureau

    first = time.monotonic()
    assert bureau(migrated_db_url, since=first).settings["JS-03a"].auto
    checks = CACHE.checks
    for _ in range(3):  # arrived before that check: served by it, no query
        assert bureau(migrated_db_url, since=first).settings["JS-03a"].auto
    assert CACHE.checks == checks
    with write_session(migrated_db_url) as s:
        set_auto(s, "JS-03a", False, "officer", "测试：改为依申请")
    later = time.monotonic()  # a request arriving after the change is committed
    assert not bureau(migrated_db_url, since=later).settings["JS-03a"].auto
    assert CACHE.checks == checks + 1
    assert not bureau(migrated_db_url).settings["JS-03a"].auto  # no ``since``: always checked
