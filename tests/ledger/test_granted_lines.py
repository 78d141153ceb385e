"""Issue 13: a line a reviewer granted from an application (``ledger.grant``) is the reviewer's decision —
matching never withdraws it, changes its amount or sends it back to review, whether the engine computes
the measure differently, does not produce the line at all, or the bureau switched the measure to
application mode (both databases)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from ledger_helpers import give_accounts, match
from sqlalchemy.orm import Session

from jiuye import audit
from jiuye.audit.models import audit_events
from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlements
from jiuye.ledger.service import grant, pay, set_auto
from tests.factories.matching import js02_population

DEC = dt.date(2023, 12, 1)
JAN = dt.date(2023, 1, 1)


def _line(url: str, eid: int) -> dict[str, object]:
    with get_engine(url).connect() as c:
        return dict(c.execute(sa.select(entitlements).where(entitlements.c.id == eid)).mappings().one())


def test_matching_never_touches_a_line_granted_from_an_application(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    facts = js02_population(3)
    people = facts.persons["id"].to_list()
    give_accounts(url, people)
    other, unqualified = people[1], people[2]
    with write_session(url) as s:
        set_auto(s, "JS-02", False, "局长", "改为依申请办理")  # the bureau switches the measure to application mode
        # the engine would compute 1,000.00 for this month; the reviewer approved 800.00 on the application
        differs = grant(s, "JS-02", other, other, DEC, 80_000, "审核员", "依申请核准", {"application": 1})
        # the engine produces no line for this person at all (no flexible-employment registration in the facts)
        absent = grant(s, "JS-02", unqualified, unqualified, DEC, 100_000, "审核员", "依申请核准", {"application": 2})
    without = replace(facts, flexible=facts.flexible.filter(pl.col("person") != unqualified))
    for _ in range(2):  # the first run and a re-run
        match(url, without, JAN, DEC)
    for eid, fen in ((differs, 80_000), (absent, 100_000)):
        line = _line(url, eid)
        assert (line["state"], line["amount_fen"], line["origin"]) == ("approved", fen, "application"), line
    with get_engine(url).connect() as c:
        touched = c.execute(sa.select(audit_events.c.action, audit_events.c.payload)
                            .where(audit_events.c.action.in_(["amount_changed", "back_to_review", "withdraw"]))).all()  # fmt: skip
    assert all(differs not in (p or {}).get("ids", []) and absent not in (p or {}).get("ids", []) for _a, p in touched)
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path / "out")  # the granted lines are paid with the approved amounts
    assert batch.lines == 2 and batch.total_fen == 180_000
    with write_session(url) as s:
        assert audit.verify(s).ok


def test_upgrade_marks_lines_granted_before_it(db_url: str) -> None:
    """Lines granted before revision 0011 are found by their ``grant`` audit event."""
    from jiuye import db
    from jiuye.audit.service import record

    db.upgrade(db_url, "0010_web_public")
    with db.get_engine(db_url).begin() as c:
        for i, who in enumerate(("G1", "M1"), start=1):
            c.execute(sa.text(
                "INSERT INTO entitlements (id, policy, beneficiary, subject, month, amount_fen, amount_status, state, "
                "created_by, updated_by) VALUES (:i, 'JS-08b', :w, :w, :m, 100, 'payable', 'approved', 't', 't')"
            ), {"i": i, "w": who, "m": DEC})  # fmt: skip
    with Session(db.get_engine(db_url)) as s, s.begin():
        record(s, "审核员", "grant", "entitlements", 1, None, "found", "依申请核准", {"application": 7})
        record(s, "jiuye match", "match", "entitlements", 2, None, "found", "主动匹配发现", None)
    db.upgrade(db_url)
    with db.get_engine(db_url).connect() as c:
        rows = dict(c.execute(sa.select(entitlements.c.id, entitlements.c.origin)).all())
        fps = set(c.execute(sa.select(entitlements.c.fact_fingerprint)).scalars())
    assert rows == {1: "application", 2: "match"} and fps == {None}
