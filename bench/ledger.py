"""Benchmarks of issue 4 (matching, ledger, payment).  Never run concurrently with another heavy benchmark.

    .venv/bin/python bench/ledger.py match [--people 1000000] [--url URL] [--chunk-size 200000]
    .venv/bin/python bench/ledger.py pay   [--lines 100000]   [--url URL]
    .venv/bin/python bench/ledger.py registry --url URL [--chunk-size 200000] [--month 2026-10]
    .venv/bin/python bench/ledger.py pay --old /tmp/old-tree --repeat 2     # side by side with older code

``match``: a synthetic JS-02 population (every person qualifies: 12 monthly lines over 2023) evaluated
in chunks through the engine and reconciled into the ledger for the one month 2023-12 (arrears
2023-01…11 are stored too), then the same run again (no change).  Targets: first run ≤ 60 s for
1,000,000 people, re-run ≤ 20 s.  Facts come from memory (``FramesSource``) so the number measures
engine + ledger; reading the registry is measured by ``bench/registry_facts.py``.

``pay``: ``lines`` approved lines (lines/12 people) paid in one batch with CSV and XLSX files.
Target ≤ 10 s for 100,000 lines.

``registry``: ``jiuye match`` for one month straight from a registry database that already holds data
(e.g. ``jiuye demo-data --persons 1000000 --db URL``; a PostgreSQL URL may carry
``?options=-csearch_path%3Dschema``): the ledger tables are emptied first, then a first run and a re-run
with no change are timed.  This is the end-to-end path: facts from the database, engine, ledger.

Default URL: a fresh SQLite file in a temp dir; pass ``--url postgresql+psycopg://…/db`` for PostgreSQL
(a throw-away schema is created and dropped).  Timings go to bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from jiuye import db
from jiuye.db import write_session
from jiuye.ledger.service import approve_month, pay
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.factories
from jiuye.rules.catalog import get_measure
from tests.factories.matching import js02_population


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            target = f"sqlite:///{tmp}/bench.db"
            db.upgrade(target)
            yield target
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(db.database_url(url), poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    target = make_url(db.database_url(url)).update_query_dict({"options": f"-csearch_path={schema}"})
    text = target.render_as_string(hide_password=False)
    try:
        db.upgrade(text)
        yield text
    finally:
        db.get_engine(text).dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def timed(label: str, fn: object) -> float:
    """Wall and CPU seconds of ``fn()`` (CPU: this process and the children it waited for, e.g. the SQLite
    reader; not the database server's), with the 1-minute load average before and after."""
    load = os.getloadavg()[0]
    start, cpu = time.perf_counter(), _cpu()
    fn()  # type: ignore[operator]
    took, used = time.perf_counter() - start, _cpu() - cpu
    print(f"{label}: {took:.1f} s wall, {used:.1f} s CPU (load {load:.1f} → {os.getloadavg()[0]:.1f})", flush=True)
    return took


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_match(url: str, people: int, chunk_size: int) -> None:
    facts = js02_population(people, insured_to=dt.date(2023, 12, 1))
    dec = dt.date(2023, 12, 1)

    def go(full: bool = False) -> None:
        r = run_match(partial(write_session, url), lambda _s: FramesSource(facts), dec, dec,
                      measures=(get_measure("JS-02"),), chunk_size=chunk_size, full=full)  # fmt: skip
        print(
            f"  lines {r.totals.lines}, inserted {r.totals.inserted}, changed {r.totals.changed}", flush=True
        )

    timed(f"match {people:,} people, first run", go)
    timed(f"match {people:,} people, re-run (no change)", go)
    # what a registry change costs: every chunk evaluated and reconciled again (facts behind the lines
    # compared too), nothing changed
    timed(f"match {people:,} people, re-run --full (every chunk re-evaluated, no change)", partial(go, True))


def _accounts(url: str, ids: list[str]) -> None:
    """Registry persons with plausible UnionPay card numbers (Luhn) for the synthetic beneficiaries."""
    from jiuye.db.metadata import audit_values
    from jiuye.registry.models import TABLES
    from jiuye.rules.identifiers import luhn_check_digit

    bodies = pl.Series([f"622202{i:012d}" for i in range(len(ids))])
    accounts = pl.DataFrame({"b": bodies}).select(pl.concat_str(["b", luhn_check_digit(pl.col("b"))]))
    stamp = audit_values("bench")
    rows = [{"id_number": p, "name": "测试", "birth_date": dt.date(1993, 5, 1), "gender": "male",
             "hukou_agricultural": False, "bank_account": a, **stamp}
            for p, a in zip(ids, accounts.to_series().to_list(), strict=True)]  # fmt: skip
    with write_session(url) as s:
        s.execute(sa.insert(TABLES["persons"]), rows)


def bench_pay(url: str, lines: int, out: Path) -> None:
    people = max(1, lines // 12)
    facts = js02_population(people, insured_to=dt.date(2023, 12, 1))
    dec = dt.date(2023, 12, 1)
    _accounts(url, facts.persons["id"].to_list())  # pay pays only beneficiaries with a bank account
    run_match(partial(write_session, url), lambda _s: FramesSource(facts), dec, dec,
              measures=(get_measure("JS-02"),), chunk_size=200_000)  # fmt: skip
    with write_session(url) as s:
        approved = sum(approve_month(s, dec, "bench").values())
    print(f"  approved {approved:,} lines", flush=True)

    server: dict[str, float] = {}

    def go() -> None:
        with write_session(url) as s:
            backend = _backend(s)
            pay(s, dec, "bench", out)
        server.update(_backend_delta(url, backend))

    timed(f"pay {approved:,} lines", go)
    if server:
        print(f"  server (the PostgreSQL backend of the pay session): {server['cpu']:.1f} s CPU, "
              f"{server['wal'] / 1e6:.0f} MB WAL", flush=True)  # fmt: skip


def _backend(s: sa.orm.Session) -> tuple[int, float, int] | None:
    """PostgreSQL on this machine: the session's backend pid, its CPU seconds and the WAL position now (CPU
    and WAL written measure the server's work without the wall-clock noise of a shared machine)."""
    if s.get_bind().dialect.name != "postgresql":
        return None
    pid, lsn = s.execute(sa.text("SELECT pg_backend_pid(), pg_current_wal_lsn() - '0/0'::pg_lsn")).one()
    cpu = _proc_cpu(int(pid))
    return None if cpu is None else (int(pid), cpu, int(lsn))


def _proc_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_delta(url: str, backend: tuple[int, float, int] | None) -> dict[str, float]:
    if backend is None:
        return {}
    pid, cpu, lsn = backend
    now = _proc_cpu(pid)
    with db.get_engine(url).connect() as conn:
        wal = int(conn.execute(sa.text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")).scalar_one())
    return {} if now is None else {"cpu": now - cpu, "wal": float(wal - lsn)}


LEDGER_TABLES = ("entitlement_facts", "entitlement_changes", "payments", "payment_batches", "entitlements", "match_digests",
                 "match_runs", "audit_events", "audit_head")  # fmt: skip


def bench_registry(url: str, month: dt.date, chunk_size: int) -> None:
    from jiuye.matching.sources import RegistrySource

    db.upgrade(url)
    with write_session(url) as s:
        if s.get_bind().dialect.name == "postgresql":
            # the audit log is append-only (a trigger); a throw-away benchmark database is emptied as superuser
            s.execute(sa.text("SET LOCAL session_replication_role = replica"))
        present = set(sa.inspect(s.connection()).get_table_names())
        for table in LEDGER_TABLES:
            if table in present:  # entitlement_facts: since migration 0011
                s.execute(sa.text(f"DELETE FROM {table}"))

    def go() -> None:
        r = run_match(partial(write_session, url), RegistrySource, month, month, chunk_size=chunk_size)
        print(f"  {r.people:,} people, {r.chunks} chunks: lines {r.totals.lines:,}, inserted {r.totals.inserted:,}, "
              f"changed {r.totals.changed:,}, withdrawn {r.totals.withdrawn:,}", flush=True)  # fmt: skip

    timed("match from the registry, first run", go)
    timed("match from the registry, re-run (no change)", go)


def side_by_side(args: argparse.Namespace) -> None:
    """This script, run as a child with ``PYTHONPATH`` = the old tree, then = this tree, ``repeat`` times."""
    import subprocess

    argv = [args.what, "--month", args.month, "--people", str(args.people), "--lines", str(args.lines),
            "--chunk-size", str(args.chunk_size), *(["--url", args.url] if args.url else [])]  # fmt: skip
    old_tree, repeat = args.old, args.repeat
    here = str(Path(__file__).resolve().parents[1])
    for rep in range(repeat):
        for label, tree in (("old", str(Path(old_tree).resolve())), ("new", here)):
            print(f"--- {label} ({tree}), repetition {rep + 1}", flush=True)
            env = {**os.environ, "PYTHONPATH": tree}
            subprocess.run([sys.executable, __file__, *argv], env=env, cwd=tree, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["match", "pay", "registry"])
    parser.add_argument("--month", default="2026-10", help="registry: the month matched (YYYY-MM)")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=200_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--old", default=None, metavar="TREE",
                        help="side by side: run this benchmark with TREE's jiuye (e.g. a `git worktree` of the "
                             "previous commit) and with this tree's, alternating, --repeat times")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.old:
        side_by_side(args)
        return
    if args.what == "registry":
        y, m = (int(x) for x in args.month.split("-"))
        bench_registry(db.database_url(args.url), dt.date(y, m, 1), args.chunk_size)
        return
    with database(args.url) as url, tempfile.TemporaryDirectory() as out:
        if args.what == "match":
            bench_match(url, args.people, args.chunk_size)
        else:
            bench_pay(url, args.lines, Path(out))


if __name__ == "__main__":
    main()
