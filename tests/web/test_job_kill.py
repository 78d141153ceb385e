"""kill -9 of a server in the middle of a web job (pay), on SQLite and PostgreSQL.

The server runs in a child process with its in-process worker (the SQLite thread / procrastinate's
worker); the child stops inside ``pay``'s transaction — after the batch, its payments and the lines'
``in_batch`` were written and the payment files put down under their temporary names — and is killed
with SIGKILL there.  Nothing is half done: no batch, no payment, every line still approved, no file that
looks payable; the restarted server marks the job failed (its worker is gone), and paying again pays
every line once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import PASSWORD, _free_port

pytestmark = pytest.mark.slow

# the child server; with a marker path it stops inside pay's transaction, after the temporary files
CHILD = """
import pathlib, sys, time
import uvicorn
from jiuye.ledger import payment_file
from jiuye.web.app import create_app

url, port, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if marker:
    original = payment_file.write_temp

    def stuck(*args, **kwargs):
        out = original(*args, **kwargs)
        pathlib.Path(marker).write_text("in pay's transaction")
        time.sleep(3600)
        return out

    payment_file.write_temp = stuck
uvicorn.run(create_app(url), host="127.0.0.1", port=port, log_level="warning")
"""


@contextmanager
def child_server(url: str, marker: str = "") -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    import httpx

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, url, str(port), marker], env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "server exited"
            time.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _token(base: str) -> dict[str, str]:
    import httpx

    r = httpx.post(f"{base}/api/v1/login", json={"username": "reviewer_js", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _job(base: str, headers: dict[str, str], job_id: int, until: tuple[str, ...] = ("done", "failed")) -> dict[str, Any]:
    import httpx

    for _ in range(1200):
        job = httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=headers, timeout=10).json()
        if job["state"] in until:
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} stayed {job['state']}")


def _counts(url: str) -> tuple[int, int, int, int]:
    from jiuye.db import session_scope
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payment_batches, payments

    with session_scope(url) as s:
        return (
            int(s.execute(sa.select(sa.func.count()).select_from(payment_batches)).scalar_one()),
            int(s.execute(sa.select(sa.func.count()).select_from(payments)).scalar_one()),
            int(s.execute(sa.select(sa.func.count()).where(e.c.state == "approved", e.c.policy.like("JS-%"))).scalar_one()),
            int(s.execute(sa.select(sa.func.count()).where(e.c.state == "in_batch")).scalar_one()),
        )


def _wait_backends_gone(url: str) -> None:
    """PostgreSQL drops a killed client's session when it reads the closed socket: wait for that."""
    from jiuye.db import session_scope

    if not url.startswith("postgresql"):
        return
    for _ in range(300):
        with session_scope(url) as s:
            left = s.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")).scalar_one()  # fmt: skip
        if left == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the killed server's transaction is still open")


def test_kill_9_during_a_web_pay_leaves_nothing_half_done(web_db: str, tmp_path: Path) -> None:
    import httpx

    from jiuye.cli import main
    from jiuye.jobs.tasks import files_dir

    assert main(["approve", "--month", "2026-10", "--db", web_db]) == 0
    batches, lines, approved, in_batch = _counts(web_db)
    assert approved > 0 and in_batch == 0
    out = files_dir() / "payments"
    marker = tmp_path / "reached"
    with child_server(web_db, str(marker)) as (base, proc):
        headers = _token(base)
        r = httpx.post(f"{base}/api/v1/payment-batches", json={"month": "2026-10"}, headers=headers)
        assert r.status_code == 202, r.text
        job_id = int(r.json()["job_id"])
        for _ in range(1200):
            if marker.exists():
                break
            assert proc.poll() is None
            time.sleep(0.1)
        assert marker.exists(), "pay never reached its files"
        assert any(out.glob(".*.partial")), "the temporary files were written before the kill"
        running = httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=headers).json()
        assert running["state"] == "running"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    _wait_backends_gone(web_db)
    # nothing of the killed transaction is left; no file looks payable
    assert _counts(web_db) == (batches, lines, approved, 0)
    payable = [p.name for p in out.iterdir() if not p.name.startswith(".")] if out.exists() else []
    assert payable == []
    with child_server(web_db) as (base, _proc):
        headers = _token(base)
        job = httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=headers).json()
        assert job["state"] == "failed" and "已回滚" in job["message"], job
        page = httpx.get(f"{base}/jobs/{job_id}", headers=headers)
        assert "失败" in page.text and "可以重新发起" in page.text
        r = httpx.post(f"{base}/api/v1/payment-batches", json={"month": "2026-10"}, headers=headers)
        assert r.status_code == 202, r.text  # the lock of the killed job does not hold the next one back
        again = _job(base, headers, int(r.json()["job_id"]))
        assert again["state"] == "done", again
        assert again["result"]["lines"] == approved
    assert _counts(web_db) == (batches + 1, lines + approved, 0, 0)
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.endswith(".partial")], names  # the killed run's temporary files are gone
    assert len([n for n in names if n.endswith((".csv", ".xlsx"))]) == 2, names
