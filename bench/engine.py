"""Benchmark (issue 2 item 6): the rules engine.

    .venv/bin/python bench/engine.py                       # everything, sizes 100k 250k 500k 1M
    .venv/bin/python bench/engine.py --sizes 100000 --skip-one --skip-cold
    .venv/bin/python bench/engine.py --write-results       # also update bench/RESULTS.md (own section)

1. **All measures over 24 months for N people, facts in memory** (N = 100k, 250k, 500k, 1M, for the
   growth curve).  The population is the demo district generator's (``jiuye.demo``: Jinshan,
   seed 1, 24 months of insurance, every planted situation).  Each N runs in a fresh child process that
   reads the facts from a Parquet cache (written once per N by another child, so generation does not
   count in the peak), then times ``evaluate_facts`` over the 24 months.  Peak memory is the child's
   peak RSS (facts + engine); the facts alone are reported too.
2. **One-person case in-process**: ``jiuye.rules.evaluate(examples/case-one-person.json)`` (parse +
   evaluate + explanations) ≥ 500 times after a warm-up; p50 / p99.
3. **Cold start**: ``jiuye evaluate examples/case-one-person.json`` as a subprocess, median of several.
4. ``--one-old DIR``: (2) side by side against another tree (``git archive a7e6166 | tar -x -C DIR``), old
   and new in alternating child processes, p50 / p99 / CPU and ratios; ``--batched 1 10 50``: N one-person
   cases merged into one evaluation (``jiuye.rules.batch``), time per call and per case (with ``--one-old``
   also side by side, CPU included).

Targets: (1) ≤ 10 s wall and ≤ 6 GB peak for 1M people; (2) p50 ≤ 10 ms, p99 ≤ 30 ms; (3) ≤ 1.5 s.
Timings never go into tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "RESULTS.md"
ONE_PERSON = ROOT / "examples" / "case-one-person.json"
PYTHON = sys.executable
START = "<!-- bench/engine.py:start -->"
END = "<!-- bench/engine.py:end -->"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def machine() -> str:
    mem = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    load = os.getloadavg()
    return (f"nproc {os.cpu_count()}, RAM {mem / 1024:.1f} GiB, {cpu}; load average at start "
            f"{load[0]:.1f}")  # fmt: skip


# --------------------------------------------------------------------------- child processes
def child_generate(persons: int, cache: Path) -> None:
    """Generate the demo district and cache its facts as Parquet (one file per table)."""
    from jiuye.demo.base import DemoConfig
    from jiuye.demo.district import generate

    data = generate(DemoConfig(district="jinshan", persons=persons, seed=1))
    cache.mkdir(parents=True, exist_ok=True)
    for name, frame in data.facts.tables().items():
        frame.write_parquet(cache / f"{name}.parquet")
    (cache / "config.json").write_text(
        json.dumps({"window_start": str(data.config.window_start), "window_end": str(data.config.window_end)})
    )


def child_engine(cache: Path, repeat: int) -> None:
    """Load cached facts, then time evaluate_facts over the 24 months; print one JSON line."""
    import polars as pl

    from jiuye.rules import evaluate_facts
    from jiuye.rules.facts import Facts

    config = json.loads((cache / "config.json").read_text())
    facts = Facts(**{p.stem: pl.read_parquet(p) for p in sorted(cache.glob("*.parquet"))})
    w0 = dt.date.fromisoformat(config["window_start"])
    w1 = dt.date.fromisoformat(config["window_end"])
    facts_rss = current_rss_mb()
    times = []
    lines = 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = evaluate_facts(facts, w0, w1)
        times.append(time.perf_counter() - started)
        lines = result.entitlements.height
        del result
    print(json.dumps({
        "persons": facts.persons.height, "insurance_rows": facts.social_insurance.height,
        "times": times, "lines": lines, "facts_rss_mb": facts_rss, "peak_rss_mb": peak_rss_mb(),
    }))  # fmt: skip


def child_per_measure(cache: Path) -> None:
    """Diagnostic: each measure alone over the cached facts (where does the time go?)."""
    import polars as pl

    from jiuye.rules import evaluate_facts
    from jiuye.rules.catalog import all_measures
    from jiuye.rules.facts import Facts

    config = json.loads((cache / "config.json").read_text())
    facts = Facts(**{p.stem: pl.read_parquet(p) for p in sorted(cache.glob("*.parquet"))})
    w0 = dt.date.fromisoformat(config["window_start"])
    w1 = dt.date.fromisoformat(config["window_end"])
    rows = []
    for m in all_measures():
        if not m.computable:
            continue
        started = time.perf_counter()
        lines = evaluate_facts(facts, w0, w1, measures=[m]).entitlements.height
        rows.append((time.perf_counter() - started, m.meta.id if hasattr(m, "meta") else str(m), lines))
    for seconds, name, lines in sorted(rows, reverse=True):
        print(f"{name:<8} {seconds:7.2f} s  {lines:>9,} lines")


# --------------------------------------------------------------------------- benchmarks
def bench_population(sizes: list[int], cache_root: Path, repeat: int) -> list[dict[str, float]]:
    rows = []
    for n in sizes:
        cache = cache_root / f"jinshan-{n}-seed1"
        if not (cache / "config.json").exists():
            started = time.perf_counter()
            subprocess.run([PYTHON, __file__, "_generate", str(n), str(cache)], check=True)
            print(f"generated {n:,} people in {time.perf_counter() - started:.1f} s (not timed below)", flush=True)
        out = subprocess.run([PYTHON, __file__, "_engine", str(cache), str(repeat)], check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        r = json.loads(out.strip().splitlines()[-1])
        row = {"persons": r["persons"], "insurance_rows": r["insurance_rows"], "first_s": r["times"][0],
               "best_s": min(r["times"]), "lines": r["lines"], "facts_rss_mb": r["facts_rss_mb"],
               "peak_rss_mb": r["peak_rss_mb"]}  # fmt: skip
        rows.append(row)
        print(f"{n:>9,} people ({r['insurance_rows']:,} insurance rows): first {row['first_s']:.2f} s, "
              f"best of {repeat} {row['best_s']:.2f} s, {r['lines']:,} lines, facts {r['facts_rss_mb']:,.0f} MB, "
              f"peak RSS {r['peak_rss_mb']:,.0f} MB", flush=True)  # fmt: skip
    return rows


def bench_one_person(runs: int, case_file: Path = ONE_PERSON) -> dict[str, float]:
    from jiuye.rules import evaluate

    case = json.loads(case_file.read_text())
    for _ in range(20):  # warm-up: imports, parameter files, Polars plan caches
        evaluate(case)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        evaluate(case).to_json()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
    print(f"one-person case in-process ({runs} runs): p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms")
    return {"runs": runs, "p50_ms": p50, "p99_ms": p99, "max_ms": times[-1]}


def bench_cold(runs: int) -> dict[str, float]:
    jiuye = ROOT / ".venv" / "bin" / "jiuye"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([str(jiuye), "evaluate", str(ONE_PERSON)], capture_output=True)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"jiuye evaluate failed: {done.stderr.decode()}")
    med = statistics.median(times)
    print(f"cold start `jiuye evaluate` ({runs} runs): median {med:.2f} s, min {min(times):.2f} s, "
          f"max {max(times):.2f} s")  # fmt: skip
    return {"runs": runs, "median_s": med, "min_s": min(times), "max_s": max(times)}


ONE_CHILD = """
import json, sys, time, statistics
sys.path.insert(0, sys.argv[1])
from jiuye.rules import evaluate
case = json.load(open(sys.argv[2]))
for _ in range(10):
    evaluate(case).to_json()
