"""What the public pages read of the bureau's settings on every request, kept between requests.

The self-check and the policy list need the 免申即享 settings, the measures of the bureau's own document and
the parameter values the bureau has set (dated, audited) — four queries and a schema inspection in an ORM
session, ≈ 3 ms on an idle machine and far more under load, on the event loop, for data that changes a few
times a year.  They are kept per database and used while one cheap query (:data:`_STAMP`, on a bare
connection) says nothing they are read from has changed — whichever process changed it (this server, another
worker, the CLI).  The stamp covers each source table (row count, and the newest id or ``set_at``) and the head
of the audit chain, which every change of a setting or a parameter moves in the same transaction — so even an
update that leaves counts and timestamps equal (two changes within one clock tick, a clock set back) is seen.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa

from jiuye.audit.models import audit_head
from jiuye.ledger.models import bureau_settings, policy_settings
from jiuye.parameters.models import parameter_values


def _count(table: sa.Table) -> Any:
    return sa.select(sa.func.count()).select_from(table).scalar_subquery()


def _newest(column: Any) -> Any:
    return sa.select(sa.func.max(column)).scalar_subquery()


_STAMP = sa.select(
    _count(policy_settings), _newest(policy_settings.c.set_at),
    _count(parameter_values), _newest(parameter_values.c.id),
    _count(bureau_settings), _newest(bureau_settings.c.set_at),
    _newest(audit_head.c.seq),
)  # fmt: skip


@dataclass(frozen=True)
class Bureau:
    """The bureau's settings as the public pages use them.  Shared between requests: read, never change."""

    settings: dict[str, Any]  # ledger.service.settings: policy → Setting (免申即享, confirmation)
    measures: list[Any]  # applications.service.bureau_measures: the measures of the bureau's document(s)
    overrides: dict[str, Any]  # parameters.service.stored_overrides: the values set on the parameters page


class _Kept(NamedTuple):
    stamp: tuple[Any, ...]  # read in the values' own transaction
    bureau: Bureau
    started: float  # when the check that wrote this began (time.monotonic)
    current: bool  # that check found the database's stamp equal to ``stamp``: current as of ``started``


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, _Kept] = {}  # replaced whole (one assignment): a reader never sees half of one
        self.reads = 0  # full reads (tests: a change is seen, an unchanged database is not read again)
        self.checks = 0  # stamp queries

    def get(self, url: str, since: float | None = None) -> Bureau:
        from jiuye.db import get_engine

        kept = self._kept.get(url)
        if kept is not None and since is not None and kept.current and kept.started >= since:
            return kept.bureau  # known current at a moment after ``since``: every change committed before is in it
        started = time.monotonic()  # what the stamp query sees is current at least as of this moment
        self.checks += 1
        try:
            with get_engine(url).connect() as conn:
                stamp = tuple(conn.execute(_STAMP).one())
        except sa.exc.DBAPIError:  # a database without one of the tables (not migrated yet): no keeping
            return self._read(url)[1]
        if kept is not None and kept.stamp == stamp:
            fresh = _Kept(stamp, kept.bureau, started, True)
        else:
            # the stamp read with the values, in their transaction: a change committed in between makes it
            # differ from ``stamp`` — not current, so the next caller checks again
            read_stamp, value = self._read(url)
            fresh = _Kept(read_stamp, value, started, read_stamp == stamp)
        with self._lock:
            latest = self._kept.get(url)
            if latest is None or latest.started <= started:  # never replace a later check by an earlier one
                self._kept[url] = fresh
        return fresh.bureau

    def _read(self, url: str) -> tuple[tuple[Any, ...], Bureau]:
        from jiuye.accounts.web import read_session
        from jiuye.applications.service import bureau_measures
        from jiuye.ledger.service import settings
        from jiuye.parameters.service import stored_overrides

        self.reads += 1
        with read_session(url) as s:
            try:
                stamp = tuple(s.execute(_STAMP).one())
            except sa.exc.DBAPIError:
                s.rollback()
                stamp = (object(),)  # never equal to a stamp read later
            return stamp, Bureau(settings(s), bureau_measures(s), stored_overrides(s))


CACHE = _Cache()


def bureau(url: str, since: float | None = None) -> Bureau:
    """The bureau's settings now (kept while unchanged); ``since`` (``time.monotonic()``, e.g. when a request
    arrived): the settings as of any moment after it — a check already made after it is not repeated."""
    return CACHE.get(url, since)
