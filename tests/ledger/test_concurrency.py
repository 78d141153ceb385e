"""Issue 9 (2): match, approve, pay and reverse run together for a while; every invariant holds at the end.

Before, matching's unguarded withdraw turned paid lines ``withdrawn`` (PostgreSQL, 4 of 6 timed runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from ledger_helpers import give_accounts, match

from jiuye import audit
from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlements, payments
from tests.factories.matching import js02_population

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SECONDS = "25"


def test_match_approve_pay_reverse_together(migrated_db_url: str, tmp_path: Path) -> None:
    import datetime as dt

    url = migrated_db_url
    facts = js02_population(30)
    give_accounts(url, facts.persons["id"].to_list())
    match(url, facts, dt.date(2023, 1, 1), dt.date(2023, 12, 1))
    script = str(Path(__file__).with_name("churn.py"))
    procs = {
        role: subprocess.Popen([sys.executable, script, url, role, SECONDS, str(tmp_path / role)], cwd=ROOT,
                               env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for role in ("match", "approve", "pay", "reverse")
    }  # fmt: skip
    outcome = {role: (p.wait(timeout=600), p.stdout.read().decode() if p.stdout else "",
                      p.stderr.read().decode()[-2000:] if p.stderr else "") for role, p in procs.items()}  # fmt: skip
    assert all(code == 0 for code, _, _ in outcome.values()), outcome

    with get_engine(url).connect() as c:
        ent = {int(r.id): r for r in c.execute(sa.select(entitlements))}
        pays = c.execute(sa.select(payments)).all()
    assert pays, outcome  # the run did pay
    paid: dict[int, int] = {}
    for p in pays:
        e = ent[int(p.entitlement_id)]
        if p.state == "paid":
            paid[int(p.entitlement_id)] = paid.get(int(p.entitlement_id), 0) + 1
            assert e.state == "paid", (p, e.state)  # a paid line is never withdrawn, reviewed or re-found
            assert p.amount_fen == e.amount_fen and p.amount_fen > 0
        elif p.state == "reversed":
            assert e.state == "reversed", (p, e.state)
        else:
            assert p.state == "returned" and e.state in ("returned", "in_batch", "paid", "rejected"), (p, e.state)
    assert all(n == 1 for n in paid.values())  # each paid line paid once
    for eid, e in ent.items():
        if e.state == "paid":
            assert paid.get(eid) == 1, eid
        assert e.state != "in_batch"  # no batch left half done
    with write_session(url) as s:
        report = audit.verify(s)
    assert report.ok, report.message
