"""The frames the supervision checks read, and the measure parameters (``parameters.yaml``).

The checks are pure functions over these frames, so they can be tested without a database:

- ``persons``: ``id`` (the person id used in ``payments.subject`` — the ID number in the registry),
  ``id_number``, ``hukou_district``, ``phone``, ``address``, ``bank_account``, ``died_on``,
  ``hukou_moved_out_on`` (registry-level columns that :class:`jiuye.rules.facts.Facts` does not carry);
- ``employers``: ``id`` (the credit code in the registry), ``type``, ``district``, ``size``,
  ``bank_account``, ``deregistered_on`` (not in the registry schema yet: null, so the deregistration check
  finds nothing), ``credit_code`` (only where ``id`` is not the credit code, e.g. demo frames);
- ``contracts``: ``person``, ``employer``, ``start``, ``end``;
- ``social_insurance``: ``person``, ``month``, ``employer``, ``scheme``, ``paid``;
- ``payments``: ``payment_id``, ``policy``, ``beneficiary``, ``subject``, ``month``, ``amount_fen``,
  ``state`` (``paid`` | ``reversed``; null = paid).  Reversed payments are ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import yaml

S, D, B, I64 = pl.String, pl.Date, pl.Boolean, pl.Int64

INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "persons": {
        "id": S, "id_number": S, "hukou_district": S, "phone": S, "address": S, "bank_account": S,
        "died_on": D, "hukou_moved_out_on": D,
    },
    "employers": {
        "id": S, "type": S, "district": S, "size": S, "bank_account": S, "deregistered_on": D, "credit_code": S,
    },
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

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "as_of"}


# --- parameters ------------------------------------------------------------------------------------


@cache
def parameters() -> dict[str, Any]:
    text = resources.files("jiuye.supervision").joinpath("parameters.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


JS_DOC = "金就办〔2023〕1号"
CM_DOC = "沪崇就办〔2023〕2号"


def doc_of(policy: str) -> str:
    return JS_DOC if policy.startswith("JS") else CM_DOC


def line_bound_fen(policy: str) -> int | None:
    from jiuye.rules.catalog import get_measure

    try:
        return get_measure(policy).meta.line_bound_fen
    except KeyError:
        return None


@cache
def measures_frame() -> pl.DataFrame:
    """One row per measure with its supervision attributes (see ``parameters.yaml``)."""
    p = parameters()
    fund = p["fund_clauses"]
    rows = []
    for policy, m in p["measures"].items():
        doc = "JS" if policy.startswith("JS") else "CM"
        cap_key = m.get("cap_key") or []
        rows.append(
            {
                "policy": policy,
                "doc": doc,
                "district": m["district"],
                "measure_clause": f"{doc_of(policy)} {m['clause']}（{policy}）",
                "fund_clause": fund[doc],
                "beneficiary_kind": m["beneficiary"],
                "subject_is_person": bool(m.get("subject_is_person", False)),
                "employer_district": m.get("employer_district"),
                "hukou": bool(m.get("hukou", False)),
                # the same per-line bound approve and pay enforce, declared on the measure (issue 9)
                "max_line_fen": line_bound_fen(policy),
                "cap": m.get("cap"),
                "cap_count": m.get("cap_count"),
                "cap_by_beneficiary": "beneficiary" in cap_key,
                "cap_by_subject": "subject" in cap_key,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "policy": S, "doc": S, "district": S, "measure_clause": S, "fund_clause": S,
            "beneficiary_kind": S, "subject_is_person": B, "employer_district": S, "hukou": B,
            "max_line_fen": I64, "cap": I64, "cap_count": S, "cap_by_beneficiary": B, "cap_by_subject": B,
        },
    )  # fmt: skip
