"""Issue 9 (2, 4, 5): matching never moves a line someone else moved meanwhile; an approved line whose
amount changes, or that the rules stop producing, goes back to review with the reason — both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from ledger_helpers import JS02, count, match, seed_approved

from jiuye import audit
from jiuye.audit.models import audit_events
from jiuye.db import get_engine, write_session
from jiuye.errors import UserError
from jiuye.ledger import reconcile as rec
from jiuye.ledger.models import entitlements, payments
from jiuye.ledger.service import pay, review
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource
from jiuye.registry.models import TABLES
from tests.factories.matching import js02_population

DEC = dt.date(2023, 12, 1)
JAN = dt.date(2023, 1, 1)


def _states(url: str) -> dict[str, int]:
    with get_engine(url).connect() as c:
        rows = c.execute(sa.select(entitlements.c.state, sa.func.count()).group_by(entitlements.c.state)).all()
    return {str(r[0]): int(r[1]) for r in rows}


def test_changed_amount_sends_an_approved_line_back_to_review(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    facts = js02_population(2)
    run_match(partial(write_session, url), lambda _s: FramesSource(facts), JAN, DEC, measures=JS02,
              parameters={"JS-02.monthly_amount": 900})  # fmt: skip
    assert _states(url) == {"review": 24}
    with get_engine(url).connect() as c:
        ev = c.execute(sa.select(audit_events).where(audit_events.c.action == "amount_changed")).mappings().one()
        reason = c.execute(sa.select(entitlements.c.review_reason).limit(1)).scalar_one()
    assert ev["old_state"] == "approved" and ev["new_state"] == "review"
    assert set(ev["payload"]["old_amount_fen"]) == {100_000} and set(ev["payload"]["new_amount_fen"]) == {90_000}
    assert "1000.00" in reason and "900.00" in reason
    with pytest.raises(UserError, match="没有已核准"), write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path / "a")  # the new amount was never approved: nothing is paid
    first = min(_ids(url))
    with write_session(url) as s:
        review(s, first, "approve", "审核员", "新标准已核")
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path / "b")
    assert batch.lines == 1 and batch.total_fen == 90_000
    with write_session(url) as s:
        assert audit.verify(s).ok


def _ids(url: str) -> list[int]:
    with get_engine(url).connect() as c:
        return [int(x) for x in c.execute(sa.select(entitlements.c.id)).scalars()]


def test_lines_no_longer_produced_after_death_go_back_to_review(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    facts = js02_population(2)
    dead = "P00000000"
    persons = TABLES["persons"]
    with get_engine(url).begin() as c:  # the registry records the death …
        c.execute(sa.update(persons).where(persons.c.id_number == dead).values(died_on=dt.date(2023, 6, 15)))
    # … and the rules stop producing the later months (helper 8's G13; here the facts say so directly)
    cut = facts.social_insurance.filter((pl.col("person") != dead) | (pl.col("month") <= dt.date(2023, 6, 1)))
    run_match(partial(write_session, url), lambda _s: FramesSource(replace(facts, social_insurance=cut)), JAN, DEC,
              measures=JS02)  # fmt: skip
    assert _states(url) == {"approved": 18, "review": 6}
    with get_engine(url).connect() as c:
        reasons = set(c.execute(sa.select(entitlements.c.review_reason).where(entitlements.c.state == "review")).scalars())
    assert len(reasons) == 1 and "2023-06-15 死亡" in reasons.pop()
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path)
    assert batch.lines == 18 and count(url, payments, payments.c.beneficiary == dead) == 6


def test_matching_never_withdraws_a_line_paid_meanwhile(migrated_db_url: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Matching reads the stored lines, then pay commits, then matching writes: the old withdraw
    ``UPDATE … WHERE id IN (…)`` turned the paid lines ``withdrawn``."""
    url = migrated_db_url
    assert seed_approved(url, 2) == 24
    with write_session(url) as s:
        stale = rec.stored_lines(s, ["JS-02"], False, pl.Series("subject", [], dtype=pl.String))
    assert set(stale["state"].to_list()) == {"approved"}
    with write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path)
    monkeypatch.setattr(rec, "stored_lines", lambda *_a, **_k: stale)
    nobody = js02_population(2, insured_to=dt.date(2022, 12, 1))  # the facts no longer show any line
    match(url, nobody, JAN, DEC)
    assert _states(url) == {"paid": 24}
    with write_session(url) as s:
        assert audit.verify(s).ok
