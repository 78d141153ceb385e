"""The engine keeps everything data-independent per (measure, parameters, window) — conditions and plans
(issue 11 item 4).  A policy officer's new G6 amount (the parameters page: ``parameters.service.set_value``)
must reach the very next evaluation, alone and micro-batched, on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ONE_PERSON = Path(__file__).resolve().parents[2] / "examples" / "case-one-person.json"


def _amounts(url: str, batched: bool) -> dict[str, Any]:
    from jiuye.db import session_scope
    from jiuye.parameters.service import stored_overrides
    from jiuye.rules.batch import BATCHER, Job
    from jiuye.rules.case import parse_case
    from jiuye.rules.engine import evaluate_facts

    parsed = parse_case(json.loads(ONE_PERSON.read_text(encoding="utf-8")))
    with session_scope(url) as s:
        overrides = {**parsed.parameters, **stored_overrides(s)}
    if batched:
        result = BATCHER.evaluate(Job(parsed.facts, parsed.window_from, parsed.window_to, overrides, True))
    else:
        result = evaluate_facts(parsed.facts, parsed.window_from, parsed.window_to, parameters=overrides, explain=True)
    return {e["month"]: e["amount"] for e in result.to_json()["entitlements"] if e["policy"] == "JS-02"}


def _set(url: str, since: str, yuan: str) -> None:
    from jiuye.db import write_session
    from jiuye.parameters.service import parse_change, set_value

    with write_session(url) as s:
        set_value(s, parse_change("JS-02", "monthly_amount", since, yuan, "测试：区人社局调整通知第1号"), "officer")


def test_a_new_amount_reaches_the_next_evaluation_alone_and_batched(migrated_db_url: str) -> None:
    url = migrated_db_url
    for batched in (False, True):
        before = _amounts(url, batched)  # fills the caches with today's parameters
        assert before and set(before.values()) == {1000}
    _set(url, "2024-01-01", "1200.50")
    for batched in (False, True):
        after = _amounts(url, batched)
        assert after.keys() == before.keys()
        assert {m: a for m, a in after.items() if m < "2024-01"} == {m: 1000 for m in before if m < "2024-01"}
        assert {a for m, a in after.items() if m >= "2024-01"} == {1200.5}
    _set(url, "2024-02-01", "900")
    for batched in (True, False):
        again = _amounts(url, batched)
        assert again["2024-01"] == 1200.5 and again["2024-02"] == 900
