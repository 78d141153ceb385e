"""Benchmark: all supervision checks on a synthetic district of N persons (default 1,000,000).

Usage: .venv/bin/python bench/supervision.py [N]   — prints the timings; copy them into bench/RESULTS.md.
Pure frames (no database): generation, then each check, then the total of run_checks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jiuye.supervision import checks

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.factories
from tests.factories.supervision import clean_district


def main(n: int) -> None:
    t0 = time.perf_counter()
    inputs = clean_district(n_persons=n, n_employers=max(n // 20, 10), seed=1)
    t1 = time.perf_counter()
    print(f"persons {n:,}; payments {inputs.payments.height:,}; contracts {inputs.contracts.height:,}; "
          f"generated in {t1 - t0:.1f} s")  # fmt: skip
    for name, fn in checks.CHECKS.items():
        s = time.perf_counter()
        out = fn(inputs)
        print(f"  {name:<26} {time.perf_counter() - s:6.2f} s  {out.height:>6} flags")
    s = time.perf_counter()
    flags = checks.run_checks(inputs)
    print(f"run_checks total: {time.perf_counter() - s:.1f} s, {flags.height} flags")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
