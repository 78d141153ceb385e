"""Skipping unchanged chunks on a re-run: only when the chunk's inputs (facts, payments, window,
parameters, code) are unchanged; ``full=True`` reconciles anyway (both databases)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import polars as pl
import sqlalchemy as sa

from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlements
from jiuye.matching.models import match_digests
from jiuye.matching.service import RunResult, frame_digest, run_match
from jiuye.matching.sources import FramesSource
from jiuye.rules.catalog import get_measure
from jiuye.rules.facts import Facts
from tests.factories.matching import js02_population

JAN, MAR = dt.date(2023, 1, 1), dt.date(2023, 3, 1)
JS02 = (get_measure("JS-02"),)


def match(url: str, facts: Facts, month_from: dt.date = JAN, month_to: dt.date = MAR, **kw: Any) -> RunResult:
    return run_match(partial(write_session, url), lambda _s: FramesSource(facts), month_from, month_to,
                     measures=JS02, chunk_size=4, **kw)  # fmt: skip


def lines(url: str) -> list[tuple[object, ...]]:
    with get_engine(url).connect() as c:
        cols = [entitlements.c[k] for k in ("policy", "subject", "month", "amount_fen", "state")]
        return [tuple(r) for r in c.execute(sa.select(*cols).order_by(*cols[:3]))]


def test_rerun_skips_only_unchanged_chunks(migrated_db_url: str) -> None:
    url = migrated_db_url
    facts = js02_population(10)  # 3 chunks of 4, 4, 2 people
    first = match(url, facts)
    assert first.totals.lines == 30 and first.totals.inserted == 30
    with get_engine(url).connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(match_digests)).scalar_one() == 3
    again = match(url, facts)
    assert again.totals.lines == 0 and again.totals.inserted == 0  # every chunk skipped
    full = match(url, facts, full=True)
    assert full.totals.lines == 30 and full.totals.inserted == 0 and full.totals.changed == 0

    # one person's February insurance unpaid: only that person's chunk is evaluated again
    si = facts.social_insurance.with_columns(
        paid=~((pl.col("person") == "P00000005") & (pl.col("month") == dt.date(2023, 2, 1)))
    )
    changed = Facts(**(facts.tables() | {"social_insurance": si}))
    r = match(url, changed)
    assert r.totals.lines == 11 and r.totals.withdrawn == 1  # only the chunk of P4…P7: 4 × 3 lines - 1
    assert [x for x in lines(url) if x[4] == "withdrawn"] == [("JS-02", "P00000005", dt.date(2023, 2, 1), 100000,
                                                               "withdrawn")]  # fmt: skip
    # a different window or different parameters are different inputs: nothing is skipped
    assert match(url, changed, JAN, JAN).totals.lines == 10
    assert match(url, changed, JAN, JAN).totals.lines == 0


def test_frame_digest_ignores_row_order_and_sees_values() -> None:
    f = pl.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]})
    assert frame_digest(f) == frame_digest(f.reverse())
    assert frame_digest(f) != frame_digest(f.with_columns(b=pl.lit("x")))
    assert frame_digest(f) != frame_digest(f.head(2))
    assert frame_digest(f) != frame_digest(f.cast({"a": pl.Int32}))
