"""Hypothesis strategies: small random cases that touch every measure's facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

D = dt.date
DISTRICTS = ["jinshan", "chongming", "pudong", None]
EMPLOYER_TYPES = ["enterprise", "enterprise", "social_organization", "labor_dispatch", "public_institution"]
ORG_KINDS = ["internship_base", "training_institution", "incubation_base", "guidance_station", "hr_agency",
             "competition_host", "startup"]  # fmt: skip


EARLIEST, LATEST = D(2020, 1, 1), D(2025, 6, 30)


def _date(lo: D = EARLIEST, hi: D = LATEST) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=lo, max_value=hi)


def _month_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@st.composite
def periods(draw: Any, key_from: str = "from", key_to: str = "to") -> dict[str, Any]:
    start = draw(_date())
    end = draw(st.one_of(st.none(), _date(start, D(2026, 12, 31))))
    return {key_from: start.isoformat(), key_to: None if end is None else end.isoformat()}


@st.composite
def person(draw: Any, pid: str, employers: list[str], orgs: list[str]) -> dict[str, Any]:
    birth = draw(st.dates(min_value=D(1960, 1, 1), max_value=D(2007, 12, 31)))
    p: dict[str, Any] = {
        "id": pid, "birth_date": birth.isoformat(), "gender": draw(st.sampled_from(["male", "female"])),
        "hukou": {"district": draw(st.sampled_from(DISTRICTS)), "agricultural": draw(st.booleans())},
    }  # fmt: skip
    if draw(st.booleans()):
        p["origin_district"] = draw(st.sampled_from(DISTRICTS))
    p["education"] = [
        {"level": draw(st.sampled_from(["secondary_vocational", "junior_college", "bachelor", "master", "doctor"])),
         "full_time": draw(st.booleans()), "graduation_date": draw(_date(D(2020, 6, 1), D(2025, 7, 31))).isoformat(),
         "school_district": draw(st.sampled_from(DISTRICTS))}
        for _ in range(draw(st.integers(0, 2)))
    ]  # fmt: skip
    kinds = ["employment_hardship", "min_living_allowance_family", "low_income_family", "disabled",
             "zero_employment_family", "paired_region_rural_labor"]  # fmt: skip
    p["statuses"] = [{"kind": draw(st.sampled_from(kinds)), **draw(periods())} for _ in range(draw(st.integers(0, 2)))]
    p["unemployment_registrations"] = [draw(periods()) for _ in range(draw(st.integers(0, 2)))]
    p["flexible_employment"] = [draw(periods("registered_on", "ended_on")) for _ in range(draw(st.integers(0, 1)))]
    contracts = []
    for _ in range(draw(st.integers(0, 2)) if employers else 0):
        period = draw(periods("start", "end"))
        contracts.append({"employer": draw(st.sampled_from(employers)), **period, "registered": draw(st.booleans()),
                          "referred_by": draw(st.one_of(st.none(), st.sampled_from(orgs))) if orgs else None})
    p["contracts"] = contracts
    insurance = []
    if contracts:
        first = D.fromisoformat(contracts[0]["start"])
        months = draw(st.integers(0, 14))
        scheme = draw(st.sampled_from(["urban_employee", "urban_employee", "flexible"]))
        for i in range(months):
            month_index = first.year * 12 + first.month - 1 + i
            day = D(month_index // 12, month_index % 12 + 1, 1)
            insurance.append({"month": _month_text(day), "scheme": scheme, "employer": contracts[0]["employer"],
                              "base": draw(st.sampled_from([6000, 8771, 8772, 9000])), "paid": draw(st.booleans())})
    elif p["flexible_employment"]:
        first = D.fromisoformat(p["flexible_employment"][0]["registered_on"])
        for i in range(draw(st.integers(0, 8))):
            month_index = first.year * 12 + first.month - 1 + i
            insurance.append({"month": _month_text(D(month_index // 12, month_index % 12 + 1, 1)),
                              "scheme": "flexible", "employer": None, "base": 7310, "paid": True})
    p["social_insurance"] = insurance
    bases = [o for o in orgs if o.startswith("internship_base")]
    if bases and draw(st.booleans()):
        start = draw(_date())
        end = draw(_date(start, D(2026, 6, 30)))
        signed = draw(st.one_of(st.none(), _date(start, D(2026, 6, 30))))
        p["internships"] = [{"base": draw(st.sampled_from(bases)), "start": start.isoformat(), "end": end.isoformat(),
                             "contract_signed_on": None if signed is None else signed.isoformat()}]
    institutions = [o for o in orgs if o.startswith("training_institution")]
    levels = ["senior_technician", "technician", "senior", "intermediate", "junior"]
    p["certificates"] = [
        {"level": draw(st.sampled_from(levels)), "obtained_on": draw(_date()).isoformat(),
         "training_institution": draw(st.sampled_from(institutions)) if institutions else None}
        for _ in range(draw(st.integers(0, 2)))
    ]  # fmt: skip
    p["skill_evaluations"] = [
        {"level": draw(st.sampled_from(levels)), "date": draw(_date()).isoformat(), "fee": draw(st.sampled_from([0, 400, 650]))}
        for _ in range(draw(st.integers(0, 1)))
    ]  # fmt: skip
    return p


@st.composite
def organization(draw: Any, oid: str, kind: str, winners: list[str]) -> dict[str, Any]:
    o: dict[str, Any] = {"id": oid, "kind": kind, "district": draw(st.sampled_from(DISTRICTS)),
                         "quality_certified": draw(st.booleans())}  # fmt: skip
    if kind == "incubation_base":
        years = sorted(draw(st.sets(st.integers(2021, 2025), max_size=4)))
        o["evaluations"] = [
            {"year": y, "grade": draw(st.sampled_from(["A", "B", "C", "D", "fail", "not_participated"])),
             "published_on": draw(_date(D(y + 1, 1, 1), D(y + 1, 6, 30))).isoformat()}
            for y in years
        ]  # fmt: skip
    if kind == "guidance_station":
        o["city_subsidies"] = [
            {"year": y, "amount": draw(st.sampled_from([40000, 40001, Decimal("33333.33")])),
             "granted_on": draw(_date(D(y + 1, 1, 1), D(y + 1, 6, 30))).isoformat()}
            for y in sorted(draw(st.sets(st.integers(2022, 2024), max_size=2)))
        ]  # fmt: skip
    if kind == "competition_host":
        o["events"] = [
            {"id": f"{oid}-ev{i}", "held_on": draw(_date()).isoformat(), "cost": draw(st.sampled_from([50000, 120000])),
             "awards": [{"place": place, "winner": draw(st.sampled_from(winners))} for place in
                        range(1, draw(st.integers(0, 4)) + 1)] if winners else []}
            for i in range(draw(st.integers(0, 2)))
        ]  # fmt: skip
    if kind == "startup" and draw(st.booleans()):
        award = draw(_date(D(2021, 1, 1), D(2024, 1, 1)))
        o["landing"] = {"registered_on": draw(_date(award, D(2025, 1, 1))).isoformat(), "award_on": award.isoformat(),
                        "approved_amount": draw(st.sampled_from([80000, 150000])),
                        "operating_normally": draw(st.booleans()), "employs_jinshan_hukou": draw(st.booleans())}  # fmt: skip
    return o


@st.composite
def cases(draw: Any, max_persons: int = 4) -> dict[str, Any]:
    employers = [
        {"id": f"e{i}", "name": f"单位{i}", "type": draw(st.sampled_from(EMPLOYER_TYPES)),
         "district": draw(st.sampled_from(DISTRICTS)), "size": draw(st.sampled_from(["micro", "small", "large"])),
         "state_owned": False}
        for i in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    org_ids = [f"{kind}{i}" for i, kind in enumerate(draw(st.lists(st.sampled_from(ORG_KINDS), max_size=4)))]
    person_ids = [f"p{i}" for i in range(draw(st.integers(1, max_persons)))]
    persons = [draw(person(pid, [e["id"] for e in employers], org_ids)) for pid in person_ids]
    startups = [o for o in org_ids if o.startswith("startup")]
    orgs = [draw(organization(oid, oid.rstrip("0123456789"), person_ids + startups)) for oid in org_ids]
    start = draw(_date(D(2023, 1, 1), D(2025, 6, 1)))
    end = draw(_date(start, D(2026, 6, 1)))
    return {"evaluate": {"from": _month_text(start), "to": _month_text(end)}, "persons": persons,
            "employers": employers, "organizations": orgs, "payments": []}  # fmt: skip
