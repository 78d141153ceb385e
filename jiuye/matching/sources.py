"""Where matching reads facts from, one chunk of people at a time.

A chunk is a set of persons with every row that refers to them (education, contracts, insurance …) and
the employers / organisations tables; organisation and employer measures run in one chunk of their own
over all facts.  :class:`RegistrySource` reads the registry database through
``jiuye.registry.facts.load_facts(connection, persons=ids)`` (persons=None: everything);
:class:`FramesSource` serves a :class:`~jiuye.rules.facts.Facts` held in memory (tests, cases).
"""

from __future__ import annotations

from typing import Any, Protocol

import polars as pl

from jiuye.rules.facts import Facts

PERSON_TABLES_KEY = {"persons": "id"}  # other tables refer to persons through a column named "person"


class FactsSource(Protocol):
    def person_ids(self) -> list[str]: ...

    def load(self, persons: list[str] | None) -> Facts: ...


def restrict(facts: Facts, persons: list[str]) -> Facts:
    """The facts of ``persons`` only (tables without a person column are kept whole)."""
    ids = pl.DataFrame({"k": persons}, schema={"k": pl.String})
    out: dict[str, pl.DataFrame] = {}
    for name, frame in facts.tables().items():
        if name == "persons":
            out[name] = frame.join(ids, left_on="id", right_on="k", how="semi")
        elif "person" in frame.columns:
            out[name] = frame.join(ids, left_on="person", right_on="k", how="semi")
        elif name == "payments":
            keep = set(persons)
            out[name] = frame.filter(
                pl.col("subject").is_in(list(keep)) | pl.col("beneficiary").is_in(list(keep))
            )
        else:
            out[name] = frame
    return Facts(**out)


def restrict_sorted_slice(facts: Facts, persons: list[str]) -> Facts:
    """:func:`restrict` for ``persons`` that are a contiguous slice of *all* the facts' persons sorted (a
    matching chunk of a whole-registry read, where every person reference names a registered person):
    a range filter on the person column, no hash join."""
    if not persons:
        return restrict(facts, persons)
    lo, hi = persons[0], persons[-1]

    def within(col: str) -> pl.Expr:
        return (pl.col(col) >= lo) & (pl.col(col) <= hi)

    out: dict[str, pl.DataFrame] = {}
    for name, frame in facts.tables().items():
        if name == "persons":
            out[name] = frame.filter(within("id"))
        elif "person" in frame.columns:
            out[name] = frame.filter(within("person"))
        elif name == "payments":
            out[name] = restrict(Facts(payments=frame), persons).payments
        else:
            out[name] = frame
    return Facts(**out)


class FramesSource:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def person_ids(self) -> list[str]:
        return sorted(self.facts.persons["id"].unique().to_list())

    def load(self, persons: list[str] | None) -> Facts:
        return self.facts if persons is None else restrict(self.facts, persons)


# A chunk of at least this many people is served from one whole-registry read shared by the run's chunks
# (one columnar extract is far cheaper than many selective reads of a large registry).
WHOLE_READ_FROM = 20_000


class RegistrySource:
    def __init__(self, session: Any) -> None:
        from jiuye.registry.facts import load_facts

        self._load = load_facts
        self.session = session
        self.shared: dict[str, Any] = {}

    def share(self, cache: dict[str, Any]) -> None:
        """Use ``cache`` (kept by the caller across the chunks of one run) for the whole-registry read."""
        self.shared = cache

    def person_ids(self) -> list[str]:
        import sqlalchemy as sa

        from jiuye.db.frames import read_frame
        from jiuye.registry.models import TABLES

        t = TABLES["persons"]
        ids = read_frame(self.session.connection(), sa.select(t.c.id_number), {"id": pl.String})["id"]
        return ids.sort().to_list()  # sorted here: the database's collation need not be code point order

    def load(self, persons: list[str] | None) -> Facts:
        if persons is None or len(persons) >= WHOLE_READ_FROM:
            if "all" not in self.shared:
                self.shared["all"] = self._load(self.session)
            everything: Facts = self.shared["all"]
            # chunks are slices of person_ids(), which is every registered person sorted
            return everything if persons is None else restrict_sorted_slice(everything, persons)
        facts = self._load(self.session, persons=persons)
        assert isinstance(facts, Facts)
        return facts

    def version(self) -> str:
        """A fingerprint of everything the facts are read from, cheap to compute (aggregates, no rows).

        Per registry table: row count, sum of ids (an insert or delete changes it: ids are never reused)
        and the latest ``updated_at`` (the import writer stamps every row it updates); plus the size and
        last id of ``change_log`` (one row per value an import changed) and of ``import_runs``.  Any change
        through the import writer changes the fingerprint; matching then reconciles every chunk again.
        """
        import hashlib

        import sqlalchemy as sa

        from jiuye.registry.facts import FACTS_MAP
        from jiuye.registry.models import TABLES, change_log, import_runs

        parts: list[Any] = []
        for name in sorted(FACTS_MAP):
            t = TABLES[name]
            parts.append(sa.select(sa.literal(name), sa.func.count(), sa.func.coalesce(sa.func.sum(t.c.id), 0),
                                   sa.cast(sa.func.max(t.c.updated_at), sa.String)))  # fmt: skip
        parts.append(sa.select(sa.literal("change_log"), sa.func.count(), sa.func.coalesce(sa.func.max(change_log.c.id), 0),
                               sa.cast(sa.func.max(change_log.c.changed_at), sa.String)))  # fmt: skip
        parts.append(sa.select(sa.literal("import_runs"), sa.func.count(), sa.literal(0),
                               sa.cast(sa.func.max(import_runs.c.started_at), sa.String)))  # fmt: skip
        rows = self.session.execute(sa.union_all(*parts)).all()
        text = "|".join(",".join(str(v) for v in r) for r in sorted(rows, key=lambda r: str(r[0])))
        return hashlib.sha256(text.encode()).hexdigest()
