"""The whole-registry read of matching is ONE snapshot, named by the fingerprint of that snapshot (both
databases).

An import that commits while the read is under way (here: between the read of ``persons`` and the read of
every other table, and between the run's fingerprint and the read) must not be seen by any part of the
read, and the fingerprint the read reports must be the one of the state it saw — otherwise a chunk's
lines would come from facts that never existed together, or be stored under a digest naming a state
they do not reflect.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import jiuye.db.frames as frames
from jiuye import db
from jiuye.cli import main
from jiuye.db import write_session
from jiuye.matching import sources
from jiuye.matching.models import match_runs
from jiuye.matching.service import run_match
from jiuye.matching.sources import RegistrySource
from jiuye.registry.facts import load_facts
from tests.registry.sample_data import P1, populate
from tests.registry.test_facts import assert_facts_equal
from tests.registry.test_import import PERSON_HEADER, person, write_csv


@pytest.fixture
def sample_url(migrated_db_url: str) -> str:
    with db.get_engine(migrated_db_url).begin() as conn:
        populate(conn)
    return migrated_db_url


def _import_people(url: str, folder: Path, first: int, n: int) -> None:
    """A real ``jiuye import`` (its own process-level transaction) of ``n`` new people."""
    path = write_csv(folder / f"人员{first}.csv", PERSON_HEADER, [person(i) for i in range(first, first + n)])
    assert main(["import", "--db", url, "-q", str(path)]) == 0


def _version(url: str) -> str:
    with db.session_scope(url) as s:
        return RegistrySource(s).version()


class _ImportDuringRead:
    """Wraps the snapshot reader: after its ``after``-th read, an import commits on another connection."""

    def __init__(self, url: str, folder: Path, after: int) -> None:
        self.url, self.folder, self.after = url, folder, after
        self.real = frames.snapshot_reader
        self.reads = 0
        self.readers = 0

    def __call__(self, bind: Any) -> Any:
        reader = self.real(bind)
        assert reader is not None, "a snapshot reader must exist for a file SQLite and for PostgreSQL"
        self.readers += 1
        outer = self

        class Wrapped:
            def __call__(self, stmt: Any, dtypes: dict[str, Any]) -> Any:
                frame = reader(stmt, dtypes)
                outer.reads += 1
                if outer.reads == outer.after:
                    _import_people(outer.url, outer.folder, 500 + outer.reads, 3)
                return frame

            def close(self) -> None:
                reader.close()

        return Wrapped()


def test_whole_read_is_one_snapshot_with_its_fingerprint(
    sample_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sample_url
    with db.session_scope(url) as s:
        before = load_facts(s)
    version_before = _version(url)
    # read 1 is the fingerprint, read 2 the persons; the import commits right after the persons were read
    hook = _ImportDuringRead(url, tmp_path, after=2)
    monkeypatch.setattr(frames, "snapshot_reader", hook)
    with db.session_scope(url) as s:
        source = RegistrySource(s)
        seen = source.load(None)
        seen_version = source.read_version()
    assert hook.readers == 1 and hook.reads > 5
    version_after = _version(url)
    assert version_after != version_before  # the import did commit, during the read
    assert seen_version == version_before  # the read names the state it saw …
    assert_facts_equal(seen, before)  # … and saw nothing of the import, in any table
    with db.session_scope(url) as s:
        assert load_facts(s).persons.height == before.persons.height + 3


def test_import_between_fingerprint_and_read_is_named_by_the_digests(
    sample_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run takes the registry's fingerprint in its first transaction; an import then commits before
    the first chunk reads the registry.  The lines come from the state after the import, and the stored
    digests name that state: a second run with no further change evaluates nothing again (were the digests
    to name the fingerprint taken before the import, it would evaluate every chunk again)."""
    url = sample_url
    month = dt.date(2023, 12, 1)
    monkeypatch.setattr(sources, "WHOLE_READ_FROM", 1)  # the whole-registry read, as for a large registry
    sessions: list[int] = []

    def session_factory() -> Any:
        sessions.append(1)
        if len(sessions) == 2:  # before the first chunk's transaction (which holds the write lock)
            path = write_csv(tmp_path / "人员改名.csv", PERSON_HEADER,
                             [[P1, "张三丰", "1990-05-01", "男", "金山区", "朱泾镇", "是"]])  # fmt: skip
            assert main(["import", "--db", url, "-q", str(path)]) == 0
        return write_session(url)

    version_before = _version(url)
    first = run_match(session_factory, RegistrySource, month, month, chunk_size=20_000)
    assert len(sessions) > 2 and first.totals.lines > 0
    assert _version(url) != version_before
    again = run_match(partial(write_session, url), RegistrySource, month, month, chunk_size=20_000)
    assert again.run_id != first.run_id  # the fingerprint changed since the first run began: a new run …
    assert again.totals.lines == 0  # … whose every chunk is skipped: the digests name the state read
    with db.get_engine(url).connect() as c:
        states = c.execute(sa.select(match_runs.c.state).order_by(match_runs.c.id)).scalars().all()
    assert states == ["finished", "finished"]
