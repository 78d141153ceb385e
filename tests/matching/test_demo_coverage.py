"""Issue 4 'done means': on a demo district, match → approve → pay → supervise → audit verify runs, and
every computable measure of the catalog appears in the results."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye.cli import main
from jiuye.db import get_engine
from jiuye.ledger.models import entitlements
from jiuye.rules.catalog import all_measures


def run(url: str, *args: str) -> int:
    return main([*args, "--db", url])


@pytest.mark.slow
def test_demo_districts_show_every_measure(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_db_url
    assert run(url, "demo-data", "--district", "jinshan", "--persons", "3000", "--seed", "1") == 0
    assert run(url, "demo-data", "--district", "chongming", "--persons", "2000", "--seed", "2") == 0
    assert run(url, "match", "--from", "2023-01", "--to", "2026-10") == 0
    with get_engine(url).connect() as conn:
        found = set(conn.execute(sa.select(entitlements.c.policy).distinct()).scalars())
    expected = {m.id for m in all_measures() if m.computable and m.meta.kind != "rule"}
    assert expected <= found, f"measures without a line on the demo districts: {sorted(expected - found)}"
    assert run(url, "approve", "--month", "2026-10", "--by", "测试员") == 0
    assert run(url, "pay", "--month", "2026-10", "--out", str(tmp_path)) == 0
    assert run(url, "supervise", "--by", "测试员") == 0
    capsys.readouterr()
    assert run(url, "audit", "verify") == 0
    assert "审计链完整" in capsys.readouterr().out
