"""The micro-batcher's gathering policy alone, without the engine's or the server's noise.

    .venv/bin/python bench/batcher.py [--old DIR] [--clients 50] [--requests 2000] [--evaluate-ms 40] [--repeat 3]

``--clients`` async callers on one event loop (as a server's requests), each sending its next job as soon as
its result is in (a closed loop, like the benchmark clients of ``bench/web.py``), through the tree's
``MicroBatcher`` with its default window and quiet; the evaluation is replaced by a sleep of ``--evaluate-ms``
(no CPU: the number measures how long the gatherings keep callers waiting, not the engine) and each
request costs ``--loop-us`` of event-loop CPU before it reaches the batcher (the server's per-request
Python).  Prints throughput, p50 / p99 latency and jobs per gathering; ``--old DIR`` runs another tree's
batcher the same way, alternating, in child processes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, json, sys, time
sys.path.insert(0, sys.argv[1])
from jiuye.rules import batch
clients, total, evaluate_ms, loop_us = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])

def fake_run(jobs, extras):
    time.sleep(evaluate_ms / 1000)
    return [b"{}"] * len(jobs)

batch._run = fake_run
batcher = batch.MicroBatcher()
JOB = object()  # never read: the stand-in evaluation ignores it

def spin(us):
    end = time.perf_counter() + us / 1e6
    while time.perf_counter() < end:
        pass

async def main():
    left = total
    latencies = []
    async def client():
        nonlocal left
        while left > 0:
            left -= 1
            t0 = time.perf_counter()
            spin(loop_us)  # the request's Python before it reaches the batcher (one GIL with the leader)
            await batcher.evaluate_text_async(JOB)
            latencies.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0)
    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - t0

lat, wall = asyncio.run(main())
lat.sort()
print(json.dumps({"p50": lat[len(lat) // 2], "p99": lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))],
                  "rate": len(lat) / wall, "per_gathering": batcher.jobs / batcher.gatherings}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", help="another tree (e.g. `git archive <commit> | tar -x -C DIR`)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--evaluate-ms", type=float, default=40.0, help="the stand-in evaluation of one gathering")
    ap.add_argument("--loop-us", type=float, default=300.0, help="event-loop CPU per request before the batcher")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    trees = [("old", Path(args.old)), ("new", ROOT)] if args.old else [("new", ROOT)]
    rows: dict[str, list[dict[str, float]]] = {}
    for rep in range(args.repeat):
        for name, tree in trees:
            out = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(args.clients), str(args.requests),
                                  str(args.evaluate_ms), str(args.loop_us)], check=True, capture_output=True,
                                 text=True).stdout  # fmt: skip
            row = json.loads(out)
            rows.setdefault(name, []).append(row)
            print(f"[{rep}] {name}: {row['rate']:.0f} req/s, p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms, "
                  f"{row['per_gathering']:.1f} jobs per gathering", flush=True)  # fmt: skip
    if args.old:
        o = {k: statistics.median(r[k] for r in rows["old"]) for k in rows["old"][0]}
        n = {k: statistics.median(r[k] for r in rows["new"]) for k in rows["new"][0]}
        print(f"medians of {args.repeat}: req/s {o['rate']:.0f} → {n['rate']:.0f} ({n['rate'] / o['rate']:.2f}×), "
              f"p50 {o['p50']:.1f} → {n['p50']:.1f} ms ({o['p50'] / n['p50']:.2f}×), p99 {o['p99']:.1f} → "
              f"{n['p99']:.1f} ms ({o['p99'] / n['p99']:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main()
