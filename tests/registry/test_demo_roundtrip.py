"""Issue 3 done-means: demo-data → export → import into an empty database → export gives identical files.

The first database is a SQLite file; the second is the `migrated_db_url` database, so the import and the
second export run on SQLite and on PostgreSQL.  Empty tables (villages) export header-only and must
import back without complaint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuye.cli import main
from jiuye.db import load_models
from jiuye.registry.importing.validate import importable_tables


@pytest.mark.slow
def test_demo_export_import_export_is_identical(migrated_db_url: str, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    assert main(["db", "upgrade", "--db", source]) == 0
    assert main(["demo-data", "--district", "chongming", "--persons", "600", "--seed", "7", "-q", "--db", source]) == 0
    load_models()
    tables = list(importable_tables())
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    for table in tables:
        assert main(["export", table, "--format", "csv", "--out", str(first / f"{table}.csv"), "--unmasked", "--reason", "测试",
                     "--db", source]) == 0  # fmt: skip
    assert main(["import", *[str(first / f"{t}.csv") for t in tables], "-q", "--db", migrated_db_url]) == 0
    for table in tables:
        assert main(["export", table, "--format", "csv", "--out", str(second / f"{table}.csv"), "--unmasked", "--reason", "测试",
                     "--db", migrated_db_url]) == 0  # fmt: skip
    for table in tables:
        assert (first / f"{table}.csv").read_bytes() == (second / f"{table}.csv").read_bytes(), table
    assert (first / "social_insurance.csv").stat().st_size > 10_000  # a real district, not empty files