wall, cpu = [], []
for _ in range(int(sys.argv[3])):
    t, c = time.perf_counter(), time.process_time()
    evaluate(case).to_json()
    wall.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
print(json.dumps({"wall": wall, "cpu": cpu}))
"""

BATCH_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from jiuye.rules.batch import Job, evaluate_many
from jiuye.rules.case import parse_case, parse_cases
case = json.load(open(sys.argv[2]))
out = {}
def each(n):  # each request parses its own case
    return [Job.of(parse_case(case)) for _ in range(n)]
def together(n):  # the gathering reads its cases together, as the server's batcher does (one GB 11643 query)
    return [Job.of(c) for c in parse_cases([case] * n)]
for n in [int(x) for x in sys.argv[3].split(",")]:
    evaluate_many([Job.of(parse_case(case))] * n)
    for key, read in ((str(n), each), (f"{n}/together", together)):
        wall, cpu = [], []
        for _ in range(int(sys.argv[4])):
            t, c = time.perf_counter(), time.process_time()
            [r.to_json() for r in evaluate_many(read(n))]
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        out[key] = {"wall": wall, "cpu": cpu}
print(json.dumps(out))
"""


def _pctl(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * len(ordered)) - 1)]


def bench_one_side_by_side(
    old: Path, runs: int, rounds: int, case_file: Path = ONE_PERSON
) -> dict[str, dict[str, float]]:
    """One person with explanations in-process, old tree and this tree in alternating child processes."""
    got: dict[str, dict[str, list[float]]] = {"old": {"wall": [], "cpu": []}, "new": {"wall": [], "cpu": []}}
    loads = []
    for _ in range(rounds):
        for name, tree in (("old", old), ("new", ROOT)):
            loads.append(os.getloadavg()[0])
            out = subprocess.run([PYTHON, "-c", ONE_CHILD, str(tree), str(case_file), str(runs)], check=True,
                                 capture_output=True, text=True, cwd="/").stdout  # fmt: skip
            r = json.loads(out.strip().splitlines()[-1])
            got[name]["wall"] += r["wall"]
            got[name]["cpu"] += r["cpu"]
    rows = {}
    for name, r in got.items():
        rows[name] = {"p50_ms": statistics.median(r["wall"]), "p99_ms": _pctl(r["wall"], 0.99),
                      "cpu_ms": statistics.median(r["cpu"]), "runs": len(r["wall"])}  # fmt: skip
    rows["load"] = {"min": min(loads), "max": max(loads)}
    o, n = rows["old"], rows["new"]
    print(f"one person in-process, {rounds} alternating rounds × {runs} runs (load {min(loads):.1f}–{max(loads):.1f}): "
          f"p50 old {o['p50_ms']:.1f} / new {n['p50_ms']:.1f} ms ({o['p50_ms'] / n['p50_ms']:.2f}×), "
          f"p99 old {o['p99_ms']:.1f} / new {n['p99_ms']:.1f} ms ({o['p99_ms'] / n['p99_ms']:.2f}×), "
          f"CPU old {o['cpu_ms']:.1f} / new {n['cpu_ms']:.1f} ms ({o['cpu_ms'] / n['cpu_ms']:.2f}×)")  # fmt: skip
    return rows


