"""kill -9 of a server in the middle of a web job — pay, bulk approve, match — on SQLite and PostgreSQL.

The server runs in a child process with its in-process worker (the SQLite thread / procrastinate's
worker); the child stops inside the job's transaction and is killed with SIGKILL there:

- ``pay``: after the batch, its payments and the lines' ``in_batch`` were written and the payment files
  put down under their temporary names.  Nothing is half done: no batch, no payment, every line still
  approved, no file that looks payable; paying again pays every line once.
- bulk ``approve``: after a policy's lines were approved in the job's one transaction.  None is approved
  (all or nothing); approving again approves every line the confirmation counted.
- ``match``: in its second chunk, after the chunk's lines were reconciled.  The first chunk is whole (its
  own committed transaction), nothing of the second is left; running again resumes from the second chunk,
  and a full re-run afterwards changes nothing (the resumed run left the ledger complete).

Each time the audit chain still verifies, the restarted server shows the job failed in Chinese (its
worker is gone; the transaction rolled back) and the lock of the killed job does not hold the next back.
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

Popen = subprocess.Popen[bytes]

pytestmark = pytest.mark.slow

# the child server; with a marker path it stops inside pay's transaction, after the temporary files
CHILD = """
import pathlib, sys, time
import uvicorn
from jiuye.ledger import payment_file
from jiuye.web.app import create_app

url, port, marker, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def stop_after(module, name, when):
    # replace module.name: after a call for which when(result, calls) holds, mark and hang
    original, calls = getattr(module, name), []

    def stuck(*args, **kwargs):
        out = original(*args, **kwargs)
        calls.append(out)
        if when(out, len(calls)):
            pathlib.Path(marker).write_text(repr(out))
            time.sleep(3600)
        return out

    setattr(module, name, stuck)


if marker and mode == "pay":  # after the temporary payment files, inside pay's transaction
    stop_after(payment_file, "write_temp", lambda out, n: True)
elif marker and mode == "approve":  # after a policy's lines were approved, inside the job's transaction
    from jiuye.ledger import service as ledger

    stop_after(ledger, "approve_month", lambda out, n: sum(out.values()) > 0)
elif mode == "match":  # chunks of 100; with a marker: stop in the second chunk, its lines reconciled
    from jiuye.matching import service as matching

    matching.run_match.__kwdefaults__["chunk_size"] = 100  # the restarted server too: the same plan resumes
    if marker:
        stop_after(matching, "store_chunk", lambda out, n: n == 2)
uvicorn.run(create_app(url), host="127.0.0.1", port=port, log_level="warning")
"""


@contextmanager
def child_server(url: str, marker: str = "", mode: str = "pay") -> Iterator[tuple[str, Popen]]:
    import httpx

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, url, str(port), marker, mode], env=dict(os.environ))
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


def _token(base: str, username: str = "reviewer_js") -> dict[str, str]:
    import httpx

    r = httpx.post(f"{base}/api/v1/login", json={"username": username, "password": PASSWORD})
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


def _kill_at_marker(proc: Popen, marker: Path, base: str, headers: dict[str, str], job_id: int) -> str:
    """Wait until the child reached its stop inside the job's transaction; SIGKILL it there."""
    import httpx

    for _ in range(3000):
        if marker.exists():
            break
        assert proc.poll() is None
        time.sleep(0.1)
    assert marker.exists(), "the job never reached its stop"
    assert httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=headers).json()["state"] == "running"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return marker.read_text()


def _audit_ok(url: str) -> None:
    from jiuye import audit
    from jiuye.db import write_session

    with write_session(url, check=False) as s:
        report = audit.verify(s)
    assert report.ok, report.message


def _failed_in_chinese(base: str, headers: dict[str, str], job_id: int) -> None:
    import httpx

    job = httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=headers).json()
    assert job["state"] == "failed" and "已回滚" in job["message"] and "没有留下半成品" in job["message"], job
    page = httpx.get(f"{base}/jobs/{job_id}", headers=headers)
    assert "失败" in page.text and "可以重新发起" in page.text


def _lines(url: str) -> dict[str, int]:
    from jiuye.db import session_scope
    from jiuye.ledger.models import entitlements as e

    with session_scope(url) as s:
        by_state = sa.select(e.c.state, sa.func.count()).where(e.c.policy.like("JS-%")).group_by(e.c.state)
        return {str(state): int(n) for state, n in s.execute(by_state)}


