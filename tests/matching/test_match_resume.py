"""Issue 9 (8): a match interrupted, an import, then the resumed run — the first chunks were computed from
facts that no longer hold and must be evaluated again (both databases)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
import sqlalchemy as sa

from jiuye.db import get_engine, write_session
from jiuye.ledger.models import entitlements
from jiuye.matching.models import match_runs
from jiuye.matching.service import run_match
from jiuye.matching.sources import RegistrySource
from jiuye.registry.models import TABLES, audit_values
from jiuye.rules.catalog import get_measure
from tests.matching.test_cli_flow import PEOPLE, populate


class Killed(Exception):
    pass


def test_resumed_run_reevaluates_every_chunk_after_an_import(migrated_db_url: str) -> None:
    url = migrated_db_url
    populate(url)
    first = sorted(PEOPLE)[0]  # the first chunk (chunk size 1)

    def die_after_two(done: int, _total: int, _people: int) -> None:
        if done == 2:
            raise Killed

    go = partial(run_match, partial(write_session, url), RegistrySource, dt.date(2023, 1, 1), dt.date(2023, 3, 1),
                 measures=(get_measure("JS-02"),), chunk_size=1)  # fmt: skip
    with pytest.raises(Killed):
        go(progress=die_after_two)
    with get_engine(url).connect() as c:
        assert c.execute(sa.select(entitlements.c.state).where(entitlements.c.subject == first)).scalars().all() == [
            "found"] * 3  # fmt: skip
    insurance, persons = TABLES["social_insurance"], TABLES["persons"]
    with get_engine(url).begin() as c:  # an import: the first person's March contribution was not paid
        pid = c.execute(sa.select(persons.c.id).where(persons.c.id_number == first)).scalar_one()
        c.execute(sa.update(insurance).where(insurance.c.person_id == pid, insurance.c.month == dt.date(2023, 3, 1))
                  .values(paid=False, **audit_values("jiuye import", created=False)))  # fmt: skip
    result = go()
    assert result.resumed_from == 0
    with get_engine(url).connect() as c:
        march = c.execute(sa.select(entitlements.c.state).where(
            entitlements.c.subject == first, entitlements.c.month == dt.date(2023, 3, 1))).scalar_one()  # fmt: skip
        runs = c.execute(sa.select(match_runs.c.state).order_by(match_runs.c.id)).scalars().all()
    assert march == "withdrawn"
    assert runs == ["abandoned", "finished"]
