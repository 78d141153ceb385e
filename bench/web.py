"""Web benchmarks (issue 12).

    .venv/bin/python bench/web.py evaluate [--db URL] [--requests 400] [--clients 1 50]
    .venv/bin/python bench/web.py queue --db URL [--pages 30]

``evaluate``: ``POST /api/v1/evaluate`` with the one-person case ``examples/case-all-measures.json``
(explanations on), through a real uvicorn server on loopback (its own process, importing jiuye from the
tree measured), N concurrent clients (httpx, keep-alive); p50 / p99 latency and errors per concurrency.
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


async def _run_clients(base: str, token: str, case: dict[str, Any], clients: int, total: int) -> tuple[list[float], int]:
    import httpx

    latencies: list[float] = []
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
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors


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


def _serve(tree: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn in its own process (clients and server never share a GIL), importing jiuye from ``tree``, on
    ``url`` migrated and given the bench account by that tree's own code (trees may differ in schema)."""
    subprocess.run([sys.executable, "-c", PREPARE, str(tree), url, PASSWORD], check=True, cwd=str(tree))
    port = _free_port()
    env = dict(os.environ, JIUYE_DATABASE_URL=url, PYTHONPATH=str(tree))
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "jiuye.web.app:create_app", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                              env=env, cwd=str(tree))  # fmt: skip
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
    """Each tree's server in turn (``--old`` first when given), same database, same case, same clients."""
    import httpx

    (ROOT / "out").mkdir(exist_ok=True)
    case = json.loads((ROOT / "examples" / args.case).read_text("utf-8"))
    trees = [("old", Path(args.old)), ("new", ROOT)] if args.old else [("new", ROOT)]
    rows: dict[tuple[str, int], tuple[float, float, float, int, float]] = {}
    for rep in range(args.repeat):
        for name, tree in trees:
            server, base = _serve(tree, args.db or f"sqlite:///{ROOT}/out/bench-web-{name}.db")
            try:
                token = httpx.post(f"{base}/api/v1/login", json={"username": "bench_reviewer",
                                                                  "password": PASSWORD}).json()["token"]  # fmt: skip
                asyncio.run(_run_clients(base, token, case, 4, 20))  # warm-up: plans, imports, connections
                for clients in args.clients:
                    load = os.getloadavg()[0]
                    t0 = time.perf_counter()
                    lat, errors = asyncio.run(_run_clients(base, token, case, clients, args.requests))
                    wall = time.perf_counter() - t0
                    rows[(name, clients)] = (statistics.median(lat), _pct(lat, 99), len(lat) / wall, errors, load)
                    print(f"[{rep}] {name} ({tree}) evaluate, {clients:>3} clients: {len(lat)} requests in {wall:.1f} s "
                          f"({len(lat) / wall:.1f}/s); p50 {statistics.median(lat):.1f} ms, p99 {_pct(lat, 99):.1f} ms, "
                          f"errors {errors}; load average {load:.1f}", flush=True)  # fmt: skip
            finally:
                server.terminate()
                server.wait(timeout=30)
    if args.old:
        for clients in args.clients:
            o, n = rows[("old", clients)], rows[("new", clients)]
            print(f"{clients:>3} clients: p50 old {o[0]:.1f} / new {n[0]:.1f} ms ({o[0] / n[0]:.1f}×), "
                  f"p99 old {o[1]:.1f} / new {n[1]:.1f} ms ({o[1] / n[1]:.1f}×), "
                  f"throughput old {o[2]:.1f} / new {n[2]:.1f} per s, errors {o[3]} / {n[3]}")  # fmt: skip


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
    ev.set_defaults(fn=evaluate)
    qu = sub.add_parser("queue")
    qu.add_argument("--db")
    qu.add_argument("--pages", type=int, default=20)
    qu.set_defaults(fn=queue)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
