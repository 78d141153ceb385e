"""Matching into the ledger: idempotence, change recording, withdrawal, arrears, resume (both databases)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import polars as pl
import sqlalchemy as sa

from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlement_changes, entitlements
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource
from jiuye.rules.catalog import get_measure
from jiuye.rules.facts import Facts
from tests.factories.matching import js02_population

JAN, MAR, DEC = dt.date(2023, 1, 1), dt.date(2023, 3, 1), dt.date(2023, 12, 1)
JS02 = (get_measure("JS-02"),)


def match(url: str, facts: Facts, month_from: dt.date, month_to: dt.date, chunk_size: int = 4) -> object:
    return run_match(partial(write_session, url), lambda _s: FramesSource(facts), month_from, month_to,
                     measures=JS02, chunk_size=chunk_size)  # fmt: skip


def ledger(url: str) -> list[tuple[object, ...]]:
    with get_engine(url).connect() as c:
        cols = [
            entitlements.c[k]
            for k in ("policy", "beneficiary", "subject", "month", "amount_fen", "amount_status", "state")
        ]
        return [tuple(r) for r in c.execute(sa.select(*cols).order_by(*cols[:4]))]


def changes(url: str) -> int:
    with get_engine(url).connect() as c:
        return int(c.execute(sa.select(sa.func.count()).select_from(entitlement_changes)).scalar_one())


def test_idempotent_and_changes(migrated_db_url: str) -> None:
    url = migrated_db_url
    facts = js02_population(10)
    match(url, facts, JAN, MAR)
    first = ledger(url)
    assert len(first) == 30 and {r[6] for r in first} == {"found"}
    match(url, facts, JAN, MAR)
    assert ledger(url) == first and changes(url) == 0

    # one person's February insurance now unpaid: exactly that line is withdrawn, with old/new recorded
    si = facts.social_insurance.with_columns(
        paid=~((pl.col("person") == "P00000003") & (pl.col("month") == dt.date(2023, 2, 1)))
    )
    changed = Facts(**(facts.tables() | {"social_insurance": si}))
    match(url, changed, JAN, MAR)
    after = ledger(url)
    diff = [(a, b) for a, b in zip(first, after, strict=True) if a != b]
    assert len(diff) == 1 and diff[0][1][1] == "P00000003" and diff[0][1][6] == "withdrawn"
    with get_engine(url).connect() as c:
        row = c.execute(sa.select(entitlement_changes)).mappings().one()
    assert row["old_state"] == "found" and row["new_state"] == "withdrawn" and "不再符合" in row["reason"]
    # the facts are corrected back: the line is found again, recorded
    match(url, facts, JAN, MAR)
    assert ledger(url) == first and changes(url) == 2


def test_arrears_of_earlier_months(migrated_db_url: str) -> None:
    """A window of March 2023 still stores January and February lines the facts show (arrears)."""
    match(migrated_db_url, js02_population(2), MAR, MAR)
    months = sorted({r[3] for r in ledger(migrated_db_url)})
    assert months == [JAN, dt.date(2023, 2, 1), MAR]


def test_cap_reads_ledger(migrated_db_url: str) -> None:
    """Lines already paid are not found again and still use up the 12-month cap."""
    url = migrated_db_url
    facts = js02_population(1)
    match(url, facts, JAN, DEC)
    assert len(ledger(url)) == 12
    match(url, facts, JAN, dt.date(2024, 3, 1))
    assert len(ledger(url)) == 12  # cap 12 months: nothing in 2024
