"""Facts frames: the columnar form of everything the rules read (one table per fact kind).

The case JSON (``jiuye.rules.case``), the registry database (``jiuye.registry``) and the synthetic
population generator all produce a :class:`Facts`; the engine only ever reads a :class:`Facts`.

Conventions:
- ids are strings; dates are ``pl.Date``; months are the ``pl.Date`` of their first day;
- money is integer fen (``pl.Int64``) — column names end in ``_fen``;
- every period has columns ``start`` and ``end`` (inclusive, ``end`` null = still running, G9);
- enums are plain strings whose allowed values are listed in :data:`ENUMS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import polars as pl

from jiuye.rules.shared import DISTRICT_NAMES as DISTRICT_NAMES
from jiuye.rules.shared import DISTRICTS as DISTRICTS

ENUMS: dict[str, tuple[str, ...]] = {
    "gender": ("male", "female"),
    "district": DISTRICTS,
    "education_level": ("secondary_vocational", "junior_college", "bachelor", "master", "doctor"),
    "status_kind": (
        "employment_hardship", "min_living_allowance_family", "low_income_family", "disabled",
        "zero_employment_family", "paired_region_rural_labor",
    ),
    "scheme": ("urban_employee", "flexible", "other"),
    "certificate_level": ("senior_technician", "technician", "senior", "intermediate", "junior"),
    "employer_type": (
        "enterprise", "government_agency", "public_institution", "social_work_org", "informal_labor_org",
        "public_welfare_labor_org", "labor_dispatch", "social_organization",
    ),
    "employer_size": ("micro", "small", "medium", "large"),
    "organization_kind": (
        "internship_base", "training_institution", "incubation_base", "guidance_station", "hr_agency",
        "competition_host", "startup",
    ),
    "grade": ("A", "B", "C", "D", "fail", "not_participated"),
}  # fmt: skip

S, D, B, I64, I32 = pl.String, pl.Date, pl.Boolean, pl.Int64, pl.Int32

SCHEMAS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "persons": {
        "id": S, "id_number": S, "birth_date": D, "gender": S,
        "hukou_district": S, "hukou_agricultural": B, "origin_district": S,
        "died_on": D, "hukou_moved_out_on": D,  # G13 (rev. 2)
    },
    "education": {"person": S, "level": S, "full_time": B, "graduation_date": D, "school_district": S},
    "statuses": {"person": S, "kind": S, "start": D, "end": D},
    "unemployment": {"person": S, "start": D, "end": D},
    "flexible": {"person": S, "start": D, "end": D},
    "contracts": {
        "contract_id": S, "person": S, "employer": S, "start": D, "end": D, "registered": B, "referred_by": S,
    },
    "social_insurance": {"person": S, "month": D, "scheme": S, "employer": S, "base_fen": I64, "paid": B},
    "internships": {"internship_id": S, "person": S, "base": S, "start": D, "end": D, "contract_signed_on": D},
    "certificates": {"person": S, "level": S, "obtained_on": D, "training_institution": S},
    "skill_evaluations": {"person": S, "level": S, "date": D, "fee_fen": I64},
    "employers": {
        "id": S, "name": S, "type": S, "district": S, "size": S, "state_owned": B, "deregistered_on": D,
    },
    "organizations": {"id": S, "kind": S, "district": S, "quality_certified": B, "deregistered_on": D},
    "evaluations": {"org": S, "year": I32, "grade": S, "published_on": D},
    "city_subsidies": {"org": S, "year": I32, "amount_fen": I64, "granted_on": D},
    "events": {"org": S, "event_id": S, "held_on": D, "cost_fen": I64},
    "awards": {"org": S, "event_id": S, "place": I32, "winner": S},
    "landings": {
        "org": S, "registered_on": D, "award_on": D, "approved_amount_fen": I64,
        "operating_normally": B, "employs_jinshan_hukou": B,
    },
    "payments": {"policy": S, "beneficiary": S, "subject": S, "month": D, "amount_fen": I64},
}  # fmt: skip


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[table])


_EXACT: dict[str, pl.Schema] = {}


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast ``frame`` to the table's schema (missing optional columns become null)."""
    schema = SCHEMAS[table]
    exact = _EXACT.get(table) or _EXACT.setdefault(table, pl.Schema(schema))
    if frame.columns == list(exact) and all(a.is_(b) for a, b in zip(frame.dtypes, exact.values(), strict=True)):
        # already the schema (the case reader builds it so): the select would copy it through a query, which
        # was about a millisecond of every one-person parse (issue 11 item 4)
        return frame
    exprs = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(exprs)


@dataclass
class Facts:
    """All facts of a case or a registry extract, one eager frame per table (schemas in :data:`SCHEMAS`)."""

    persons: pl.DataFrame = field(default_factory=lambda: empty("persons"))
    education: pl.DataFrame = field(default_factory=lambda: empty("education"))
    statuses: pl.DataFrame = field(default_factory=lambda: empty("statuses"))
    unemployment: pl.DataFrame = field(default_factory=lambda: empty("unemployment"))
    flexible: pl.DataFrame = field(default_factory=lambda: empty("flexible"))
    contracts: pl.DataFrame = field(default_factory=lambda: empty("contracts"))
    social_insurance: pl.DataFrame = field(default_factory=lambda: empty("social_insurance"))
    internships: pl.DataFrame = field(default_factory=lambda: empty("internships"))
    certificates: pl.DataFrame = field(default_factory=lambda: empty("certificates"))
    skill_evaluations: pl.DataFrame = field(default_factory=lambda: empty("skill_evaluations"))
    employers: pl.DataFrame = field(default_factory=lambda: empty("employers"))
    organizations: pl.DataFrame = field(default_factory=lambda: empty("organizations"))
    evaluations: pl.DataFrame = field(default_factory=lambda: empty("evaluations"))
    city_subsidies: pl.DataFrame = field(default_factory=lambda: empty("city_subsidies"))
    events: pl.DataFrame = field(default_factory=lambda: empty("events"))
    awards: pl.DataFrame = field(default_factory=lambda: empty("awards"))
    landings: pl.DataFrame = field(default_factory=lambda: empty("landings"))
    payments: pl.DataFrame = field(default_factory=lambda: empty("payments"))

    @classmethod
    def from_frames(cls, **frames: pl.DataFrame) -> Facts:
        """Build from any subset of tables; each is conformed to its schema."""
        unknown = set(frames) - set(SCHEMAS)
        if unknown:
            raise KeyError(f"unknown facts tables: {sorted(unknown)}")
        return cls(**{name: conform(name, frame) for name, frame in frames.items()})

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_payments(self, payments: pl.DataFrame) -> Facts:
        copy = Facts(**self.tables())
        copy.payments = conform("payments", payments)
        return copy