def bench_batched(sizes: list[int], runs: int, old: Path | None = None, rounds: int = 1) -> dict[str, dict[str, float]]:
    """N one-person cases (parse included) through one merged evaluation: time per call and per case; with
    ``old``, that tree and this one in alternating child processes (``rounds`` alternations), with ratios."""
    trees = [("old", old), ("new", ROOT)] if old is not None else [("new", ROOT)]
    keys = [k for n in sizes for k in (str(n), f"{n}/together")]
    got: dict[str, dict[str, dict[str, list[float]]]] = {name: {k: {"wall": [], "cpu": []} for k in keys}
                                                          for name, _ in trees}  # fmt: skip
    loads = []
    for _ in range(rounds):
        for name, tree in trees:
            loads.append(os.getloadavg()[0])
            out = subprocess.run([PYTHON, "-c", BATCH_CHILD, str(tree), str(ONE_PERSON), ",".join(map(str, sizes)),
                                  str(runs)], check=True, capture_output=True, text=True, cwd="/").stdout  # fmt: skip
            r = json.loads(out.strip().splitlines()[-1])
            for k in keys:
                one = r[k]
                if isinstance(one, list):  # an older tree's child reports wall times only
                    one = {"wall": one, "cpu": []}
                got[name][k]["wall"] += one["wall"]
                got[name][k]["cpu"] += one["cpu"]
    rows = {}
    for k in keys:
        n = int(k.split("/")[0])
        new = got["new"][k]
        rows[k] = {"p50_ms": statistics.median(new["wall"]), "per_case_ms": statistics.median(new["wall"]) / n,
                   "load": min(loads)}  # fmt: skip
        read = "parse_cases of all" if k.endswith("/together") else "parse_case of each"
        text = (f"{n:>4} one-person cases merged ({read} + evaluate + split + to_json): p50 {rows[k]['p50_ms']:.1f} "
                f"ms per call, {rows[k]['per_case_ms']:.2f} ms per case")  # fmt: skip
        if old is not None:
            o = got["old"][k]
            ow, nw = statistics.median(o["wall"]), rows[k]["p50_ms"]
            text += f"; old {ow:.1f} ms ({ow / nw:.2f}×)"
            if o["cpu"] and new["cpu"]:
                oc, nc = statistics.median(o["cpu"]), statistics.median(new["cpu"])
                text += f", CPU old {oc:.1f} / new {nc:.1f} ms ({oc / nc:.2f}×)"
        print(text + f" (load {min(loads):.1f}–{max(loads):.1f})")
    return rows


