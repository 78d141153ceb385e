"""One worker of the concurrency test (``test_concurrency.py``): loops one role until the deadline.

    python tests/ledger/churn.py URL ROLE SECONDS OUT_DIR

Roles: ``match`` (alternates facts in which half of the people lose their later months, so lines flip
between found, withdrawn and review), ``approve`` (bulk approval and review of lines sent back),
``pay`` and ``reverse`` (clawback or bank return of a random payment).  Expected refusals (nothing to pay,
an illegal move, a lock timeout or serialisation failure) are counted, not fatal.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl
import sqlalchemy as sa

from jiuye.db import write_session
from jiuye.errors import UserError
from jiuye.ledger.models import entitlements, payments
from jiuye.ledger.service import approve_month, bank_return, pay, reverse, review
from jiuye.matching.service import run_match
from jiuye.matching.sources import FramesSource
from jiuye.rules.catalog import get_measure
from tests.factories.matching import js02_population

DEC = dt.date(2023, 12, 1)
PEOPLE = 30


def main(url: str, role: str, seconds: float, out: Path) -> int:
    rng = random.Random(f"{role}{url}")
    full = js02_population(PEOPLE)
    half = full.social_insurance.filter(
        (pl.col("person").str.slice(-1).cast(pl.Int64) % 2 == 0) | (pl.col("month") <= dt.date(2023, 6, 1))
    )
    variants = [full, replace(full, social_insurance=half)]
    deadline = time.monotonic() + seconds
    done = refused = 0
    i = 0
    while time.monotonic() < deadline:
        i += 1
        try:
            if role == "match":
                facts = variants[i % 2]
                run_match(partial(write_session, url), lambda _s, f=facts: FramesSource(f), dt.date(2023, 1, 1), DEC,
                          measures=(get_measure("JS-02"),), chunk_size=7)  # fmt: skip
            elif role == "approve":
                with write_session(url) as s:
                    approve_month(s, DEC, "核准员")
                    again = s.execute(sa.select(entitlements.c.id).where(entitlements.c.state == "review")).scalars().all()
                for eid in rng.sample(list(again), min(3, len(again))):
                    with write_session(url) as s:
                        review(s, int(eid), "approve", "审核员", "复核通过")
            elif role == "pay":
                with write_session(url) as s:
                    pay(s, DEC, "出纳", out / f"p{i}")
            elif role == "reverse":
                with write_session(url) as s:
                    ids = s.execute(sa.select(payments.c.id).where(payments.c.state == "paid")).scalars().all()
                if ids:
                    pid = int(rng.choice(list(ids)))
                    with write_session(url) as s:
                        if rng.random() < 0.5:
                            reverse(s, pid, "出纳", "追回")
                        else:
                            bank_return(s, pid, "出纳", "退票")
            done += 1
        except (UserError, sa.exc.OperationalError, sa.exc.DBAPIError):
            refused += 1
    print(f"{role}: {done} done, {refused} refused")
    return 0 if done else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), Path(sys.argv[4])))
