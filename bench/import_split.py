"""Benchmark: an import into PostgreSQL whose tables reference rows already in the registry, old tree vs new.

    .venv/bin/python bench/import_split.py --old /tmp/old-<commit> [--persons 100000] [--rounds 2]

The demo district's CSV files are written once.  Two imports, each into a fresh schema, each run by the
old tree (``PYTHONPATH=OLD``) and this tree alternately:

- ``all``: every file in one import (every table empty; each referenced table is loaded in the same
  transaction before the tables that reference it);
- ``split``: persons, employers and organisations first (not timed), then the other files in a second
  import (timed) — the tables it loads reference rows that web reads are using.

Timings never go into tests.  Results by hand into ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.registry import DEFAULT_PG, JIUYE, PgSchema, timed  # noqa: E402

PARENTS = ("persons.csv", "employers.csv", "organizations.csv")


def jiuye(tree: str | None) -> list[str]:
    """The command line of ``jiuye`` from ``tree`` (None: this worktree's)."""
    if tree is None:
        return [JIUYE]
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {tree!r}); from jiuye.cli import main; "
                                  "sys.exit(main())"]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True, help="an extracted old tree (git archive)")
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--scenarios", default="all,split", help="which of all,split to run")
    ap.add_argument("--pg", default=os.environ.get("JIUYE_TEST_POSTGRES_URL", DEFAULT_PG))
    args = ap.parse_args()
    scenarios = [s for s in ("all", "split") if s in args.scenarios.split(",")]
    from jiuye import db

    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "csv"
        timed("demo-data CSV", [JIUYE, "demo-data", "--district", "jinshan", "--persons", str(args.persons),
                                "--seed", "1", "--out", str(out), "-q"])  # fmt: skip
        files = sorted(out.glob("*.csv"))
        parents = [str(p) for p in files if p.name in PARENTS]
        children = [str(p) for p in files if p.name not in PARENTS]
        results: dict[str, list[float]] = {}
        for r in range(args.rounds):
            for name, tree in (("old", args.old), ("new", None)):
                for scenario in scenarios:
                    pg = PgSchema(db.database_url(args.pg))
                    try:
                        db.upgrade(pg.url)
                        cmd = [*jiuye(tree), "import", "--db", pg.url, "-q"]
                        if scenario == "split":
                            timed(f"{name} split: parents (untimed)", [*cmd, *parents])
                            got = timed(f"round {r + 1} {name} split: the rest", [*cmd, *children])
                        else:
                            got = timed(f"round {r + 1} {name} all", [*cmd, *parents, *children])
                        results.setdefault(f"{name} {scenario}", []).append(got["wall_s"])
                    finally:
                        pg.drop()
        for scenario in scenarios:
            old, new = (sorted(results[f"{n} {scenario}"]) for n in ("old", "new"))
            print(f"{scenario}: old {old} new {new}; median ratio new/old "
                  f"{new[len(new) // 2] / old[len(old) // 2]:.2f}", flush=True)


if __name__ == "__main__":
    main()
