"""kill -9 during ``match`` and a re-run equal an uninterrupted run (both databases)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye import audit, db
from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlements
from jiuye.matching.models import match_runs

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PEOPLE, CHUNK = 2000, 100

RUNNER = f"""
import datetime as dt, sys
from functools import partial
from jiuye.db import write_session
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource
from tests.factories.matching import js02_population
from jiuye.rules.catalog import get_measure
facts = js02_population({PEOPLE})
run_match(partial(write_session, sys.argv[1]), lambda _s: FramesSource(facts), dt.date(2023, 1, 1),
          dt.date(2023, 6, 1), measures=(get_measure("JS-02"),), chunk_size={CHUNK})
"""


def start(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", RUNNER, url], cwd=ROOT, env=dict(os.environ),
                            stderr=subprocess.PIPE)  # fmt: skip


def chunks_done(url: str) -> int:
    try:
        with get_engine(url).connect() as c:
            return int(
                c.execute(sa.select(sa.func.coalesce(sa.func.max(match_runs.c.chunks_done), 0))).scalar_one()
            )
    except sa.exc.OperationalError:
        return 0


def ledger(url: str) -> list[tuple[object, ...]]:
    cols = [
        entitlements.c[k]
        for k in ("policy", "beneficiary", "subject", "month", "amount_fen", "amount_status", "state")
    ]
    with get_engine(url).connect() as c:
        return [tuple(r) for r in c.execute(sa.select(*cols).order_by(*cols[:4]))]


def test_kill_during_match_then_rerun(migrated_db_url: str, tmp_path: Path) -> None:
    reference = f"sqlite:///{tmp_path}/reference.db"
    db.upgrade(reference)
    assert start(reference).wait(timeout=600) == 0
    expected = ledger(reference)
    assert len(expected) == PEOPLE * 6

    url = migrated_db_url
    kill_after = random.randint(1, PEOPLE // CHUNK - 2)
    proc = start(url)
    deadline = time.monotonic() + 300
    while chunks_done(url) < kill_after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert start(url).wait(timeout=600) == 0
    assert ledger(url) == expected
    with write_session(url) as s:
        assert audit.verify(s).ok
        runs = s.execute(sa.select(match_runs.c.state, match_runs.c.chunks_done)).all()
    assert [tuple(r) for r in runs] == [("finished", PEOPLE // CHUNK)]
