"""The job queue on PostgreSQL: procrastinate (a maintained PostgreSQL-backed task queue).

A web job is a ``jobs`` row (who, what, progress, result — what the pages show) plus, on PostgreSQL, a
procrastinate job ``jiuye.run_job(job_id)`` deferred once the row is committed.  procrastinate's worker
(LISTEN/NOTIFY, ``FOR UPDATE SKIP LOCKED``, heartbeats and stalled-worker recovery) runs in a thread of
the server process and calls :func:`jiuye.jobs.worker.run_job`, which claims the row with a guarded update
— so a job runs once even if procrastinate retried it.  procrastinate's tables live in the same database
and schema; they are created the first time a job is queued or a worker starts (``apply_schema``, under
an advisory lock).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

QUEUE = "jiuye"
TASK = "jiuye.run_job"
SCHEMA_LOCK = 4_204_401


def conninfo(url: str) -> str:
    """libpq URI of a SQLAlchemy URL (keeps ``options=-csearch_path=…``)."""
    return str(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))


@functools.cache
def app_for(url: str) -> Any:
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))

    @app.task(name=TASK, queue=QUEUE)
    def run_job(job_id: int) -> None:
        from jiuye.jobs.worker import run_job as run

        run(url, int(job_id))

    return app


def ensure_schema(url: str) -> None:
    """Create procrastinate's tables in this database/schema when they are missing."""
    from procrastinate.schema import SchemaManager

    from jiuye.db import advisory_xact_lock, get_engine

    engine = get_engine(url)
    with engine.begin() as conn:
        if sa.inspect(conn).has_table("procrastinate_jobs"):
            return
        advisory_xact_lock(conn, SCHEMA_LOCK)
        if not sa.inspect(conn).has_table("procrastinate_jobs"):
            raw = conn.connection.dbapi_connection  # no parameters: the script's % signs are not placeholders
            assert raw is not None
            cur = raw.cursor()
            try:
                cur.execute(SchemaManager.get_schema())
            finally:
                cur.close()


def defer(url: str, job_id: int) -> None:
    """Queue ``jiuye.run_job(job_id)`` from a request (synchronous code).

    Through an app of its own with a synchronous connector: the worker's app (:func:`app_for`) is opened
    asynchronously by the worker thread of the same server, and procrastinate's async connector cannot be
    opened synchronously once it is (``NotImplementedError`` on every page that starts a job)."""
    import procrastinate

    ensure_schema(url)
    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(url)))
    with app.open():
        app.configure_task(TASK, queue=QUEUE).defer(job_id=job_id)


def drain(url: str) -> None:
    """Run every queued procrastinate job now and return (tests, one-off runs)."""
    ensure_schema(url)
    run = functools.partial(
        app_for(url).run_worker, queues=[QUEUE], wait=False, install_signal_handlers=False, listen_notify=False
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        run()
        return
    # Called from a thread that already runs an event loop (an async caller, or Playwright's sync API in
    # the same test process): procrastinate's run_worker uses asyncio.run, so give it a thread of its own.
    failure: list[BaseException] = []

    def in_thread() -> None:
        try:
            run()
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=in_thread, name="jiuye-drain")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


class PgWorker:
    """procrastinate's worker in a thread with its own event loop, stopped by cancelling it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[None] | None = None
        self.thread = threading.Thread(target=self._run, name="jiuye-procrastinate", daemon=True)
        self.ready = threading.Event()

    def start(self) -> PgWorker:
        ensure_schema(self.url)
        self.thread.start()
        self.ready.wait(30)
        return self

    def _run(self) -> None:
        app = app_for(self.url)

        async def main() -> None:
            async with app.open_async():
                await app.run_worker_async(queues=[QUEUE], install_signal_handlers=False, wait=True)

        self.loop = asyncio.new_event_loop()
        self.task = self.loop.create_task(main())
        self.ready.set()
        try:
            self.loop.run_until_complete(self.task)
        except (asyncio.CancelledError, Exception):
            pass
        finally:
            self.loop.close()

    def stop(self) -> None:
        if self.loop is not None and self.task is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(timeout=30)
