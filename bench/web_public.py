"""Benchmarks of the residents' pages (issue 13), against a real server on loopback.

    .venv/bin/python bench/web_public.py [--clients 20] [--requests 15] [--uploads 100]

1. self-check submit → result page (one person, explanations included) with ``--clients`` concurrent
   clients; p50 / p99 of the time from sending the POST to the last byte of the page (loopback, so this is
   server time plus well under a millisecond), with each load generator of ``--client`` in turn (``raw``: light
   asyncio-stream clients; ``httpx``: thread clients) and the server's and client's CPU per request;
2. a 10 MB upload: refused (status, message, time) and nothing stored;
3. ``--uploads`` concurrent uploads of distinct PDFs (one draft each): every file stored once, its
   SHA-256 equal to what was sent, every row in ``application_files``.

Runs the server as a separate process (``uvicorn --factory jiuye.web.app:create_app``) on a fresh
migrated SQLite database, so clients and server do not share a GIL.  ``--old DIR`` measures another tree's
server (e.g. ``git archive a7e6166 | tar -x -C /tmp/op-old``) the same way in the same run, alternating.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

GRADUATE = {"birth_date": "2001-04-01", "gender": "male", "hukou_district": "jinshan", "education": "bachelor",
            "full_time": "1", "graduation_date": "2024-06-30", "origin_district": "jinshan",
            "employer_district": "jinshan", "employer_type": "enterprise", "contract_start": "2024-07-01",
            "registered": "1", "insured_months": "6"}  # fmt: skip
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_cpu(pid: int, loop: bool = False) -> float:
    """CPU seconds (user + system, all threads) of process ``pid`` so far; ``loop``: of its main thread only
    (the server's event loop: the requests' Python outside the gatherings)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat" if loop else f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(url: str, drafts: int) -> tuple[str, list[int]]:
    """An applicant with ``drafts`` JS-08b drafts; returns (session cookie, draft ids)."""
    from jiuye import db
    from jiuye.applications import service
    from jiuye.applications.identity import provider
    from jiuye.rules.identifiers import make_id_number

    db.upgrade(url)
    with db.write_session(url, check=False) as s:
        import datetime as dt

        ident = provider().register(s, "resident", make_id_number("310116", dt.date(1990, 1, 1), 1, "male"),
                                    "压测用户", "13800000000", "bench-password-1")  # fmt: skip
        login = service.open_session(s, ident)
        ids = [service.create(s, ident, "JS-08b") for _ in range(drafts)]
    return login.token, ids


def selfcheck_bench(base: str, clients: int, per_client: int) -> list[float]:
    def one_client(_: int) -> list[float]:
        times = []
        with httpx.Client(base_url=base, timeout=120) as c:
            token = CSRF.search(c.get("/self-check/graduate").text)
            assert token
            for _ in range(per_client):
                t = time.perf_counter()
                r = c.post("/self-check/graduate", data={**GRADUATE, "csrf_token": token.group(1)})
                times.append(time.perf_counter() - t)
                assert r.status_code == 200 and 'data-policy="JS-03a"' in r.text, r.status_code
        return times

    with httpx.Client(base_url=base, timeout=120) as warm:  # first evaluation builds the plans
        token = CSRF.search(warm.get("/self-check/graduate").text)
        assert token
        for _ in range(3):
            warm.post("/self-check/graduate", data={**GRADUATE, "csrf_token": token.group(1)})
    with cf.ThreadPoolExecutor(clients) as pool:
        return [t for ts in pool.map(one_client, range(clients)) for t in ts]


