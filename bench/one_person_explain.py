"""Side by side (session 8, G13 in explanations): one person with explanations, old tree against new, alternating.

    .venv/bin/python bench/one_person_explain.py --old /tmp/old-<commit> --new . [--rounds 8] [--died 2030-01-15]

Each round runs both trees in a child each (old, new; the order alternates every round), 20 warm-up then 200
timed ``evaluate(case, explain=True)`` of ``examples/case-one-person.json``; prints each child's median and the
ratio of the medians of the rounds.  ``--died`` gives the person a date of death (the G13 path).  Timings never
go into tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, statistics, sys, time
from jiuye.rules import evaluate
case = json.load(open(sys.argv[1]))
if sys.argv[2]:
    case["persons"][0]["died_on"] = sys.argv[2]
for _ in range(20):
    evaluate(case, explain=True)
t = []
for _ in range(200):
    a = time.perf_counter(); evaluate(case, explain=True); t.append(time.perf_counter() - a)
print(statistics.median(t) * 1000)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", default=".")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--died", default="")
    args = parser.parse_args()
    case = str(Path(args.new).resolve() / "examples" / "case-one-person.json")
    times: dict[str, list[float]] = {"old": [], "new": []}
    for r in range(args.rounds):
        order = ["old", "new"] if r % 2 == 0 else ["new", "old"]
        for name in order:
            tree = str(Path(getattr(args, name)).resolve())
            out = subprocess.run([sys.executable, "-c", CHILD, case, args.died], cwd=tree, env=dict(os.environ, PYTHONPATH=tree),
                                 capture_output=True, text=True, check=True)  # fmt: skip
            times[name].append(float(out.stdout))
            print(f"round {r + 1} {name}: {times[name][-1]:.1f} ms", flush=True)
    old, new = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"median of rounds: old {old:.1f} ms, new {new:.1f} ms, old/new {old / new:.3f}")


if __name__ == "__main__":
    main()
