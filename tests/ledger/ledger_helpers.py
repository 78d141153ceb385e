"""Shared helpers for ledger tests: a JS-02 population matched and approved into the ledger."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import sqlalchemy as sa

from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlements, payments
from jiuye.ledger.service import approve_month
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource
from jiuye.rules.catalog import get_measure
from jiuye.rules.facts import Facts
from tests.factories.matching import js02_population

JS02 = (get_measure("JS-02"),)
ROOT = Path(__file__).resolve().parents[2]


def match(url: str, facts: Facts, month_from: dt.date, month_to: dt.date, chunk_size: int = 500) -> None:
    run_match(partial(write_session, url), lambda _s: FramesSource(facts), month_from, month_to,
              measures=JS02, chunk_size=chunk_size)  # fmt: skip


def seed_approved(url: str, people: int, month_to: dt.date = dt.date(2023, 12, 1)) -> int:
    match(url, js02_population(people), dt.date(2023, 1, 1), month_to)
    with write_session(url) as s:
        return sum(approve_month(s, month_to, "测试员").values())


def count(url: str, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with get_engine(url).connect() as c:
        return int(c.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())


def jiuye(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JIUYE_DATABASE_URL": url, "JIUYE_USER": "测试员"}
    return subprocess.Popen([sys.executable, "-m", "jiuye.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def paid_exactly_once(url: str, lines: int) -> None:
    assert count(url, payments) == lines
    assert count(url, payments, payments.c.state == "paid") == lines
    assert count(url, entitlements, entitlements.c.state == "paid") == lines
    assert count(url, entitlements, entitlements.c.state != "paid") == 0
    with get_engine(url).connect() as c:
        dup = c.execute(
            sa.select(payments.c.entitlement_id)
            .group_by(payments.c.entitlement_id)
            .having(sa.func.count() > 1)
        ).all()
    assert not dup
