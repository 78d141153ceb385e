"""Benchmark (issue 3 item 5): build the rules engine's facts frames for N people from PostgreSQL.

    .venv/bin/python bench/registry_facts.py [--people 1000000] [--months 24] [--url URL]
                                             [--schema NAME [--keep]] [--repeat N]

Creates a throw-away schema, fills it with SQL ``generate_series`` (N persons, N/20 employers, one
contract and ``months`` insurance months per person, a status for every tenth person), runs
``load_facts`` for everyone, prints the timings and drops the schema.  ``--schema NAME`` fills (or, when it
already exists, reuses) that schema and ``--keep`` leaves it behind for the next run.  Target: ≤ 30 s for 1M people
with 24 months.  Timings go to bench/RESULTS.md by hand; tests never assert timings.
"""

from __future__ import annotations

import argparse
import time
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jiuye import db
from jiuye.registry.facts import load_facts

FILL = """
INSERT INTO employers (id, credit_code, name, type, district, size, state_owned, created_by, updated_by)
SELECT g, lpad(g::text, 18, '0'), 'e' || g, 'enterprise', 'jinshan', 'small', false, 'bench', 'bench'
FROM generate_series(1, {employers}) g;
INSERT INTO persons (id, id_number, name, birth_date, gender, hukou_district, hukou_agricultural,
                     created_by, updated_by)
SELECT g, lpad(g::text, 18, '0'), 'p' || g, date '1970-01-01' + (g % 15000), CASE WHEN g % 2 = 0
       THEN 'female' ELSE 'male' END, 'jinshan', g % 3 = 0, 'bench', 'bench'
FROM generate_series(1, {people}) g;
INSERT INTO contracts (person_id, employer_id, start, registered, created_by, updated_by)
SELECT g, 1 + g % {employers}, date '2022-01-01' + (g % 365), true, 'bench', 'bench'
FROM generate_series(1, {people}) g;
INSERT INTO statuses (person_id, kind, start, created_by, updated_by)
SELECT g, 'employment_hardship', date '2021-01-01', 'bench', 'bench' FROM generate_series(1, {people}, 10) g;
INSERT INTO social_insurance (person_id, month, employer_id, scheme, base_fen, paid, created_by, updated_by)
SELECT p, (date '2023-01-01' + make_interval(months => m))::date, 1 + p % {employers}, 'urban_employee',
       731000, true, 'bench', 'bench'
FROM generate_series(1, {people}) p, generate_series(0, {months} - 1) m;
ANALYZE;
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--schema", default=None, help="fill (or reuse, if it exists) this schema")
    ap.add_argument("--keep", action="store_true", help="do not drop the schema afterwards")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    base = db.database_url(args.url)
    schema = args.schema or f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
        if not exists:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    try:
        if not exists:
            db.upgrade(url)
            t = time.perf_counter()
            with db.get_engine(url).begin() as conn:
                conn.exec_driver_sql("SET session_replication_role = replica")  # skip FK triggers while filling
                for stmt in FILL.format(people=args.people, months=args.months,
                                        employers=max(1, args.people // 20)).split(";"):
                    if stmt.strip():
                        conn.exec_driver_sql(stmt.replace("%", "%%"))
            print(f"fill: {time.perf_counter() - t:.1f} s", flush=True)
        for _ in range(args.repeat):
            with Session(db.get_engine(url)) as session:
                t = time.perf_counter()
                facts = load_facts(session)
                elapsed = time.perf_counter() - t
            sizes = {k: v.height for k, v in facts.tables().items() if v.height}
            print(f"load_facts: {elapsed:.1f} s for {sizes}", flush=True)
            del facts
    finally:
        db.get_engine(url).dispose()
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
