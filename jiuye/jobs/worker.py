"""The in-process worker of ``jiuye serve``: one thread that claims queued jobs and runs them.

On SQLite this is the whole queue (one server process).  On PostgreSQL the jobs are also handed to
procrastinate (:mod:`jiuye.jobs.pgqueue`) when it is installed and its schema applied, whose worker runs
in the same thread loop; either way a job is claimed with a guarded update, so it runs once.
Progress is kept in memory for the pages (``LIVE``) and written to the row between transactions.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any

from jiuye.errors import UserError

log = logging.getLogger("jiuye.jobs")
LIVE: dict[int, tuple[int, int, str | None]] = {}  # job id → (done, total, message) while running
POLL_SECONDS = 0.3
STALE = dt.timedelta(minutes=2)


@dataclass
class Worker:
    url: str
    stop_event: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> Worker:
        from jiuye.db import write_session

        with write_session(self.url, check=False) as s:
            from jiuye.jobs.service import fail_stale

            sqlite = s.get_bind().dialect.name == "sqlite"
            fail_stale(s, None if sqlite else STALE)  # SQLite: one server process, so every running job died
        self.thread = threading.Thread(target=self._loop, name="jiuye-jobs", daemon=True)
        self.thread.start()
        WORKERS[self.url] = self
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        WORKERS.pop(self.url, None)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                ran = run_one(self.url)
            except Exception:  # keep the worker alive; the job row says what failed
                log.exception("job worker error")
                ran = False
            if not ran:
                self.wake.wait(POLL_SECONDS)
                self.wake.clear()


WORKERS: dict[str, Worker] = {}


def start(url: str) -> Worker:
    return Worker(url).start()


def notify(url: str) -> None:
    worker = WORKERS.get(url)
    if worker is not None:
        worker.wake.set()


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
    from jiuye.jobs.tasks import TASKS, JobRejected

    with session_scope(url) as rs:  # a cheap read first: no write lock while idle
        if not service.has_queued(rs):
            return False
    with write_session(url, check=False) as s:
        job = service.claim_next(s)
    if job is None:
        return False
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
        log.error("job %s failed: %s", job_id, traceback.format_exc())
        message = f"任务失败（系统内部错误：{type(exc).__name__}）；事务已回滚，没有留下半成品。"
    with write_session(url, check=False) as s:
        service.finish(s, job_id, ok, message, result, user.actor)
    LIVE.pop(job_id, None)
    return True


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