def test_kill_9_during_a_web_bulk_approval_approves_nothing(web_db: str, tmp_path: Path) -> None:
    import httpx

    marker = tmp_path / "reached"
    before = _lines(web_db)
    with child_server(web_db, str(marker), "approve") as (base, proc):
        headers = _token(base)
        preview = httpx.get(f"{base}/api/v1/entitlements-bulk-approval", params={"month": "2026-10"},
                            headers=headers).json()  # fmt: skip
        assert preview["count"] > 0
        r = httpx.post(f"{base}/api/v1/entitlements-bulk-approval",
                       json={"month": "2026-10", "expected_count": preview["count"]}, headers=headers)  # fmt: skip
        assert r.status_code == 202, r.text
        job_id = int(r.json()["job_id"])
        reached = _kill_at_marker(proc, marker, base, headers, job_id)
    assert reached.startswith("{") and any(ch.isdigit() and ch != "0" for ch in reached), reached
    _wait_backends_gone(web_db)
    assert _lines(web_db) == before  # all or nothing: the approvals of the killed transaction are gone
    _audit_ok(web_db)
    with child_server(web_db) as (base, _proc):
        headers = _token(base)
        _failed_in_chinese(base, headers, job_id)
        again = httpx.get(f"{base}/api/v1/entitlements-bulk-approval", params={"month": "2026-10"},
                          headers=headers).json()  # fmt: skip
        assert again["count"] == preview["count"] and again["total_fen"] == preview["total_fen"]
        r = httpx.post(f"{base}/api/v1/entitlements-bulk-approval",
                       json={"month": "2026-10", "expected_count": again["count"]}, headers=headers)  # fmt: skip
        assert r.status_code == 202, r.text  # the approve lock of the killed job does not hold this one back
        done = _job(base, headers, int(r.json()["job_id"]))
        assert done["state"] == "done" and done["result"]["total"] == preview["count"], done
    after = _lines(web_db)
    assert after["approved"] == before.get("approved", 0) + preview["count"]
    _audit_ok(web_db)


def test_kill_9_during_a_web_match_leaves_whole_chunks_and_resumes(web_db: str, tmp_path: Path) -> None:
    import httpx

    from jiuye.cli import main
    from jiuye.db import exclusive_run_free, get_engine, session_scope, write_session
    from jiuye.ledger.models import entitlement_facts as facts
    from jiuye.ledger.models import entitlements as e
    from jiuye.matching.models import match_runs
    from jiuye.matching.service import MATCH_RUN
    from jiuye.matching.sources import RegistrySource

    # the ledger as the engine reads the registry now (the fixture planted a death after its match)
    assert main(["match", "--from", "2023-01", "--to", "2026-10", "--full", "--db", web_db]) == 0
    # the found Jinshan lines of the first two chunks' people (the plan: registry ids in order, 100 a chunk)
    # are deleted, so the match must find them again: the first chunk's before the kill, the second's after
    with session_scope(web_db) as s:
        ids = RegistrySource(s).person_ids()
    chunks = (set(ids[:100]), set(ids[100:200]))
    people = sorted(chunks[0] | chunks[1])
    gone = sa.and_(e.c.policy.like("JS-%"), e.c.state == "found", e.c.subject.in_(people))
    with write_session(web_db, check=False) as s:
        deleted = {(str(r.policy), str(r.subject), r.month) for r in s.execute(sa.select(e).where(gone))}
        s.execute(sa.delete(facts).where(facts.c.policy.like("JS-%"), facts.c.subject.in_(people)))
        s.execute(sa.delete(e).where(gone))
    assert {d for d in deleted if d[1] in chunks[0]} and {d for d in deleted if d[1] in chunks[1]}
    before = _lines(web_db)
    marker = tmp_path / "reached"
    window = {"month_from": "2023-01", "month_to": "2026-10", "full": True}
    with child_server(web_db, str(marker), "match") as (base, proc):
        headers = _token(base, "admin_js")
        r = httpx.post(f"{base}/api/v1/match", json=window, headers=headers)
        assert r.status_code == 202, r.text
        job_id = int(r.json()["job_id"])
        _kill_at_marker(proc, marker, base, headers, job_id)
    _wait_backends_gone(web_db)
    engine = get_engine(web_db)
    for _ in range(300):  # PostgreSQL drops the killed server's session (and its hold on the match) soon
        if exclusive_run_free(engine, MATCH_RUN):
            break
        time.sleep(0.1)
    with engine.connect() as c:
        run = c.execute(sa.select(match_runs).order_by(match_runs.c.id.desc()).limit(1)).mappings().one()
        found_again = {(str(r.policy), str(r.subject), r.month)
                       for r in c.execute(sa.select(e).where(e.c.first_found_run == run["id"]))}  # fmt: skip
    # the first chunk is whole (committed), nothing of the second is left
    assert run["state"] == "running" and run["chunks_done"] == 1 and run["chunks_total"] > 2, dict(run)
    assert found_again == {d for d in deleted if d[1] in chunks[0]}
    assert _lines(web_db)["found"] == before.get("found", 0) + len(found_again)
    _audit_ok(web_db)
    with child_server(web_db, "", "match") as (base, _proc):
        headers = _token(base, "admin_js")
        _failed_in_chinese(base, headers, job_id)
        page = httpx.get(f"{base}/match", headers=headers).text
        row = page.split(f'data-run="{run["id"]}"')[1].split("</tr>")[0]
        assert "已中断" in row and "网页" in row, row
        r = httpx.post(f"{base}/api/v1/match", json=window, headers=headers)
        assert r.status_code == 202, r.text  # neither the job's lock nor the match's holds it back
        resumed = _job(base, headers, int(r.json()["job_id"]))
        assert resumed["state"] == "done" and "从第 2 批续跑" in resumed["message"], resumed
        assert resumed["result"]["run_id"] == run["id"]
        # everything is back once, and a full run afterwards changes nothing
        assert _lines(web_db)["found"] == before.get("found", 0) + len(deleted)
        r = httpx.post(f"{base}/api/v1/match", json=window, headers=headers)
        full = _job(base, headers, int(r.json()["job_id"]))
        assert full["state"] == "done", full
        assert [full["result"][k] for k in ("inserted", "changed", "withdrawn")] == [0, 0, 0], full
    _audit_ok(web_db)
