"""Benchmark (issue 3 item 4, issue 2 item 6): the demo district in the registry.

    .venv/bin/python bench/registry.py                          # 1,000,000 people, all steps
    .venv/bin/python bench/registry.py --persons 100000 --skip-sqlite
    .venv/bin/python bench/registry.py --write-results          # also update bench/RESULTS.md (own section)

Steps, each a fresh ``jiuye`` process timed with ``/usr/bin/time`` (wall, peak RSS):

1. ``jiuye demo-data --persons N --seed 1 --out DIR`` — generate and write the import CSV files;
2. ``jiuye demo-data --persons N --seed 1 --db PG`` — generate and write into a fresh PostgreSQL schema
   through the import writer (target: ≤ 3 minutes for 1,000,000 people with 24 months of insurance);
3. ``jiuye import DIR/*.csv`` into a fresh PostgreSQL schema and a fresh SQLite file (rows/s);
4. ``jiuye.registry.facts.load_facts`` for everyone from the PostgreSQL database of step 2.

PostgreSQL: ``$JIUYE_TEST_POSTGRES_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; each
step gets its own throw-away schema (dropped at the end).  Timings never go into tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.engine import machine, update_section  # noqa: E402

JIUYE = str(ROOT / ".venv" / "bin" / "jiuye")
START = "<!-- bench/registry.py:start -->"
END = "<!-- bench/registry.py:end -->"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def timed(label: str, argv: list[str]) -> dict[str, float]:
    """Run ``argv`` under /usr/bin/time: wall seconds, CPU seconds (user + system), peak RSS (MB), and
    the 1-minute load average just before the step."""
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fh:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", fh.name, *argv], capture_output=True,
                              text=True)  # fmt: skip
        wall = time.perf_counter() - started
        parts = fh.read().split()
    if done.returncode != 0:
        raise SystemExit(f"{label} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    rss = float(parts[-1]) / 1024 if parts else float("nan")
    cpu = float(parts[-3]) + float(parts[-2]) if len(parts) >= 3 else float("nan")
    print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {rss:,.0f} MB, load before {load:.1f}", flush=True)
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss, "load": load}


class PgSchema:
    """A throw-away PostgreSQL schema selected through search_path."""

    def __init__(self, base: str) -> None:
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        self.sa = sa
        self.name = f"bench_demo_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        self.url = (make_url(base).update_query_dict({"options": f"-csearch_path={self.name}"})
                    .render_as_string(hide_password=False))  # fmt: skip

    def drop(self) -> None:
        from jiuye import db

        db.get_engine(self.url).dispose()
        with self.admin.begin() as conn:
            conn.execute(self.sa.text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self.admin.dispose()


def count_csv_rows(out: Path) -> int:
    total = 0
    for path in out.glob("*.csv"):
        with path.open("rb") as fh:
            total += sum(block.count(b"\n") for block in iter(lambda fh=fh: fh.read(1 << 20), b"")) - 1
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--pg", default=os.environ.get("JIUYE_TEST_POSTGRES_URL", DEFAULT_PG))
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    from jiuye import db

    host = machine()
    print(host, flush=True)
    n = args.persons
    results: dict[str, dict[str, float]] = {}
    schemas: list[PgSchema] = []
    work = Path(tempfile.mkdtemp(prefix="jiuye-bench-registry-"))
    try:
        out = work / "csv"
        results["csv"] = timed("demo-data --out", [JIUYE, "demo-data", "--persons", str(n), "--seed", "1",
                                                   "--out", str(out), "-q"])  # fmt: skip
        rows = count_csv_rows(out)
        results["csv"]["rows"] = rows
        print(f"  {rows:,} rows in {len(list(out.glob('*.csv')))} files", flush=True)

        pg = PgSchema(db.database_url(args.pg))
        schemas.append(pg)
        db.upgrade(pg.url)
        results["demo_pg"] = timed("demo-data --db PostgreSQL", [JIUYE, "demo-data", "--persons", str(n), "--seed",
                                                                 "1", "--db", pg.url, "-q"])  # fmt: skip
        results["demo_pg"]["rows"] = rows

        from sqlalchemy.orm import Session

        from jiuye.registry.facts import load_facts

        with Session(db.get_engine(pg.url)) as session:
            started = time.perf_counter()
            facts = load_facts(session)
            elapsed = time.perf_counter() - started
        results["facts"] = {"wall_s": elapsed, "persons": facts.persons.height,
                            "insurance_rows": facts.social_insurance.height}  # fmt: skip
        print(f"load_facts (PostgreSQL, everyone): {elapsed:.1f} s, {facts.persons.height:,} people, "
              f"{facts.social_insurance.height:,} insurance rows", flush=True)  # fmt: skip
        del facts

        if not args.skip_import:
            files = sorted(str(p) for p in out.glob("*.csv"))
            pg2 = PgSchema(db.database_url(args.pg))
            schemas.append(pg2)
            db.upgrade(pg2.url)
            results["import_pg"] = timed("import CSV → PostgreSQL", [JIUYE, "import", "--db", pg2.url, "-q", *files])
            results["import_pg"]["rows"] = rows
            if not args.skip_sqlite:
                url = f"sqlite:///{work}/bench.db"
                db.upgrade(url)
                results["import_sqlite"] = timed("import CSV → SQLite", [JIUYE, "import", "--db", url, "-q", *files])
                results["import_sqlite"]["rows"] = rows
    finally:
        for s in schemas:
            s.drop()
        subprocess.run(["rm", "-rf", str(work)], check=False)

    for key, r in results.items():
        if "rows" in r and key.startswith("import"):
            print(f"{key}: {r['rows'] / r['wall_s']:,.0f} rows/s")
    if args.write_results:
        write_results(" ".join(["python", "bench/registry.py", *sys.argv[1:]]), host, n, results)


def write_results(command: str, host: str, n: int, r: dict[str, dict[str, float]]) -> None:
    def row(label: str, key: str, target: str) -> str:
        if key not in r:
            return f"| {label} | not run | | | | | {target} |"
        x = r[key]
        rate = f"{x['rows'] / x['wall_s']:,.0f} rows/s" if "rows" in x else ""
        rss = f"{x['peak_rss_mb']:,.0f} MB" if "peak_rss_mb" in x else ""
        cpu = f"{x['cpu_s']:.1f} s" if "cpu_s" in x else ""
        load = f"{x['load']:.1f}" if "load" in x else ""
        return f"| {label} | {x['wall_s']:.1f} s | {cpu} | {rate} | {rss} | {load} | {target} |"

    rows = int(r.get("csv", {}).get("rows", 0))
    lines = [
        START,
        "## Demo district and registry import (issue 3 item 4) — `bench/registry.py`",
        "",
        f"Command: `{command}`  ",
        f"Machine: {host}; measured {dt.date.today()} (shared container: other helpers' work may run at the same "
        f"time).  {n:,} people (Jinshan, seed 1, 24 months of insurance): {rows:,} registry rows in the CSV files.",
        "",
        "| step | wall | CPU (client, user+sys) | rate | peak RSS | load before | target |",
        "|---|---:|---:|---:|---:|---:|---|",
        row(f"`jiuye demo-data --persons {n} --out DIR` (generate + CSV)", "csv", ""),
        row(f"`jiuye demo-data --persons {n} --db PostgreSQL` (generate + import writer)", "demo_pg",
            "≤ 3 min for 1M" if n >= 1_000_000 else ""),
        row("`jiuye import DIR/*.csv` → PostgreSQL (read, validate, write)", "import_pg", "≥ 200,000 rows/s"),
        row("`jiuye import DIR/*.csv` → SQLite", "import_sqlite", "≥ 100,000 rows/s"),
    ]
    if "facts" in r:
        f = r["facts"]
        lines.append(f"| `load_facts` for everyone from PostgreSQL ({f['persons']:,.0f} people, "
                     f"{f['insurance_rows']:,.0f} insurance rows) | {f['wall_s']:.1f} s | | | | | |")  # fmt: skip
    lines.append(END)
    update_section("\n".join(lines), START, END)
    _ = re


if __name__ == "__main__":
    main()
