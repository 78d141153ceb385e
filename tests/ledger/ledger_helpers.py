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


def account_for(i: int) -> str:
    """A plausible UnionPay card number (19 digits, Luhn) for the i-th test person."""
    from jiuye.rules.identifiers import luhn_check_digit

    body = f"622202{i:012d}"
    return body + luhn_check_digit(body)


def give_accounts(url: str, ids: list[str], accounts: dict[str, str | None] | None = None) -> None:
    """Registry persons for the synthetic beneficiaries ``ids`` with bank accounts (pay needs one)."""
    from jiuye.registry.models import TABLES, audit_values

    persons = TABLES["persons"]
    with write_session(url) as s:
        existing = set(s.execute(sa.select(persons.c.id_number)).scalars())
        rows = [
            {"id_number": p, "name": f"测试{i}", "birth_date": dt.date(1993, 5, 1), "gender": "male",
             "hukou_agricultural": False, "bank_account": (accounts or {}).get(p, account_for(i)),
             **audit_values("测试")}
            for i, p in enumerate(ids) if p not in existing
        ]  # fmt: skip
        if rows:
            s.execute(sa.insert(persons), rows)


def match(url: str, facts: Facts, month_from: dt.date, month_to: dt.date, chunk_size: int = 500) -> None:
    run_match(partial(write_session, url), lambda _s: FramesSource(facts), month_from, month_to,
              measures=JS02, chunk_size=chunk_size)  # fmt: skip


def seed_approved(url: str, people: int, month_to: dt.date = dt.date(2023, 12, 1)) -> int:
    facts = js02_population(people)
    give_accounts(url, facts.persons["id"].to_list())
    match(url, facts, dt.date(2023, 1, 1), month_to)
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
