"""Draining the PostgreSQL job queue from a thread that already runs an event loop (an async caller, or
Playwright's sync API earlier in the same test process) must still run the jobs."""

from __future__ import annotations

import asyncio
import threading

import pytest

from jiuye.jobs import pgqueue


def test_drain_runs_the_worker_even_inside_a_running_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []

    class FakeApp:
        def run_worker(self, **options: object) -> None:
            asyncio.run(asyncio.sleep(0))  # what procrastinate's run_worker does
            calls.append(options)

    monkeypatch.setattr(pgqueue, "ensure_schema", lambda url: None)
    monkeypatch.setattr(pgqueue, "app_for", lambda url: FakeApp())

    async def caller_with_a_loop() -> None:
        pgqueue.drain("postgresql+psycopg://unused/test")

    # in a thread of its own: this test process may already run Playwright's loop in its main thread
    outer = threading.Thread(target=asyncio.run, args=(caller_with_a_loop(),))
    outer.start()
    outer.join()
    assert calls == [{"queues": [pgqueue.QUEUE], "wait": False, "install_signal_handlers": False,
                      "listen_notify": False}]
