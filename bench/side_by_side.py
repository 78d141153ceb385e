"""Benchmark (issue 11): today's code and the new code side by side, in ONE run, on the same input.

    git worktree add /tmp/old <commit-before-the-change>
    .venv/bin/python bench/side_by_side.py --old /tmp/old --new . [--case case20k.json] [--repeat 3]

Each measurement alternates old and new (old, new, old, new …) so that the load of the shared machine hits
both alike; every row reports both medians and the ratio old / new.  Measured:

1. ``jiuye evaluate CASE --no-explain``, whole process (wall, CPU, peak RSS of the child);
2. ``evaluate_facts`` alone, all measures, on the case's facts (in a child; parse not timed);
3. one person with explanations in-process (``examples/case-one-person.json``): p50 / p99;
4. cold start ``jiuye evaluate examples/case-one-person.json``;
5. the 20k case read and evaluated **with** explanations in-process (``evaluate_facts(…, explain=True)`` and
   the JSON written: ``output.write_result`` streamed as the CLI does where the tree has it, else the whole
   ``result_text``; the CLI refuses explanations above ``MAX_EXPLAINED_SUBJECTS`` before this): wall, peak RSS;
6. all measures, 24 months, N people in memory (``--sizes``; facts from a Parquet cache written by
   ``bench/engine.py``'s generator child, not timed): ``evaluate_facts`` wall and the child's peak RSS.

The 20k-person case is written by ``--make-case N`` from the demo generator (Jinshan, seed 1) through the
case writer (``jiuye.rules.case.case_to_json``, exact decimals through ``jiuye.rules.jsonio``).  Children
run with bytecode caching on (``PYTHONPYCACHEPREFIX`` under /tmp; a warm-up run first) as an installed
package would; the container sets ``PYTHONDONTWRITEBYTECODE=1``, which would add the compilation of every
module to each cold start.  Timings never go into tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ONE_PERSON = ROOT / "examples" / "case-one-person.json"


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
    "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "jiuye-bench-pycache")
}


def run_in(tree: Path, code: str, *args: str) -> tuple[float, float, float, str]:
    """Run ``code`` with ``tree`` first on sys.path (cwd /); return wall s, CPU s, peak RSS MB, stdout."""
    prog = f"import sys; sys.path.insert(0, {str(tree)!r}); sys.argv = ['x', *sys.argv[1:]]\n{code}"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:  # files, not pipes: no deadlock
        started = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-c", prog, *args], stdout=out, stderr=err, cwd="/", env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0), err.seek(0)
        text, problems = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed in {tree}: {problems[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


CLI = "from jiuye.cli import main; sys.exit(main())"
ENGINE = """
import time, datetime as dt
from jiuye.rules.case import load_case_text, parse_case
from jiuye.rules.engine import evaluate_facts
case = parse_case(load_case_text(open(sys.argv[1], encoding='utf-8').read()))
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    r = evaluate_facts(case.facts, case.window_from, case.window_to, case.parameters)
    times.append(time.perf_counter() - t)
print(min(times), r.entitlements.height)
"""
ONE = """
import time, json, statistics
from jiuye.rules import evaluate
case = json.load(open(sys.argv[1]))
for _ in range(20):
    evaluate(case).to_json()
times = []
cpu = []
for _ in range(int(sys.argv[2])):
    t, c = time.perf_counter(), time.process_time()
    evaluate(case).to_json()
    times.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
times.sort()
print(statistics.median(times), times[min(len(times) - 1, round(0.99 * len(times)) - 1)], statistics.median(cpu))
"""

EXPLAIN = """
import time, resource
from jiuye.rules.engine import evaluate_facts
from jiuye.rules import output
from jiuye.rules import case as reader
data = open(sys.argv[1], 'rb').read()
t = time.perf_counter()
read = getattr(reader, 'read_case', None)
case = read(data) if read else reader.parse_case(reader.load_case_bytes(data))
t_read = time.perf_counter() - t
result = evaluate_facts(case.facts, case.window_from, case.window_to, parameters=case.parameters, explain=True)
write = getattr(output, 'write_result', None)
if write is None:  # trees before the streamed writer: the whole text at once
    size = len(output.result_text(result, indent=2).encode())
