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
            out[name] = _payments_of(frame, ids.get_column("k"))
        else:
            out[name] = frame
    return Facts(**out)


def _payments_of(payments: pl.DataFrame, persons: pl.Series) -> pl.DataFrame:
    """The payments whose subject or beneficiary is one of ``persons`` (a column: a chunk's 200,000 ids
    passed as a Python set and list cost ~0.7 s per chunk, even when there are no payments at all)."""
    if payments.is_empty():
        return payments
    keep = persons.implode()
    return payments.filter(pl.col("subject").is_in(keep) | pl.col("beneficiary").is_in(keep))


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
            out[name] = _payments_of(frame, pl.Series(persons, dtype=pl.String))
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
                self.shared["all"], self.shared["all_version"] = self._read_everything()
            everything: Facts = self.shared["all"]
            # chunks are slices of person_ids(), which is every registered person sorted
            return everything if persons is None else restrict_sorted_slice(everything, persons)
        facts = self._load(self.session, persons=persons)
        assert isinstance(facts, Facts)
        return facts

    def _read_everything(self) -> tuple[Facts, str | None]:
        """Every registry fact and the fingerprint of exactly the state they were read from.

        Both come from ONE snapshot (:func:`jiuye.db.frames.snapshot_reader`: PostgreSQL ``REPEATABLE READ``;
        a SQLite file through ADBC in a child process, one read transaction), so an import committing
        during the read can neither tear it (persons of one state, insurance of another) nor be named by
        a fingerprint the facts do not reflect.  Without such a reader (in-memory SQLite, ``JIUYE_NO_ADBC``)
        the session's own connection is used and the fingerprint is not known (None); on SQLite
        ``jiuye match`` holds the write lock for the chunk's transaction, so that read is one state too."""
        from jiuye.db.frames import snapshot_reader

        reader = snapshot_reader(self.session.get_bind())
        if reader is None:
            return self._load(self.session), None
        try:
            version = self.version(reader)  # the snapshot is taken by this first statement
            return self._load(self.session, reader=reader), version
        finally:
            reader.close()

    def read_version(self) -> str | None:
        """The fingerprint of the state the shared whole-registry read came from (None: not read, or
        read without a snapshot)."""
        return self.shared.get("all_version")

    def version(self, reader: Any = None) -> str:
        """A fingerprint of everything the facts are read from, cheap to compute (aggregates, no rows).

        Per registry table: row count, sum of ids (an insert or delete changes it: ids are never reused)
        and the latest ``updated_at`` (the import writer stamps every row it updates); plus the size and
        last id of ``change_log`` (one row per value an import changed) and of ``import_runs``.  Any change
        through the import writer changes the fingerprint; matching then reconciles every chunk again.

        ``reader``: compute it through that reader (inside its snapshot) instead of the session; both give
        the same text for the same state.
        """
        import hashlib

        import sqlalchemy as sa

        from jiuye.db.frames import read_frame
        from jiuye.registry.facts import FACTS_MAP
        from jiuye.registry.models import TABLES, change_log, import_runs

        def part(name: str, n: Any, s: Any, last: Any) -> Any:
            return sa.select(sa.literal(name).label("t"), sa.cast(n, sa.BigInteger).label("n"),
                             sa.cast(s, sa.BigInteger).label("s"), sa.cast(last, sa.String).label("m"))  # fmt: skip

        parts: list[Any] = []
        for name in sorted(FACTS_MAP):
            t = TABLES[name]
            parts.append(part(name, sa.func.count(), sa.func.coalesce(sa.func.sum(t.c.id), 0), sa.func.max(t.c.updated_at)))
        parts.append(part("change_log", sa.func.count(), sa.func.coalesce(sa.func.max(change_log.c.id), 0),
                          sa.func.max(change_log.c.changed_at)))  # fmt: skip
        parts.append(part("import_runs", sa.func.count(), sa.literal(0), sa.func.max(import_runs.c.started_at)))
        stmt = sa.select(sa.union_all(*parts).subquery("v"))
        dtypes = {"t": pl.String, "n": pl.Int64, "s": pl.Int64, "m": pl.String}
        frame = reader(stmt, dtypes) if reader is not None else read_frame(self.session.connection(), stmt, dtypes)
        rows = frame.sort("t").rows()
        text = "|".join(",".join(str(v) for v in r) for r in rows)
        return hashlib.sha256(text.encode()).hexdigest()
