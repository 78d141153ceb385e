"""Web benchmarks (issue 12).

    .venv/bin/python bench/web.py evaluate [--db URL] [--requests 400] [--clients 1 50]
    .venv/bin/python bench/web.py queue --db URL [--pages 30]

``evaluate``: ``POST /api/v1/evaluate`` with the one-person case ``examples/case-all-measures.json``
(explanations on), through a real uvicorn server on loopback (its own process, importing jiuye from the
tree measured), N concurrent clients (keep-alive), each load generator of ``--client`` in turn: ``raw`` (asyncio
streams, the request encoded once, every response checked byte for byte) and ``httpx`` (~2–4 ms of client CPU
per request on the same cores); p50 / p99 latency, errors, server and client CPU per request per concurrency.
``--trace`` also records the server's gatherings, GC passes and event-loop stalls (out/bench-web-trace-*.json)
and each request's client span (out/bench-web-spans-*.json).
A bearer token of a reviewer account is used.  ``--old DIR`` runs the same against another tree (e.g.
``git archive a7e6166 | tar -x -C /tmp/op-old``) in the same run, alternating, and prints the ratios.

``queue``: server time of the review-queue page (``GET /review?state=found``, first pages and a deep
page, and with a policy / town filter) on an existing registry, measured in-process (TestClient), so the
number is the application's time without network.  Point ``--db`` at a database holding a large
registry (e.g. after ``jiuye demo-data --persons 1000000`` and ``jiuye match``).

The benchmark creates a throw-away staff account ``bench_reviewer`` when missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-123"


def _account(url: str) -> None:
    from jiuye.accounts.service import create_user, list_users
    from jiuye.db import write_session

    with write_session(url, check=False) as s:
        if "bench_reviewer" not in {u["username"] for u in list_users(s)}:
            create_user(s, "bench_reviewer", "基准测试", PASSWORD, "reviewer", "jinshan", None, "bench")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _run_clients(base: str, token: str, case: dict[str, Any], clients: int, total: int,
                       expected: bytes | None = None) -> tuple[list[float], int, list[tuple[float, float]]]:
    """httpx clients (one ``AsyncClient`` each, keep-alive) in this process's one event loop."""
    import httpx

    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
            while not queue.empty():
                queue.get_nowait()
                t0 = time.perf_counter()
                r = await c.post("/api/v1/evaluate", json=case)
                t1 = time.perf_counter()
                latencies.append((t1 - t0) * 1000)
                spans.append((t0, t1))
                if r.status_code != 200 or (expected is not None and r.content != expected):
                    errors += 1

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, spans