def selfcheck_raw(base: str, clients: int, per_client: int) -> list[float]:
    """:func:`selfcheck_bench` with light clients: each gets its form (cookie and CSRF token) with httpx, then
    sends the same pre-encoded POST on one keep-alive connection (asyncio streams) and reads the page by its
    Content-Length — so the client's own CPU (httpx: ~4 ms per request on the same 2 cores) is not measured
    as the server's.  Every page is checked as :func:`selfcheck_bench` checks it (200, the graduate's JS-03a)."""
    import asyncio
    from urllib.parse import urlencode

    host, port = base.removeprefix("http://").split(":")

    def prepared() -> bytes:
        with httpx.Client(base_url=base, timeout=120) as c:
            token = CSRF.search(c.get("/self-check/graduate").text)
            assert token
            cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        body = urlencode({**GRADUATE, "csrf_token": token.group(1)}).encode()
        return (f"POST /self-check/graduate HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    requests = [prepared() for _ in range(clients)]

    async def one_client(request: bytes) -> list[float]:
        reader, writer = await asyncio.open_connection(host, int(port))
        times = []
        try:
            for _ in range(per_client):
                t = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))  # fmt: skip
                page = await reader.readexactly(length)
                times.append(time.perf_counter() - t)
                assert head.startswith(b"HTTP/1.1 200") and b'data-policy="JS-03a"' in page, head[:200]
        finally:
            writer.close()
        return times

    async def main() -> list[float]:
        return [t for ts in await asyncio.gather(*(one_client(r) for r in requests)) for t in ts]

    return asyncio.run(main())


CLIENTS = {"httpx": selfcheck_bench, "raw": selfcheck_raw}


