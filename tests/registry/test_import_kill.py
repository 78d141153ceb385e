"""Kill -9 in the middle of a large import leaves the database exactly as it was."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from jiuye.rules.identifiers import id_check_char

from .test_import import PERSON_HEADER, count, person, run, snapshot, write_csv
from .test_import_bulk import catalog

ROWS = 150_000


def big_persons_csv(path: Path, rows: int) -> Path:
    """``rows`` valid, distinct persons, built column-wise: birth dates cycle over 20,000 days and the
    order code over the cycles; the check digit comes from the vectorised GB 11643 expression (which
    test_import_files holds to :mod:`jiuye.rules.identifiers`)."""
    k = pl.col("k")
    frame = (
        pl.DataFrame({"k": pl.int_range(0, rows, eager=True)})
        .with_columns(
            (pl.lit(dt.date(1950, 1, 1)) + pl.duration(days=k % 20000)).alias("born"),
            ((k // 20000) * 2 + k % 2).alias("order"),
        )
        .with_columns(
            pl.format(
                "310116{}{}", pl.col("born").dt.strftime("%Y%m%d"), pl.col("order").cast(pl.String).str.pad_start(3, "0")
            ).alias("first17")
        )
    )
    frame.select(
        (pl.col("first17") + id_check_char(pl.col("first17"))).alias("身份证号码"),
        pl.format("人{}", k).alias("姓名"),
        pl.col("born").dt.strftime("%Y-%m-%d").alias("出生日期"),
        pl.when(pl.col("order") % 2 == 1).then(pl.lit("男")).otherwise(pl.lit("女")).alias("性别"),
        pl.lit("金山区").alias("户籍所在区"),
        pl.lit("朱泾镇").alias("户籍所在街镇"),
        pl.lit("否").alias("原农业户籍"),
    ).write_csv(path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("seeded", [True, False], ids=["update-path", "empty-table-path"])
def test_kill_9_during_import_leaves_database_unchanged(migrated_db_url: str, tmp_path: Path, seeded: bool) -> None:
    # With existing rows the import goes through staging tables (and would update some rows); into an
    # empty table it writes straight into the table.  Both must vanish with the killed transaction.
    existing = [person(i) for i in range(50)] if seeded else []
    if seeded:
        assert run(migrated_db_url, write_csv(tmp_path / "seed.csv", PERSON_HEADER, existing)) == 0
    before = snapshot(migrated_db_url)
    indexes_before = catalog(migrated_db_url)

    path = big_persons_csv(tmp_path / "big.csv", ROWS)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jiuye.cli", "import", str(path), "--db", migrated_db_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    seen: list[str] = []
    killed = False
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 120
        for line in proc.stderr:
            seen.append(line)
            # The first progress line of the write phase: rows are being written inside the transaction.
            if line.startswith("写入 ") and "/" in line:
                assert proc.poll() is None
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            assert time.monotonic() < deadline, "import did not reach the write phase"
    finally:
        if not killed and proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert killed, "never saw the write phase begin:\n" + "".join(seen)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)

    after = snapshot(migrated_db_url)
    assert after == before
    # the empty-table path drops secondary indexes and constraints for the load: they are back too
    assert catalog(migrated_db_url) == indexes_before
    assert count(migrated_db_url, "persons") == len(existing)
    # And the database is still usable: a small import over the same rows completes.
    more = [person(i) for i in range(40, 60)]
    assert run(migrated_db_url, write_csv(tmp_path / "more.csv", PERSON_HEADER, more), "-q") == 0
    assert count(migrated_db_url, "persons") == (60 if seeded else 20)
