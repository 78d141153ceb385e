"""The frames the supervision checks read, the measures' attributes read from the rules, and supervision's
own thresholds (``parameters.yaml``).

The checks are pure functions over these frames, so they can be tested without a database:

- ``persons``: ``id`` (the person id used in ``payments.subject`` — the ID number in the registry),
  ``id_number``, ``hukou_district``, ``phone``, ``address``, ``bank_account``, ``died_on``,
  ``hukou_moved_out_on`` (registry-level columns that :class:`jiuye.rules.facts.Facts` does not carry);
- ``employers``: ``id`` (the credit code in the registry), ``type``, ``district``, ``size``,
  ``bank_account``, ``deregistered_on``, ``credit_code`` (only where ``id`` is not the credit code, e.g.
  demo frames);
- ``organizations``: ``id`` (the organisation id), ``district``, ``deregistered_on``;
- ``contracts``: ``person``, ``employer``, ``start``, ``end``;
- ``social_insurance``: ``person``, ``month``, ``employer``, ``scheme``, ``paid``;
- ``payments``: ``payment_id``, ``policy``, ``beneficiary``, ``subject``, ``month``, ``amount_fen``,
  ``state`` (``paid`` | ``reversed``; null = paid).  Reversed payments are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import yaml

from jiuye.rules.measure import EMPLOYER_KINDS

S, D, B, I64 = pl.String, pl.Date, pl.Boolean, pl.Int64

INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "persons": {
        "id": S, "id_number": S, "hukou_district": S, "phone": S, "address": S, "bank_account": S,
        "died_on": D, "hukou_moved_out_on": D,
    },
    "employers": {
        "id": S, "type": S, "district": S, "size": S, "bank_account": S, "deregistered_on": D, "credit_code": S,
    },
    "organizations": {"id": S, "district": S, "deregistered_on": D},
    "contracts": {"person": S, "employer": S, "start": D, "end": D},
    "social_insurance": {"person": S, "month": D, "employer": S, "scheme": S, "paid": B},
    "payments": {
        "payment_id": S, "policy": S, "beneficiary": S, "subject": S, "month": D, "amount_fen": I64, "state": S,
    },
}  # fmt: skip


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    schema = INPUT_SCHEMAS[table]
    return frame.select(
        [(pl.col(n) if n in frame.columns else pl.lit(None)).cast(t).alias(n) for n, t in schema.items()]
    )


def _empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=INPUT_SCHEMAS[table])


@dataclass
class Inputs:
    persons: pl.DataFrame = field(default_factory=lambda: _empty("persons"))
    employers: pl.DataFrame = field(default_factory=lambda: _empty("employers"))
    organizations: pl.DataFrame = field(default_factory=lambda: _empty("organizations"))
    contracts: pl.DataFrame = field(default_factory=lambda: _empty("contracts"))
    social_insurance: pl.DataFrame = field(default_factory=lambda: _empty("social_insurance"))
    payments: pl.DataFrame = field(default_factory=lambda: _empty("payments"))
    as_of: dt.date | None = None  # last month with complete data; default: latest month seen

    @classmethod
    def from_frames(cls, as_of: dt.date | None = None, **frames: pl.DataFrame) -> Inputs:
        unknown = set(frames) - set(INPUT_SCHEMAS)
        if unknown:
            raise KeyError(f"unknown supervision tables: {sorted(unknown)}")
        return cls(**{k: conform(k, v) for k, v in frames.items()}, as_of=as_of)

    def paid(self) -> pl.DataFrame:
        """Payments not reversed."""
        return self.payments.filter(pl.col("state").is_null() | (pl.col("state") == "paid"))

    def horizon(self) -> dt.date | None:
        if self.as_of is not None:
            return self.as_of.replace(day=1)
        months = [
            v
            for v in (self.social_insurance["month"].max(), self.payments["month"].max())
            if isinstance(v, dt.date)
        ]
        return max(months) if months else None

    def registered(self) -> dict[str, pl.Series]:
        """The registry's natural keys by table (persons, employers, organisations): which kind a line's
        beneficiary is, where its measure pays more than one (:func:`line_kind`)."""
        return {"persons": self.persons["id"], "employers": self.employers["id"],
                "organizations": self.organizations["id"]}  # fmt: skip

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "as_of"}


# --- parameters ------------------------------------------------------------------------------------


@cache
def parameters() -> dict[str, Any]:
    text = resources.files("jiuye.supervision").joinpath("parameters.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def doc_of(policy: str) -> str:
    """The document of a measure id (JS-… / CM-…), as its clause citations name it."""
    from jiuye.rules.measure import CM_DOC, JS_DOC

    return JS_DOC if policy.startswith("JS") else CM_DOC


# --- the measures' supervision attributes: read from the rules, never copied -----------------------

MEASURE_SCHEMA: dict[str, Any] = {
    "policy": S, "doc": S, "district": S, "measure_clause": S, "fund_clause": S,
    "beneficiary_kinds": pl.List(S), "one_kind": S, "subjects": S, "employer_district": S, "hukou": B,
    "line_bound_fen": I64, "cap": I64, "cap_count": S, "cap_by_beneficiary": B, "cap_by_subject": B,
}  # fmt: skip
STANDARD_SCHEMA: dict[str, Any] = {"policy": S, "kind": S, "since": D, "standard_fen": I64}


def _paying_measures() -> list[Any]:
    from jiuye.rules.catalog import all_measures

    return [m for m in all_measures() if m.meta.pays]


def measures_frame() -> pl.DataFrame:
    """One row per paying measure with its supervision attributes, read from the rules each time it is asked
    (``Measure.meta``, ``Measure.cap``, ``Measure.scope`` and the dated parameters): a measure's district,
    clause, beneficiary, hukou condition, cap and once-key are declared once, in its module.

    ``beneficiary_kinds``: the kinds of beneficiary its lines may go to (one, or one per route: CM-10a, JS-07b;
    ``one_kind``: the kind where there is only one); which one a paid line went to is decided per line by
    :func:`with_measures`.  ``employer_district``: where
    an employer paid by the measure must be located (G12: an employer or employer-per-worker beneficiary of
    an employer-scoped measure; for a line paid to that employer only); ``hukou``: the measure requires hukou in
    its district (G13); ``line_bound_fen``: the per-line plausibility bound approve and pay enforce
    (``Meta.line_bound_yuan``); ``cap``: the cap or once-key limit in force (latest dated value) — null when
    the measure has none, when it is not set yet (G6), or when its key names line columns supervision
    does not see (a year, an event, a level).
    """
    from jiuye.rules.parameters import load_measure_parameters

    fund = parameters()["fund_clauses"]
    rows = []
    for m in _paying_measures():
        meta, cap = m.meta, m.cap
        limit: int | None = None
        if cap is not None and not cap.extra:
            raw = cap.limit if isinstance(cap.limit, int) else load_measure_parameters(m.id).get(cap.limit)
            limit = None if raw is None else int(raw)
        key = cap.key if cap is not None and limit is not None else ()
        pays_employer = bool(set(meta.payee_kinds) & set(EMPLOYER_KINDS))
        rows.append({
            "policy": m.id, "doc": meta.document, "district": m.district,
            "measure_clause": f"{meta.clause}（{m.id}）", "fund_clause": fund[meta.document],
            "beneficiary_kinds": list(meta.payee_kinds), "subjects": m.subjects,
            "one_kind": meta.payee_kinds[0] if len(meta.payee_kinds) == 1 else None,
            "employer_district": m.district if pays_employer and any(s.sense == "employer" for s in m.scope) else None,
            "hukou": m.requires_hukou, "line_bound_fen": meta.line_bound_fen,
            "cap": limit, "cap_count": None if cap is None or limit is None else cap.counts,
            "cap_by_beneficiary": "beneficiary" in key, "cap_by_subject": "subject" in key,
        })  # fmt: skip
    return pl.DataFrame(rows, schema=MEASURE_SCHEMA)


def standards_frame() -> pl.DataFrame:
    """(policy, kind, since, standard_fen): the largest amount one line of a measure paid to a beneficiary of
    ``kind`` has from ``since`` on — the largest of its amount parameters in force then
    (``Measure.line_amounts_by_kind``: CM-10a's employer and flexible routes have their own standards; null
    while none is set, G6).  Read from the measures' dated parameters, so a dated change of an amount
    reaches supervision by itself."""
    from jiuye.rules.money import yuan_to_fen
    from jiuye.rules.parameters import load_measure_parameters

    rows = []
    for m in _paying_measures():
        p = load_measure_parameters(m.id)
        for kind, names in m.line_amounts_by_kind().items():
            if not names:
                continue
            for since in sorted({since for name in names for since, _ in p.dated(name)}):
                known = [yuan_to_fen(Decimal(str(v))) for name in names if (v := p.get(name, since)) is not None]
                rows.append({"policy": m.id, "kind": kind, "since": since,
                             "standard_fen": max(known) if known else None})  # fmt: skip
    return pl.DataFrame(rows, schema=STANDARD_SCHEMA).sort("policy", "kind", "since")




def line_kind(lines: pl.DataFrame, registered: Mapping[str, pl.Series]) -> pl.Expr:
    """The kind of each line's beneficiary (``jiuye.rules.measure.line_payee_kind``, decided from the line
    and the registry ids ``registered``: table name → its natural keys), over ``lines`` joined with
    :func:`measures_frame`; null for a line of no paying measure."""
    kind: Any = pl.when(pl.col("one_kind").is_not_null()).then(pl.col("one_kind"))
    several = {m.id: m for m in _paying_measures() if len(m.meta.payee_kinds) > 1}
    present = set(lines.get_column("policy").unique().to_list()) & set(several)
    if present:
        from jiuye.rules.measure import line_payee_kind

        ben, subj = pl.col("beneficiary"), pl.col("subject")
        held = {table: ben.is_in(ids.implode()) for table, ids in registered.items()}
        for mid in sorted(present):
            kind = kind.when(pl.col("policy") == mid).then(line_payee_kind(several[mid].meta, ben, subj, held))
    return kind.otherwise(pl.lit(None, S))


def with_measures(lines: pl.DataFrame, registered: Mapping[str, pl.Series] | None = None) -> pl.DataFrame:
    """Paid lines (``policy``, ``beneficiary``, ``subject``, ``month`` …) with their measure's attributes,
    decided per line where the measure pays more than one kind of beneficiary:

    - ``beneficiary_kind``: who this line was paid to (:func:`line_kind`; ``registered``: the registry ids
      by table, ``Inputs.registered``);
    - ``subject_is_person``: the line is about a person (a persons measure, or a line paid to a person
      for themselves: JS-07b's winning person; a reviewer-decided measure paying a person);
    - ``employer_district``: kept for lines paid to an employer only (CM-10a's hired route, not its
      flexible one);
    - ``max_line_fen``: the measure's standard for the kind of beneficiary the line went to, in force in
      the line's month, where the rules state one; else its plausibility bound."""
    # the list of kinds stays out of the lines: a list column copied into every line costs more than the rest
    out = lines.join(measures_frame().drop("beneficiary_kinds"), on="policy", how="left")
    kind = pl.col("beneficiary_kind")
    out = out.with_columns(beneficiary_kind=line_kind(out, registered or {})).with_columns(
        subject_is_person=(pl.col("subjects") == "persons")
        | ((kind == "person") & ((pl.col("subjects") == "none") | (pl.col("beneficiary") == pl.col("subject")))),
        employer_district=pl.when(kind.is_in(EMPLOYER_KINDS)).then(pl.col("employer_district")),
    ).with_columns(subject_is_person=pl.col("subject_is_person").fill_null(False)).drop("one_kind")
    standards = standards_frame()
    if out.is_empty() or standards.is_empty():
        return out.with_columns(max_line_fen=pl.col("line_bound_fen"))
    dated = (
        out.with_row_index("_row").sort("policy", "month")
        .join_asof(standards.rename({"kind": "beneficiary_kind"}), left_on="month", right_on="since",
                   by=["policy", "beneficiary_kind"], strategy="backward",
                   check_sortedness=False)  # dates sorted within every (policy, kind) group on both sides
        .sort("_row").drop("_row", "since")
    )  # fmt: skip
    return dated.with_columns(max_line_fen=pl.coalesce("standard_fen", "line_bound_fen")).drop("standard_fen")
