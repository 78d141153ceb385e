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

from jiuye.errors import UserError
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


class FramesSource:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def person_ids(self) -> list[str]:
        return sorted(self.facts.persons["id"].unique().to_list())

    def load(self, persons: list[str] | None) -> Facts:
        return self.facts if persons is None else restrict(self.facts, persons)


class RegistrySource:
    def __init__(self, session: Any) -> None:
        try:
            from jiuye.registry.facts import load_facts
        except ImportError as exc:
            raise UserError(
                "登记库事实读取模块（jiuye.registry.facts）尚未安装，无法从登记库匹配。", 7
            ) from exc
        self._load = load_facts
        self.session = session

    def person_ids(self) -> list[str]:
        import sqlalchemy as sa

        from jiuye.registry.models import TABLES

        t = TABLES["persons"]
        return [str(r[0]) for r in self.session.execute(sa.select(t.c.id_number).order_by(t.c.id_number))]

    def load(self, persons: list[str] | None) -> Facts:
        facts = self._load(self.session, persons=persons)
        assert isinstance(facts, Facts)
        return facts