else:  # what the CLI runs: explanations written a slice at a time
    class Sink:
        size = 0
        def write(self, b):
            Sink.size += len(b)
    write(result, Sink(), indent=2)
    size = Sink.size
wall = time.perf_counter() - t
print(wall, t_read, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, size)
"""
POPULATION = """
import time, json, resource, datetime as dt
from pathlib import Path
import polars as pl
from jiuye.rules.engine import evaluate_facts
from jiuye.rules.facts import Facts
cache = Path(sys.argv[1])
config = json.loads((cache / 'config.json').read_text())
facts = Facts(**{p.stem: pl.read_parquet(p) for p in sorted(cache.glob('*.parquet'))})
w0, w1 = (dt.date.fromisoformat(config[k]) for k in ('window_start', 'window_end'))
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    lines = evaluate_facts(facts, w0, w1).entitlements.height
    times.append(time.perf_counter() - t)
print(min(times), lines, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, default=ROOT)
    parser.add_argument("--case", type=Path, default=Path("/tmp/jiuye-case-20000.json"))
    parser.add_argument("--make-case", type=int, default=20_000, help="people in the generated case")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200, help="one-person runs")
    parser.add_argument("--explain-case", type=Path, default=Path("/tmp/jiuye-case-2000.json"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--facts-cache", type=Path, default=Path(tempfile.gettempdir()) / "jiuye-bench-facts")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["cli", "explain", "explain20k", "engine", "one", "cold", "population"])  # fmt: skip
    args = parser.parse_args()
    old, new = args.old.resolve(), args.new.resolve()
    if not args.case.exists():
        from jiuye.demo.base import DemoConfig
        from jiuye.demo.district import generate
        from jiuye.rules.case import case_to_json

        data = generate(DemoConfig(district="jinshan", persons=args.make_case, seed=1))
        doc = case_to_json(data.facts, data.config.window_start, data.config.window_end, {})
        from jiuye.rules.jsonio import dumps

        args.case.write_text(dumps(doc, indent=None))  # exact decimal amounts (str() would make them text)
    print(f"load average at start: {os.getloadavg()}; nproc {os.cpu_count()}; case {args.case}", flush=True)
    rows: list[str] = []
    for tree in (old, new):  # bytecode for both trees before anything is timed
        run_in(tree, CLI, "evaluate", str(ONE_PERSON))

    def report(name: str, o: list[float], n: list[float], unit: str = "s") -> None:
        line = f"| {name} | {med(o):.3f} {unit} | {med(n):.3f} {unit} | {med(o) / med(n):.2f}× | {load()} |"
        rows.append(line)
        print(line, flush=True)

    if "cli" not in args.skip:
        ow, oc, om, nw, nc, nm = [], [], [], [], [], []
        outputs = {}
        for _ in range(args.repeat):
            for tree, w, c, m in ((old, ow, oc, om), (new, nw, nc, nm)):
                wall, cpu, rss, out = run_in(tree, CLI, "evaluate", str(args.case), "--no-explain", "--indent", "0")
                w.append(wall), c.append(cpu), m.append(rss)
                outputs[tree] = out
        same = json.loads(outputs[old]) == json.loads(outputs[new])
        report("`jiuye evaluate` case --no-explain, wall", ow, nw)
        report("… CPU (user+sys)", oc, nc)
        report("… peak RSS", om, nm, "MB")
        print(f"outputs identical: {same}", flush=True)
        rows.append(f"| … outputs identical (parsed JSON) | | | {same} | |")
    if "explain" not in args.skip:
        ow, oc, om, nw, nc, nm = [], [], [], [], [], []
        texts = {}
        for _ in range(max(1, args.repeat - 1)):
            for tree, w, c, m in ((old, ow, oc, om), (new, nw, nc, nm)):
                wall, cpu, rss, out = run_in(tree, CLI, "evaluate", str(args.explain_case))
                w.append(wall), c.append(cpu), m.append(rss)
                texts[tree] = out
        report(f"`jiuye evaluate` {args.explain_case.name} with explanations, wall", ow, nw)
        report("… CPU (user+sys)", oc, nc)
        report("… peak RSS", om, nm, "MB")
        rows.append(f"| … output text identical (bytes) | | | {texts[old] == texts[new]} | |")
        print(rows[-1], flush=True)
    if "engine" not in args.skip:
        ot, nt = [], []
        for _ in range(args.repeat):
            ot.append(float(run_in(old, ENGINE, str(args.case), "2")[3].split()[0]))
            nt.append(float(run_in(new, ENGINE, str(args.case), "2")[3].split()[0]))
        report("`evaluate_facts` on the case's facts (best of 2 per child)", ot, nt)
    if "one" not in args.skip:
        o = run_in(old, ONE, str(ONE_PERSON), str(args.runs))[3].split()
        n = run_in(new, ONE, str(ONE_PERSON), str(args.runs))[3].split()
        report("one person with explanations in-process, p50", [float(o[0])], [float(n[0])], "ms")
        report("… p99", [float(o[1])], [float(n[1])], "ms")
        report("… CPU per evaluation (median; all threads)", [float(o[2])], [float(n[2])], "ms")
    if "cold" not in args.skip:
        oc2, nc2 = [], []
        for _ in range(args.repeat + 2):
            oc2.append(run_in(old, CLI, "evaluate", str(ONE_PERSON))[0])
            nc2.append(run_in(new, CLI, "evaluate", str(ONE_PERSON))[0])
        report("cold start `jiuye evaluate` one person", oc2, nc2)
    if "explain20k" not in args.skip:
        ow, om, nw, nm, o_read, n_read, oc, nc, sizes = [], [], [], [], [], [], [], [], {}
        for _ in range(max(1, args.repeat - 1)):
            for tree, w, m, r, c in ((old, ow, om, o_read, oc), (new, nw, nm, n_read, nc)):
                _, cpu, _, out = run_in(tree, EXPLAIN, str(args.case))
                wall, read, rss, chars = (float(x) for x in out.split())
                w.append(wall), m.append(rss), r.append(read), c.append(cpu)
                sizes[tree] = chars
        report(f"{args.case.name} read + evaluated **with** explanations + JSON written, in-process, wall", ow, nw)
        report("… of which reading the case", o_read, n_read)
        report("… CPU of the whole child (user+sys)", oc, nc)
        report("… peak RSS", om, nm, "MB")
        rows.append(f"| … output UTF-8 bytes | {sizes[old]:,.0f} | {sizes[new]:,.0f} | | |")
    if "population" not in args.skip:
        for n in args.sizes:
            cache = args.facts_cache / f"jinshan-{n}-seed1"
            if not (cache / "config.json").exists():
                subprocess.run([PYTHON, str(ROOT / "bench" / "engine.py"), "_generate", str(n), str(cache)], check=True,
                               env=CHILD_ENV)  # fmt: skip
            ot, om, nt, nm, lines = [], [], [], [], {}
            for _ in range(max(1, args.repeat - 2)):
                for tree, t, m in ((old, ot, om), (new, nt, nm)):
                    best, lines[tree], rss = run_in(tree, POPULATION, str(cache), "2")[3].split()
                    t.append(float(best)), m.append(float(rss))
            report(f"all measures, 24 months, {n:,} people in memory (`evaluate_facts`, best of 2), wall", ot, nt)
            report(f"… peak RSS ({n:,} people)", om, nm, "MB")
            rows.append(f"| … entitlement lines ({n:,} people) | {lines[old]} | {lines[new]} | | |")
    print(f"load average at end: {os.getloadavg()}")
    print("\n| measurement | old | new | old / new | load 1/5/15 min |\n|---|---:|---:|---:|---|\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
