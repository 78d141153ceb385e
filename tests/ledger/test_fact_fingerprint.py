"""Issue 9 item 5: a changed fact behind an approved (not yet paid) line returns it to review, even when the
amount is the same, with an audit event carrying which facts changed, old and new — both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from ledger_helpers import JS02, seed_approved

from jiuye import audit
from jiuye.audit.models import audit_events
from jiuye.db import get_engine, write_session
from jiuye.errors import UserError
from jiuye.ledger.models import entitlement_changes, entitlement_facts, entitlements
from jiuye.ledger.service import pay, review
from jiuye.matching.explain import explain
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource
from jiuye.rules.facts import Facts
from tests.factories.matching import js02_population

DEC = dt.date(2023, 12, 1)
JAN = dt.date(2023, 1, 1)
MOVED = "P00000000"


def _rematch(url: str, facts: Facts, month_from: dt.date = DEC) -> None:
    run_match(partial(write_session, url), lambda _s: FramesSource(facts), month_from, DEC, measures=JS02,
              full=True)  # fmt: skip


def _spell_moved(facts: Facts, start: dt.date) -> Facts:
    """The registry corrects the start of MOVED's unemployment registration (still > 6 months before R)."""
    u = facts.unemployment.with_columns(
        start=pl.when(pl.col("person") == MOVED).then(pl.lit(start)).otherwise(pl.col("start")))
    return replace(facts, unemployment=u)


def _states(url: str) -> dict[tuple[str, str], int]:
    with get_engine(url).connect() as c:
        rows = c.execute(sa.select(entitlements.c.subject, entitlements.c.state, sa.func.count())
                         .group_by(entitlements.c.subject, entitlements.c.state)).all()  # fmt: skip
    return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


def _count(url: str, table: sa.Table) -> int:
    with get_engine(url).connect() as c:
        return int(c.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_changed_fact_with_the_same_amount_sends_the_approved_line_back_to_review(
    migrated_db_url: str, tmp_path: Path
) -> None:
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    facts = js02_population(2)
    events, changes = _count(url, audit_events), _count(url, entitlement_changes)
    _rematch(url, facts)  # the same facts: nothing changes, no event
    assert _states(url) == {(MOVED, "approved"): 12, ("P00000001", "approved"): 12}
    assert (_count(url, audit_events), _count(url, entitlement_changes)) == (events, changes)

    _rematch(url, _spell_moved(facts, dt.date(2022, 3, 1)))  # the amount stays 1,000.00 a month
    assert _states(url) == {(MOVED, "review"): 12, ("P00000001", "approved"): 12}
    with get_engine(url).connect() as c:
        ev = c.execute(sa.select(audit_events).where(audit_events.c.action == "facts_changed")).mappings().one()
        line = c.execute(sa.select(entitlements).where(entitlements.c.subject == MOVED)
                         .order_by(entitlements.c.month.desc()).limit(1)).mappings().one()  # fmt: skip
        stored = c.execute(sa.select(entitlement_facts.c.facts).where(entitlement_facts.c.subject == MOVED)).scalar_one()
    assert (ev["old_state"], ev["new_state"], ev["payload"]["count"]) == ("approved", "review", 12)
    [changed] = ev["payload"]["facts"][0]
    assert changed["condition"].startswith("连续失业时间超过6个月")
    assert "2022-01-05" in changed["old"] and "2022-03-01" in changed["new"]
    assert line["amount_fen"] == 100_000 and line["approved_seal"] is None
    assert "2022-01-05" in line["review_reason"] and "2022-03-01" in line["review_reason"]
    assert "失业登记开始 2022-03-01" in stored
    with write_session(url) as s:  # readable on `jiuye entitlement ID`
        shown = explain(s, int(line["id"]))
    assert "2022-03-01" in shown["review_reason"] and shown["state_label"] == "待复核"

    with write_session(url) as s:  # pay leaves the reopened lines out until a person approves them again
        batch = pay(s, DEC, "出纳", tmp_path / "a")
    assert batch.lines == 12 and _states(url)[(MOVED, "review")] == 12
    with write_session(url) as s:
        review(s, int(line["id"]), "approve", "审核员", "已核对新的失业登记日期")
    with write_session(url) as s:
        assert pay(s, DEC, "出纳", tmp_path / "b").lines == 1
    events = _count(url, audit_events)
    _rematch(url, _spell_moved(facts, dt.date(2022, 3, 1)))  # the same new facts again: nothing moves
    assert _count(url, audit_events) == events
    with write_session(url) as s:
        assert audit.verify(s).ok


def test_arrears_outside_the_window_are_reopened_too(migrated_db_url: str) -> None:
    """Matching one month (December) re-evaluates the facts behind every approved month of the person."""
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    _rematch(url, _spell_moved(js02_population(2), dt.date(2022, 2, 1)), month_from=DEC)
    assert _states(url)[(MOVED, "review")] == 12


def test_paid_lines_are_never_touched(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    with write_session(url) as s:
        assert pay(s, DEC, "出纳", tmp_path).lines == 24
    events = _count(url, audit_events)
    with get_engine(url).connect() as c:
        before = c.execute(sa.select(entitlements).order_by(entitlements.c.id)).all()
    _rematch(url, _spell_moved(js02_population(2), dt.date(2022, 3, 1)), month_from=JAN)
    with get_engine(url).connect() as c:
        assert c.execute(sa.select(entitlements).order_by(entitlements.c.id)).all() == before
    assert _count(url, audit_events) == events
    with pytest.raises(UserError, match="没有已核准"), write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path / "again")


def test_unknown_fingerprint_is_not_flagged_and_a_moved_hash_alone_is_not_a_change(migrated_db_url: str) -> None:
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    facts = js02_population(2)
    with get_engine(url).begin() as c:  # lines stored before revision 0011: no fingerprint, no facts
        c.execute(sa.update(entitlements).values(fact_fingerprint=None))
        c.execute(sa.delete(entitlement_facts))
    _rematch(url, _spell_moved(facts, dt.date(2022, 3, 1)))
    assert _states(url) == {(MOVED, "approved"): 12, ("P00000001", "approved"): 12}  # unknown: not flagged
    assert _count(url, entitlement_facts) == 2
    with get_engine(url).connect() as c:
        assert c.execute(sa.select(sa.func.count()).where(entitlements.c.fact_fingerprint.is_(None))).scalar() == 0
    with get_engine(url).begin() as c:  # e.g. another Polars version hashes the same facts differently
        c.execute(sa.update(entitlements).values(fact_fingerprint=entitlements.c.fact_fingerprint + 1))
        c.execute(sa.update(entitlement_facts).values(fingerprint=entitlement_facts.c.fingerprint + 1))
    events = _count(url, audit_events)
    _rematch(url, _spell_moved(facts, dt.date(2022, 3, 1)))
    assert _states(url) == {(MOVED, "approved"): 12, ("P00000001", "approved"): 12}
    assert _count(url, audit_events) == events
    _rematch(url, facts)  # now a real change (back to the first date): flagged
    assert _states(url) == {(MOVED, "review"): 12, ("P00000001", "approved"): 12}
