"""Prune first (issue 11): cheap necessary conditions on one row per subject person, for all measures at once.

A measure declares in :attr:`Measure.necessary` which of the conditions below every one of its eligible
candidate rows must meet *on the row's subject person alone* (its G12 district sense, read from the
person's own hukou, origin or contracts).  Before any measure builds its joins and month panels, one
shared pass computes a summary of one row per person (:func:`person_summary`) and one boolean column per
measure; a measure then sees only the persons that survive (:func:`restricted`), and a measure nobody
survives is not planned at all.

Why this gives exactly the lines of the unpruned engine: a removed person's candidate rows would fail a
condition of the measure anyway, and every declaring measure builds its candidate rows from the subject
person (``persons(facts)``), so the remaining rows, their first-occurrence groups (G4, which only look at
rows meeting every plain condition) and their caps are unchanged.  ``tests/rules/test_prune.py`` checks it on
random registries.  Explanations need every subject's details, so pruning applies only without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import polars as pl

from jiuye.rules.facts import Facts

if TYPE_CHECKING:
    from jiuye.rules.measure import Measure

Necessary = Literal["hukou", "origin", "contract_employer"]
NECESSARY_TEXT: dict[str, str] = {
    "hukou": "the subject person's hukou is in the measure's district (G12 hukou sense)",
    "origin": "the subject person's origin is the measure's district (G12 origin sense, JS-03a)",
    "contract_employer": "the subject person has a contract with an employer located in the measure's district "
    "(G12 employer sense, when the candidates are the person's contracts)",
}


def person_summary(facts: Facts) -> pl.LazyFrame:
    """One row per person: ``person``, ``hukou_district``, ``origin_district`` and ``contract_districts``
    (the districts of the employers of the person's contracts, as a list)."""
    employers = facts.employers.lazy().select(employer="id", _district="district")
    districts = (
        facts.contracts.lazy().select("person", "employer")
        .join(employers, on="employer", how="inner")
        .filter(pl.col("_district").is_not_null())
        .group_by("person").agg(contract_districts=pl.col("_district").unique())
    )  # fmt: skip
    return (
        facts.persons.lazy().select(person="id", hukou_district="hukou_district", origin_district="origin_district")
        .join(districts, on="person", how="left")
    )  # fmt: skip


def necessary_expr(measure: Measure) -> pl.Expr | None:
    """The conjunction of the measure's declared necessary conditions over :func:`person_summary` columns."""
    if not measure.necessary:
        return None
    district = measure.district
    parts: dict[str, pl.Expr] = {
        "hukou": pl.col("hukou_district") == district,
        "origin": pl.col("origin_district") == district,
        "contract_employer": pl.col("contract_districts").list.contains(district),
    }
    expr: pl.Expr = pl.lit(True)
    for name in measure.necessary:
        expr = expr & parts[name].fill_null(False)
    return expr


def survivors(facts: Facts, measures: Sequence[Measure]) -> dict[str, pl.Series]:
    """For every measure that declares necessary conditions: the ids of the persons meeting them.

    One query for all measures; measures with the same conditions and district share one column.
    """
    exprs: dict[tuple[str, tuple[str, ...]], pl.Expr] = {}
    for m in measures:
        e = necessary_expr(m)
        if e is not None:
            exprs.setdefault((m.district, tuple(m.necessary)), e)
    if not exprs:
        return {}
    names = {key: f"_n{i}" for i, key in enumerate(exprs)}
    masks = person_summary(facts).select("person", *[e.alias(names[k]) for k, e in exprs.items()]).collect()
    by_key = {k: masks.filter(pl.col(names[k]))["person"] for k in exprs}
    return {m.id: by_key[(m.district, tuple(m.necessary))] for m in measures if m.necessary}


def restricted(facts: Facts, persons: pl.Series) -> Facts:
    """A view of ``facts`` whose ``persons`` table holds only ``persons`` (other tables unchanged).

    The view shares the evaluation's derived frames (insured months …, :func:`jiuye.rules.derived._memo`),
    which never read the persons table, so they are computed once for all measures.
    """
    view = Facts(**facts.tables())
    view.persons = facts.persons.join(persons.to_frame("id"), on="id", how="semi")
    view.__dict__["_view_of"] = facts
    return view
