"""The worker of ``jiuye serve``: runs queued jobs in the server process.

- SQLite: a thread claims the oldest queued row (guarded update) and runs it; the whole queue is the
  ``jobs`` table (one server process per SQLite file).
- PostgreSQL: procrastinate's worker (:mod:`jiuye.jobs.pgqueue`) runs in a thread and calls
  :func:`run_job` for each deferred job id.

Either way a job row is claimed with ``UPDATE … WHERE state='queued'``, so it runs once.  Progress is kept
in memory for the pages (``LIVE``) and written to the row between transactions.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url

from jiuye.errors import UserError

log = logging.getLogger("jiuye.jobs")
LIVE: dict[int, tuple[int, int, str | None]] = {}  # job id → (done, total, message) while running
POLL_SECONDS = 0.3
STALE = dt.timedelta(minutes=30)


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@dataclass
class Worker:
    url: str
    stop_event: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    pg: Any = None

    def start(self) -> Worker:
        from jiuye.db import write_session
        from jiuye.jobs.service import fail_stale

        with write_session(self.url, check=False) as s:
            # SQLite: one server process, so a job still "running" at start died with the last one;
            # PostgreSQL: a running job whose worker's lock is gone died with its process
            fail_stale(s, STALE if is_postgres(self.url) else None)
        if is_postgres(self.url):
            from jiuye.jobs.pgqueue import PgWorker

            self.pg = PgWorker(self.url).start()
        else:
            self.thread = threading.Thread(target=self._loop, name="jiuye-jobs", daemon=True)
            self.thread.start()
        WORKERS[self.url] = self
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        if self.pg is not None:
            self.pg.stop()
        WORKERS.pop(self.url, None)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                ran = run_one(self.url)
            except Exception as exc:  # keep the worker alive; the job row says what failed
                from jiuye.accounts.scope import masked_traceback

                log.error("job worker error: %s", masked_traceback(exc))
                ran = False
            if not ran:
                self.wake.wait(POLL_SECONDS)
                self.wake.clear()


WORKERS: dict[str, Worker] = {}


def start(url: str) -> Worker:
    return Worker(url).start()


def submitted(url: str, job_id: int) -> None:
    """A job row was committed: hand it to procrastinate (PostgreSQL) or wake the thread (SQLite)."""
    if is_postgres(url):
        from jiuye.jobs.pgqueue import defer

        defer(url, job_id)
        return
    worker = WORKERS.get(url)
    if worker is not None:
        worker.wake.set()


def run_pending(url: str) -> int:
    """Run every queued job now, in this thread (tests and one-off runs); returns how many ran."""
    import sqlalchemy as sa

    from jiuye.db import session_scope
    from jiuye.jobs.models import jobs

    def finished() -> int:
        with session_scope(url) as s:
            return int(s.execute(sa.select(sa.func.count()).where(jobs.c.state.in_(["done", "failed"]))).scalar_one())

    before = finished()
    if is_postgres(url):
        from jiuye.jobs.pgqueue import drain

        drain(url)
    else:
        while run_one(url):
            pass
    return finished() - before


@dataclass(frozen=True)
class JobUser:
    id: int
    actor: str
    district: str
    town: str | None


def run_one(url: str) -> bool:
    """Claim and run the oldest queued job; False when none is queued."""
    from jiuye.db import session_scope, write_session
    from jiuye.jobs import service

    with session_scope(url) as rs:  # a cheap read first: no write lock while idle
        if not service.has_queued(rs):
            return False
    with write_session(url, check=False) as s:
        job = service.claim_next(s)
    if job is None:
        return False
    _execute(url, job)
    return True


def run_job(url: str, job_id: int) -> bool:
    """Claim and run the job ``job_id`` (procrastinate's task); False when it is not queued any more.

    The job's lock (:func:`jiuye.jobs.service.alive_lock`) is held on a connection of its own from before
    the claim to the end, so a job marked running always has a live holder until its process ends."""
    from jiuye.db import write_session
    from jiuye.jobs import service

    with _alive(url, job_id):
        with write_session(url, check=False) as s:
            job = service.claim(s, job_id)
        if job is None:
            return False
        _execute(url, job)
    return True


@contextmanager
def _alive(url: str, job_id: int) -> Iterator[None]:
    """PostgreSQL: hold the job's session lock while it runs (released at the end, or by the server when
    this process dies); SQLite: nothing (one server process per file, see :meth:`Worker.start`)."""
    if not is_postgres(url):
        yield
        return
    from jiuye.db import get_engine, hold_named_lock
    from jiuye.jobs.service import alive_lock

    conn = get_engine(url).connect()
    try:
        hold_named_lock(conn, alive_lock(job_id))
        conn.commit()
        yield
    finally:
        try:
            hold_named_lock(conn, alive_lock(job_id), hold=False)
            conn.commit()
        except Exception:  # the connection is unusable: drop it rather than return a locked one to the pool
            conn.invalidate()
        conn.close()


def _execute(url: str, job: dict[str, Any]) -> None:
    from jiuye.db import write_session
    from jiuye.jobs import service
    from jiuye.jobs.tasks import TASKS, JobRejected

    job_id = int(job["id"])
    user = JobUser(int(job["user_id"]), job["created_by"], job["district"], job["town"])
    LIVE[job_id] = (0, 0, None)

    def progress(done: int, total: int, message: str | None) -> None:
        LIVE[job_id] = (done, total, message)
        if job["kind"] == "match":  # between match chunks no write transaction is open
            with write_session(url, check=False) as ps:
                service.progress(ps, job_id, done, total, message)

    ok, result = False, None
    try:
        message, result = TASKS[job["kind"]](url, dict(job["params"]), user, progress)
        ok = True
    except JobRejected as exc:
        message, result = str(exc), exc.details
    except UserError as exc:
        message = str(exc)
    except Exception as exc:
        from jiuye.accounts.scope import masked_traceback

        ref = uuid.uuid4().hex[:8]  # the page says the reference, the log holds the (masked) traceback
        log.error("job %s failed (编号 %s): %s", job_id, ref, masked_traceback(exc))
        message = f"任务失败（系统内部错误，已记录，编号 {ref}）；事务已回滚，没有留下半成品。"
    with write_session(url, check=False) as s:
        service.finish(s, job_id, ok, message, result, user.actor)
    LIVE.pop(job_id, None)


def live(job_id: int) -> tuple[int, int, str | None] | None:
    return LIVE.get(job_id)


def as_dict(job: dict[str, Any]) -> dict[str, Any]:
    from jiuye.jobs.models import STATE_LABELS
    from jiuye.jobs.service import KIND_LABELS

    done, total, message = live(int(job["id"])) or (job["progress"], job["total"], job["message"])
    percent = 100 if job["state"] in ("done", "failed") else (int(done * 100 / total) if total else 0)
    return {
        "id": job["id"], "kind": job["kind"], "kind_label": KIND_LABELS.get(job["kind"], job["kind"]),
        "state": job["state"], "state_label": STATE_LABELS[job["state"]], "progress": done, "total": total,
        "percent": percent, "message": message if job["state"] == "running" else job["message"],
        "result": job["result"], "created_by": job["created_by"],
        "created_at": str(job["created_at"]), "finished_at": None if job["finished_at"] is None else str(job["finished_at"]),
    }  # fmt: skip