async def _raw_clients(base: str, token: str, case: dict[str, Any], clients: int, total: int,
                       expected: bytes | None = None) -> tuple[list[float], int, list[tuple[float, float]]]:
    """Light clients: one keep-alive connection each (asyncio streams), the request encoded once (the same
    JSON text httpx sends), the response read by its Content-Length.  Every response is checked: status 200
    and a body byte-identical to ``expected`` (a 200 response parsed as JSON before the run)."""
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps(case).encode()
    request = (f"POST /api/v1/evaluate HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body  # fmt: skip
    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    errors = 0
    left = total

    async def worker() -> None:
        nonlocal errors, left
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while left > 0:
                left -= 1
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = None
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                if length is None:  # the server answers with Content-Length; anything else is an error here
                    raise RuntimeError(f"no Content-Length: {head!r}")
                data = await reader.readexactly(length)
                t1 = time.perf_counter()
                latencies.append((t1 - t0) * 1000)
                spans.append((t0, t1))
                if status != 200 or (expected is not None and data != expected):
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, spans


CLIENTS = {"httpx": _run_clients, "raw": _raw_clients}


def _cpu(pid: int, loop: bool = False) -> float:
    """CPU seconds (user + system, all threads) of process ``pid`` so far; ``loop``: of its main thread only
    (the server's event loop: the requests' Python outside the gatherings)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat" if loop else f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PREPARE = """
import sys
sys.path.insert(0, sys.argv[1])
from jiuye import db
from jiuye.accounts.service import create_user, list_users
db.upgrade(sys.argv[2])
with db.write_session(sys.argv[2], check=False) as s:
    if "bench_reviewer" not in {u["username"] for u in list_users(s)}:
        create_user(s, "bench_reviewer", "基准测试", sys.argv[3], "reviewer", "jinshan", None, "bench")
"""


TRACED = """
import asyncio, gc, json, sys, time
sys.path.insert(0, sys.argv[1])
import uvicorn
from jiuye.rules import batch
from jiuye.web.app import create_app
events = []  # (kind, start, end, number): perf_counter is CLOCK_MONOTONIC, comparable with the client's
run, gather = batch._run, batch.MicroBatcher._gather
def traced_run(jobs, extras):
    t0 = time.perf_counter()
    try:
        return run(jobs, extras)
    finally:
        events.append(("evaluate", t0, time.perf_counter(), len(jobs)))
def traced_gather(self):
    t0 = time.perf_counter()
    gather(self)
    events.append(("gather", t0, time.perf_counter(), len(self._pending)))
batch._run, batch.MicroBatcher._gather = traced_run, traced_gather
gc_start = [0.0]
def on_gc(phase, info):
    if phase == "start":
        gc_start[0] = time.perf_counter()
    else:
        events.append((f"gc{info['generation']}", gc_start[0], time.perf_counter(), info["collected"]))
gc.callbacks.append(on_gc)
inner = create_app()
lag = []
async def watch():  # the event loop's lateness: a 2 ms sleep that comes back late means the loop was blocked
    while True:
        t0 = time.perf_counter()
        await asyncio.sleep(0.002)
        late = time.perf_counter() - t0 - 0.002
        if late > 0.005:
            events.append(("loop_late", t0, time.perf_counter(), 0))
def dump():
    with open(sys.argv[3], "w") as f:
        json.dump(events, f)
async def app(scope, receive, send):
    if scope["type"] == "lifespan":  # written at shutdown (uvicorn re-raises SIGTERM after it: no code runs later)
        async def traced_receive():
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                dump()
            return message
        return await inner(scope, traced_receive, send)
    if scope["type"] != "http":
        return await inner(scope, receive, send)
    if not lag:
        lag.append(asyncio.get_running_loop().create_task(watch()))
    t0 = time.perf_counter()
    async def traced_send(message):
        await send(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            events.append(("request", t0, time.perf_counter(), 0))
    await inner(scope, receive, traced_send)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False, **json.loads(sys.argv[4]))
"""


def _serve(tree: Path, url: str, trace: Path | None = None, server_options: dict[str, Any] | None = None,
           ) -> tuple[subprocess.Popen[bytes], str]:  # fmt: skip
    """uvicorn in its own process (clients and server never share a GIL), importing jiuye from ``tree``, on
    ``url`` migrated and given the bench account by that tree's own code (trees may differ in schema).
    ``trace``: the server also records its gatherings, GC passes, requests and event-loop stalls there (JSON,
    written when it stops)."""
    subprocess.run([sys.executable, "-c", PREPARE, str(tree), url, PASSWORD], check=True, cwd=str(tree))
    port = _free_port()
    env = dict(os.environ, JIUYE_DATABASE_URL=url, PYTHONPATH=str(tree))
    options = server_options or {}
    if trace is not None:
        command = [sys.executable, "-c", TRACED, str(tree), str(port), str(trace), json.dumps(options)]
    else:
        command = [sys.executable, "-m", "uvicorn", "--factory", "jiuye.web.app:create_app", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip
        for key, value in options.items():
            command += [f"--{key}", str(value)]
    server = subprocess.Popen(command, env=env, cwd=str(tree))
    base = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"{base}/policies", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, base


def evaluate(args: argparse.Namespace) -> None:
    """Each tree's server in turn (``--old`` first when given), same database, same case, same clients; each
    load generator in turn against the same server."""
    import httpx

    (ROOT / "out").mkdir(exist_ok=True)
    case = json.loads((ROOT / "examples" / args.case).read_text("utf-8"))
    trees = [("old", Path(args.old)), ("new", ROOT)] if args.old else [("new", ROOT)]
    options = json.loads(args.server_options) if args.server_options else None
    rows: dict[tuple[str, str, int], list[tuple[float, float, float, float, float]]] = {}
    bodies: dict[str, bytes] = {}
    for rep in range(args.repeat):
        for name, tree in trees:
            trace = ROOT / "out" / f"bench-web-trace-{name}-{rep}.json" if args.trace else None
            server, base = _serve(tree, args.db or f"sqlite:///{ROOT}/out/bench-web-{name}.db", trace, options)
            try:
                token = httpx.post(f"{base}/api/v1/login", json={"username": "bench_reviewer",
                                                                  "password": PASSWORD}).json()["token"]  # fmt: skip
                first = httpx.post(f"{base}/api/v1/evaluate", json=case, headers={"Authorization": f"Bearer {token}"})
                assert first.status_code == 200 and "entitlements" in first.json(), first.text[:300]
                expected = bodies.setdefault(name, first.content)
                asyncio.run(_raw_clients(base, token, case, 4, 20, expected))  # warm-up: plans, imports, connections
                for clients in args.clients:
                    for client in args.client:
                        load = os.getloadavg()[0]
                        cpu0, server0, loop0 = time.process_time(), _cpu(server.pid), _cpu(server.pid, loop=True)
                        t0 = time.perf_counter()
                        lat, errors, spans = asyncio.run(CLIENTS[client](base, token, case, clients, args.requests, expected))
                        wall = time.perf_counter() - t0
                        client_ms = (time.process_time() - cpu0) * 1000 / len(lat)
                        server_ms = (_cpu(server.pid) - server0) * 1000 / len(lat)
                        loop_ms = (_cpu(server.pid, loop=True) - loop0) * 1000 / len(lat)
                        p50, p99 = statistics.median(lat), _pct(lat, 99)
                        rows.setdefault((name, client, clients), []).append((p50, p99, len(lat) / wall, server_ms, client_ms, loop_ms))
                        if trace is not None:
                            (ROOT / "out" / f"bench-web-spans-{name}-{rep}-{client}-{clients}.json").write_text(json.dumps(spans))
                        print(f"[{rep}] {name} {client:>5} {clients:>3} clients: {len(lat)} requests in {wall:.1f} s "
                              f"({len(lat) / wall:.0f}/s); p50 {p50:.1f} ms, p99 {_pct(lat, 99):.1f} ms, max {max(lat):.0f} ms, "
                              f"errors {errors}; CPU per request: server {server_ms:.2f} ms (event loop {loop_ms:.2f}), client {client_ms:.2f} ms; "
                              f"load {load:.1f}", flush=True)  # fmt: skip
            finally:
                server.terminate()
                server.wait(timeout=30)
    if args.old:
        print(f"old and new responses byte-identical: {bodies['old'] == bodies['new']}")
        for client in args.client:
            for clients in args.clients:
                o = [statistics.median(v) for v in zip(*rows[("old", client, clients)], strict=True)]
                n = [statistics.median(v) for v in zip(*rows[("new", client, clients)], strict=True)]
                print(f"{client:>5} {clients:>3} clients (medians of {args.repeat}): p50 old {o[0]:.1f} / new {n[0]:.1f} ms "
                      f"({o[0] / n[0]:.2f}×), p99 old {o[1]:.1f} / new {n[1]:.1f} ms ({o[1] / n[1]:.2f}×), "
                      f"req/s old {o[2]:.0f} / new {n[2]:.0f}, server CPU/request old {o[3]:.2f} / new {n[3]:.2f} ms, "
                      f"event loop old {o[5]:.2f} / new {n[5]:.2f} ms")  # fmt: skip


def queue(args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient

    from jiuye import db
    from jiuye.web.app import create_app

    url = db.database_url(args.db)
    db.check_ready(url)
    _account(url)
    with TestClient(create_app(url, start_worker=False)) as c:
        r = c.post("/api/v1/login", json={"username": "bench_reviewer", "password": PASSWORD})
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        for path in ("/review?state=found", "/review?state=found&page=2", "/review?state=found&page=200",
                     "/review?state=found&policy=JS-02", "/review?state=found&town=朱泾镇", "/api/v1/entitlements?state=found",
                     "/review?state=found&policy=JS-02&town=朱泾镇&page=20", "/figures", "/api/v1/figures?year=2026"):  # fmt: skip
            times = []
            for _ in range(args.pages):
                t0 = time.perf_counter()
                resp = c.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200, resp.text[:300]
            print(f"{path:<45} p50 {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    ev = sub.add_parser("evaluate")
    ev.add_argument("--db", help="default: out/bench-web-{old,new}.db (one per tree: schemas may differ)")
    ev.add_argument("--requests", type=int, default=400)
    ev.add_argument("--clients", type=int, nargs="+", default=[1, 50])
    ev.add_argument("--old", help="a tree of the code to compare with (e.g. `git archive a7e6166 | tar -x -C DIR`)")
    ev.add_argument("--case", default="case-all-measures.json", help="a case in examples/")
    ev.add_argument("--repeat", type=int, default=1, help="old/new alternations")
    ev.add_argument("--client", nargs="+", choices=sorted(CLIENTS), default=["raw", "httpx"],
                    help="load generators, each in turn against the same server (raw: light asyncio-stream clients)")
    ev.add_argument("--trace", action="store_true", help="record server events and client spans in out/")
    ev.add_argument("--server-options", help='uvicorn options as JSON, e.g. \'{"loop": "asyncio", "http": "h11"}\'')
    ev.set_defaults(fn=evaluate)
    qu = sub.add_parser("queue")
    qu.add_argument("--db")
    qu.add_argument("--pages", type=int, default=20)
    qu.set_defaults(fn=queue)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
