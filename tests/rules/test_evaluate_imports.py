"""A cold ``jiuye evaluate`` loads only what evaluating needs (issue 11, cold start ≤ 0.8 s): no database,
web, migration or spreadsheet library on that path.  The timing itself lives in bench/side_by_side.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "fastapi", "starlette", "alembic", "openpyxl", "xlsxwriter", "psycopg", "jinja2",
         "procrastinate", "uvicorn", "faker", "pandas", "pyarrow")  # fmt: skip
PROGRAM = """
import contextlib, io, json, sys
from jiuye.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    status = main(["evaluate", sys.argv[1]])
json.loads(out.getvalue())
print(json.dumps({"status": status, "modules": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def test_evaluate_imports_no_database_web_or_spreadsheet_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(ROOT / "examples" / "case-one-person.json")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == 0
    loaded = set(report["modules"])
    assert "polars" in loaded  # the probe does see what is imported
    assert sorted(loaded & set(HEAVY)) == []