def upload_bench(base: str, cookie: str, drafts: list[int], url: str, files_dir: Path) -> dict[str, object]:
    from jiuye import db

    def page_csrf(c: httpx.Client, app_id: int) -> str:
        found = CSRF.search(c.get(f"/my/applications/{app_id}").text)
        assert found
        return found.group(1)

    out: dict[str, object] = {}
    with httpx.Client(base_url=base, timeout=120, cookies={"jiuye_applicant": cookie}) as c:
        csrf = page_csrf(c, drafts[0])
        big = b"%PDF-1.4\n" + secrets.token_bytes(10 * 1024 * 1024)
        t = time.perf_counter()
        r = c.post(f"/my/applications/{drafts[0]}", data={"csrf_token": csrf, "action": "save"},
                   files={"proof": ("big.pdf", big, "application/pdf")})  # fmt: skip
        out["10MB_status"] = r.status_code
        out["10MB_seconds"] = round(time.perf_counter() - t, 3)
        message = re.search(r'class="flash error"[^>]*>([^<]+)<', r.text) or re.search(r"<p>([^<]*MB[^<]*)</p>", r.text)
        out["10MB_message"] = message.group(1) if message else r.text[:200]

    sent: dict[int, str] = {}

    def upload(app_id: int) -> int:
        body = b"%PDF-1.4\n" + secrets.token_bytes(200 * 1024)
        sent[app_id] = hashlib.sha256(body).hexdigest()
        with httpx.Client(base_url=base, timeout=300, cookies={"jiuye_applicant": cookie}) as c:
            token = page_csrf(c, app_id)
            r = c.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "save"},
                       files={"proof": (f"doc{app_id}.pdf", body, "application/pdf")})  # fmt: skip
            return r.status_code

    t = time.perf_counter()
    with cf.ThreadPoolExecutor(len(drafts)) as pool:
        statuses = list(pool.map(upload, drafts))
    out["concurrent_uploads"] = len(drafts)
    out["concurrent_seconds"] = round(time.perf_counter() - t, 2)
    out["statuses"] = {s: statuses.count(s) for s in set(statuses)}
    import sqlalchemy as sa

    from jiuye.applications.models import application_files

    with db.session_scope(url) as s:
        rows = s.execute(sa.select(application_files.c.application_id, application_files.c.sha256,
                                   application_files.c.stored_name)).all()  # fmt: skip
    stored = {int(r[0]): r for r in rows}
    on_disk = {p.name for p in (files_dir / "uploads").iterdir()}
    out["rows"] = len(rows)
    out["files_on_disk"] = len(on_disk)
    out["sha256_match"] = sum(1 for a, h in sent.items() if a in stored and stored[a][1] == h)
    out["every_row_has_its_file"] = all(r[2] in on_disk for r in rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=15, help="self-check submissions per client")
    ap.add_argument("--uploads", type=int, default=100, help="0: skip the upload benchmark")
    ap.add_argument("--old", help="a tree of the code to compare with (e.g. `git archive a7e6166 | tar -x -C DIR`)")
    ap.add_argument("--repeat", type=int, default=1, help="old/new alternations")
    ap.add_argument("--client", nargs="+", choices=sorted(CLIENTS), default=["raw", "httpx"],
                    help="load generators, each in turn against the same server (raw: light asyncio-stream clients)")
    ap.add_argument("--server-options", default="{}", help='uvicorn options as JSON, e.g. \'{"http": "h11"}\'')
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jiuye-bench-web-"))
    url = f"sqlite:///{work}/bench.db"
    files_dir = work / "files"
    os.environ["JIUYE_FILES_DIR"] = str(files_dir)
    cookie, drafts = prepare(url, args.uploads)
    trees = [("old", Path(args.old)), ("new", ROOT)] if args.old else [("new", ROOT)]
    found: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for rep in range(args.repeat):
        for name, tree in trees:
            port = free_port()
            tree_url = url
            if name == "old":  # the old tree's own schema: a database migrated by its own code
                tree_url = f"sqlite:///{work}/bench-old.db"
                subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from jiuye import db; "
                                "db.upgrade(sys.argv[2])", str(tree), tree_url], check=True, cwd=str(tree))  # fmt: skip
            env = dict(os.environ, JIUYE_DATABASE_URL=tree_url, JIUYE_FILES_DIR=str(files_dir), PYTHONPATH=str(tree))
            options = [f"--{k}={v}" for k, v in json.loads(args.server_options).items()]
            server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "jiuye.web.app:create_app", "--host",
                                       "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
                                       *options], env=env, cwd=str(tree))  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(300):
                    try:
                        if httpx.get(f"{base}/policies", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.2)
                selfcheck_bench(base, 4, 3)  # warm-up: the first evaluations build the plans
                for client in args.client:
                    load = os.getloadavg()[0]
                    cpu0, server0, loop0 = time.process_time(), server_cpu(server.pid), server_cpu(server.pid, loop=True)
                    times = CLIENTS[client](base, args.clients, args.requests)
                    ms = [t * 1000 for t in times]
                    client_ms = (time.process_time() - cpu0) * 1000 / len(ms)
                    server_ms = (server_cpu(server.pid) - server0) * 1000 / len(ms)
                    loop_ms = (server_cpu(server.pid, loop=True) - loop0) * 1000 / len(ms)
                    found.setdefault((name, client), []).append((percentile(ms, 0.5), percentile(ms, 0.99), server_ms, loop_ms))
                    print(f"[{rep}] {name} {client:>5} self-check submit, {args.clients} clients × {args.requests}: n={len(ms)} "
                          f"p50={percentile(ms, 0.5):.0f} ms p99={percentile(ms, 0.99):.0f} ms "
                          f"mean={statistics.mean(ms):.0f} ms; CPU per request: server {server_ms:.2f} ms (event loop {loop_ms:.2f}), client "
                          f"{client_ms:.2f} ms (load avg at start {load:.1f}, nproc {os.cpu_count()})", flush=True)  # fmt: skip
                if args.uploads and name == "new" and rep == 0:
                    result = upload_bench(base, cookie, drafts, url, files_dir)
                    print("uploads:", result)
            finally:
                server.terminate()
                server.wait(timeout=30)
    if args.old:
        for client in args.client:
            o = [statistics.median(v) for v in zip(*found[("old", client)], strict=True)]
            n = [statistics.median(v) for v in zip(*found[("new", client)], strict=True)]
            print(f"{client:>5} (medians of {args.repeat}) old / new: p50 {o[0]:.0f} / {n[0]:.0f} ms ({o[0] / n[0]:.2f}×), "
                  f"p99 {o[1]:.0f} / {n[1]:.0f} ms ({o[1] / n[1]:.2f}×), server CPU per request {o[2]:.2f} / "
                  f"{n[2]:.2f} ms ({o[2] / n[2]:.2f}×), event loop {o[3]:.2f} / {n[3]:.2f} ms ({o[3] / n[3]:.2f}×)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
