"""Exactly once across processes: 20 concurrent ``jiuye pay`` and kill -9 during pay (both databases)."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from ledger_helpers import count, jiuye, paid_exactly_once, seed_approved

from jiuye import audit
from jiuye.db import write_session
from jiuye.ledger import payment_file
from jiuye.ledger.models import payment_batches
from jiuye.ledger.service import committed_batch as payment_file_committed

pytestmark = pytest.mark.slow


def test_twenty_concurrent_pays(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    lines = seed_approved(url, 50)
    assert lines == 600
    procs = [jiuye(url, "pay", "--month", "2023-12", "--out", str(tmp_path / f"out{i}")) for i in range(20)]
    results = [(p.wait(timeout=300), p.stderr.read().decode() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes.count(0) == 1, results
    assert all(code == 6 for code in codes[1:]), results
    assert all("没有已核准" in err for code, err in results if code == 6)
    paid_exactly_once(url, lines)
    assert count(url, payment_batches) == 1
    with write_session(url) as s:
        assert audit.verify(s).ok


@pytest.mark.parametrize("attempt", range(2))
def test_kill_during_pay(migrated_db_url: str, tmp_path: Path, attempt: int) -> None:
    url = migrated_db_url
    lines = seed_approved(url, 200)
    proc = jiuye(url, "pay", "--month", "2023-12", "--out", str(tmp_path / "a"))
    time.sleep(random.Random(attempt).uniform(0.5, 2.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    # issue 9 (3): whatever the moment of the kill, nothing payable-looking is left for a batch that was not
    # committed: final names only for committed batches, anything else hidden and named .partial
    with write_session(url) as s:
        committed = payment_file_committed(s)
        for f in (tmp_path / "a").glob("*") if (tmp_path / "a").exists() else []:
            m = payment_file.FINAL_RE.match(f.name)
            assert m is None or committed(int(m.group(1)), m.group(3)), f.name
            assert m is not None or (f.name.startswith(".") and f.name.endswith(".partial")), f.name
    again = jiuye(url, "pay", "--month", "2023-12", "--out", str(tmp_path / "a"))  # the same folder
    code = again.wait(timeout=300)
    assert code in (0, 6), again.stderr.read().decode() if again.stderr else ""
    assert not list((tmp_path / "a").glob(".*.partial"))
    paid_exactly_once(url, lines)
    with write_session(url) as s:
        assert audit.verify(s).ok
        batches = s.execute(sa.select(payment_batches.c.lines)).scalars().all()
    assert sum(batches) == lines