# --------------------------------------------------------------------------- RESULTS.md
def write_results(
    command: str, host: str, population: list[dict[str, float]], one: dict[str, float] | None,
    cold: dict[str, float] | None,
) -> None:
    lines = [
        START,
        "## Rules engine (issue 2 item 6) — `bench/engine.py`",
        "",
        f"Command: `{command}`  ",
        f"Machine: {host}; measured {dt.date.today()} (shared container: other helpers' tests may run at the "
        "same time, so these are upper bounds).  Population: `jiuye.demo` (Jinshan, seed 1, 24 months "
        "of insurance, every planted situation), facts loaded from Parquet before timing.",
        "",
    ]
    if population:
        lines += [
            "| people | insurance rows | `evaluate_facts`, all measures, 24 months (first / best) | per 100k people "
            "| entitlement lines | facts in memory | peak RSS | target |",
            "|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in population:
            target = "≤ 10 s, ≤ 6 GB" if r["persons"] >= 1_000_000 else ""
            lines.append(
                f"| {r['persons']:,.0f} | {r['insurance_rows']:,.0f} | {r['first_s']:.2f} s / {r['best_s']:.2f} s "
                f"| {r['best_s'] / r['persons'] * 100_000:.2f} s | {r['lines']:,.0f} | {r['facts_rss_mb']:,.0f} MB "
                f"| {r['peak_rss_mb']:,.0f} MB | {target} |"
            )
        if len(population) > 1:
            a, b = population[0], population[-1]
            ratio = (b["best_s"] / a["best_s"]) / (b["persons"] / a["persons"])
            lines += ["", f"Growth {a['persons']:,.0f} → {b['persons']:,.0f} people: time × "
                      f"{b['best_s'] / a['best_s']:.1f} for people × {b['persons'] / a['persons']:.0f} "
                      f"(time per person at the largest size / at the smallest = {ratio:.2f}; 1.00 = linear)."]  # fmt: skip
    if one is not None:
        lines += ["", f"One-person case (`examples/case-one-person.json`) through `jiuye.rules.evaluate` in-process, "
                  f"with explanations, {one['runs']:.0f} runs after 20 warm-up runs: **p50 {one['p50_ms']:.2f} ms, "
                  f"p99 {one['p99_ms']:.2f} ms** (max {one['max_ms']:.2f} ms); target p50 ≤ 10 ms, p99 ≤ 30 ms."]  # fmt: skip
    if cold is not None:
        lines += ["", f"Cold start `jiuye evaluate examples/case-one-person.json` (new process each time, "
                  f"{cold['runs']:.0f} runs): **median {cold['median_s']:.2f} s** (min {cold['min_s']:.2f} s, "
                  f"max {cold['max_s']:.2f} s); target ≤ 1.5 s."]  # fmt: skip
    lines.append(END)
    update_section("\n".join(lines))


def update_section(section: str, start: str = START, end: str = END) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end):]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"updated {RESULTS}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_generate":
        child_generate(int(sys.argv[2]), Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_per_measure":
        child_per_measure(Path(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_engine":
        child_engine(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 250_000, 500_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="engine runs per size (first and best reported)")
    parser.add_argument("--runs", type=int, default=1000, help="one-person runs")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "jiuye-bench-facts")
    parser.add_argument("--skip-one", action="store_true")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--write-results", action="store_true", help="update this benchmark's section of RESULTS.md")
    parser.add_argument("--one-old", type=Path, help="one person side by side against this tree (e.g. a7e6166)")
    parser.add_argument("--rounds", type=int, default=3, help="old/new alternations for --one-old")
    parser.add_argument("--batched", type=int, nargs="*", default=[], help="merged one-person cases per call")
    parser.add_argument("--case", type=Path, default=ONE_PERSON,
                        help="the one-person case of (2) and --one-old (default examples/case-one-person.json)")
    args = parser.parse_args()
    host = machine()
    print(host, flush=True)
    population = bench_population(args.sizes, args.cache, args.repeat) if args.sizes else []
    if args.one_old:
        bench_one_side_by_side(args.one_old, args.runs, args.rounds, args.case)
    if args.batched:
        bench_batched(args.batched, max(5, args.runs // 10), args.one_old, args.rounds if args.one_old else 1)
    one = None if args.skip_one else bench_one_person(args.runs, args.case)
    cold = None if args.skip_cold else bench_cold(args.cold_runs)
    if args.write_results:
        command = "python bench/engine.py " + " ".join(sys.argv[1:])
        write_results(command.strip(), host, population, one, cold)


if __name__ == "__main__":
    main()
