"""A small hand-built registry (three people, two employers, six organisations) and the same facts as a case.

``populate(conn)`` writes it through :func:`jiuye.registry.store.insert_frame`; ``as_case()`` gives the
equivalent case-format dict, so the database path and the case path can be compared.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa

from jiuye.registry import schema
from jiuye.registry.store import insert_frame, polars_schema
from jiuye.rules.identifiers import make_credit_code, make_id_number
from jiuye.rules.money import fen_to_json_number as y

D = dt.date
P1 = make_id_number("310116", D(1990, 5, 1), 12, "male")  # Jinshan, agricultural
P2 = make_id_number("310151", D(1999, 3, 10), 7, "female")  # Chongming graduate
P3 = make_id_number("320102", D(1985, 11, 30), 3, "male")  # not Shanghai hukou
E1 = make_credit_code("310151", 1001)  # Chongming
E2 = make_credit_code("310117", 2002)  # Songjiang

ROWS: dict[str, list[dict[str, Any]]] = {
    "persons": [
        {"id_number": P1, "name": "张三", "birth_date": D(1990, 5, 1), "gender": "male",
         "hukou_district": "jinshan", "hukou_town": "朱泾镇", "hukou_agricultural": True,
         "origin_district": "jinshan", "phone": "13800000001", "bank_account": "6222000000000009"},
        {"id_number": P2, "name": "李四", "birth_date": D(1999, 3, 10), "gender": "female",
         "hukou_district": "chongming", "hukou_town": "城桥镇", "hukou_agricultural": False},
        {"id_number": P3, "name": "王五", "birth_date": D(1985, 11, 30), "gender": "male",
         "hukou_district": None, "hukou_agricultural": False, "address": "金山区某路1号, \"东\"楼"},
    ],
    "employers": [
        {"credit_code": E1, "name": "崇明某某农业有限公司", "type": "enterprise", "district": "chongming",
         "town": "堡镇", "size": "small", "state_owned": False},
        {"credit_code": E2, "name": "松江某某制造有限公司", "type": "enterprise", "district": "songjiang",
         "size": "medium", "state_owned": False, "industry": "制造业"},
    ],
    "organizations": [
        {"org_id": "o1", "name": "见习基地甲", "kind": "internship_base", "district": "chongming",
         "quality_certified": False},
        {"org_id": "o2", "name": "培训机构乙", "kind": "training_institution", "district": "jinshan",
         "town": "亭林镇", "quality_certified": False},
        {"org_id": "o3", "name": "大赛主办方", "kind": "competition_host", "district": "jinshan",
         "quality_certified": False},
        {"org_id": "o4", "name": "人力资源公司", "kind": "hr_agency", "district": "jinshan",
         "quality_certified": True},
        {"org_id": "o5", "name": "创业项目丙", "kind": "startup", "district": "jinshan",
         "quality_certified": False},
        {"org_id": "o6", "name": "某学院指导站", "kind": "guidance_station", "district": "jinshan",
         "quality_certified": False},
    ],
    "education": [
        {"person": P2, "level": "bachelor", "full_time": True, "graduation_date": D(2023, 6, 30),
         "school_district": "songjiang"},
    ],
    "statuses": [{"person": P1, "kind": "employment_hardship", "start": D(2022, 1, 1), "end": None}],
    "unemployment_registrations": [{"person": P1, "start": D(2023, 1, 5), "end": D(2023, 6, 30)}],
    "flexible_employment": [{"person": P3, "registered_on": D(2023, 8, 1), "ended_on": None}],
    "contracts": [
        {"person": P1, "employer": E2, "start": D(2023, 7, 1), "end": None, "registered": True,
         "referred_by": "o4"},
        {"person": P2, "employer": E1, "start": D(2023, 7, 15), "end": D(2026, 7, 14), "registered": True},
    ],
    "social_insurance": [
        *({"person": P1, "month": D(2023, m, 1), "employer": E2, "scheme": "urban_employee",
           "base_fen": 731000, "paid": True} for m in range(7, 13)),
        *({"person": P2, "month": D(2023, m, 1), "employer": E1, "scheme": "urban_employee",
           "base_fen": 800050, "paid": m != 10} for m in range(8, 11)),
        {"person": P3, "month": D(2023, 9, 1), "employer": None, "scheme": "flexible", "base_fen": 652000,
         "paid": True},
    ],
    "internships": [
        {"person": P2, "base": "o1", "start": D(2023, 3, 1), "end": D(2023, 6, 30),
         "contract_signed_on": D(2023, 7, 15)},
    ],
    "certificates": [
        {"person": P1, "level": "technician", "obtained_on": D(2024, 5, 20), "training_institution": "o2"},
    ],
    "skill_evaluations": [{"person": P1, "level": "senior", "date": D(2023, 4, 10), "fee_fen": 40000}],
    "org_evaluations": [{"org": "o1", "year": 2023, "grade": "A", "published_on": D(2024, 3, 15)}],
    "org_city_subsidies": [{"org": "o6", "year": 2023, "amount_fen": 4000000, "granted_on": D(2024, 2, 1)}],
    "org_events": [{"event_id": "ev1", "org": "o3", "name": "金山区创业大赛", "held_on": D(2024, 6, 1),
                    "cost_fen": 12000000}],
    "org_awards": [{"event": "ev1", "place": 1, "winner": "o5"}],
    "org_landings": [{"org": "o5", "registered_on": D(2023, 3, 1), "award_on": D(2022, 11, 1),
                      "approved_amount_fen": 8000000, "operating_normally": True, "employs_jinshan_hukou": True}],
}  # fmt: skip


def frame(table: str, rows: list[dict[str, Any]] | None = None) -> pl.DataFrame:
    types = polars_schema(table)
    rows = ROWS[table] if rows is None else rows
    full = [{c: r.get(c) for c in types} for r in rows]
    return pl.DataFrame(full, schema=types, orient="row")


def populate(conn: sa.Connection, by: str = "test") -> None:
    for table in schema.dependency_order():
        if table in ROWS:
            insert_frame(conn, table, frame(table), by)


def as_case(window_from: str = "2023-01", window_to: str = "2024-12") -> dict[str, Any]:
    """The same registry as a case-format dict (ids: ID number, credit code, org_id)."""

    def d(v: dt.date | None) -> str | None:
        return None if v is None else v.isoformat()

    def of(table: str, person: str) -> list[dict[str, Any]]:
        return [r for r in ROWS[table] if r["person"] == person]

    persons = []
    for p in ROWS["persons"]:
        n = p["id_number"]
        persons.append({
            "id": n, "id_number": n, "birth_date": d(p["birth_date"]), "gender": p["gender"],
            "hukou": {"district": p["hukou_district"], "agricultural": p["hukou_agricultural"]},
            **({"origin_district": p["origin_district"]} if p.get("origin_district") else {}),
            "education": [{"level": e["level"], "full_time": e["full_time"], "graduation_date": d(e["graduation_date"]),
                           "school_district": e["school_district"]} for e in of("education", n)],
            "statuses": [{"kind": s["kind"], "from": d(s["start"]), "to": d(s["end"])} for s in of("statuses", n)],
            "unemployment_registrations": [{"from": d(u["start"]), "to": d(u["end"])}
                                           for u in of("unemployment_registrations", n)],
            "flexible_employment": [{"registered_on": d(f["registered_on"]), "ended_on": d(f["ended_on"])}
                                    for f in of("flexible_employment", n)],
            "contracts": [{"employer": c["employer"], "start": d(c["start"]), "end": d(c["end"]),
                           "registered": c["registered"], "referred_by": c.get("referred_by")}
                          for c in of("contracts", n)],
            "social_insurance": [{"month": s["month"].strftime("%Y-%m"), "scheme": s["scheme"],
                                  "employer": s["employer"], "base": y(s["base_fen"]), "paid": s["paid"]}
                                 for s in of("social_insurance", n)],
            "internships": [{"base": i["base"], "start": d(i["start"]), "end": d(i["end"]),
                             "contract_signed_on": d(i["contract_signed_on"])} for i in of("internships", n)],
            "certificates": [{"level": c["level"], "obtained_on": d(c["obtained_on"]),
                              "training_institution": c["training_institution"]} for c in of("certificates", n)],
            "skill_evaluations": [{"level": s["level"], "date": d(s["date"]), "fee": y(s["fee_fen"])}
                                  for s in of("skill_evaluations", n)],
        })
    employers = [{"id": e["credit_code"], "name": e["name"], "type": e["type"], "district": e["district"],
                  "size": e["size"], "state_owned": e["state_owned"]} for e in ROWS["employers"]]
    orgs = []
    for o in ROWS["organizations"]:
        i = o["org_id"]
        org: dict[str, Any] = {
            "id": i, "kind": o["kind"], "district": o["district"], "quality_certified": o["quality_certified"],
            "evaluations": [{"year": e["year"], "grade": e["grade"], "published_on": d(e["published_on"])}
                            for e in ROWS["org_evaluations"] if e["org"] == i],
            "city_subsidies": [{"year": s["year"], "amount": y(s["amount_fen"]), "granted_on": d(s["granted_on"])}
                               for s in ROWS["org_city_subsidies"] if s["org"] == i],
            "events": [{"id": e["event_id"], "held_on": d(e["held_on"]), "cost": y(e["cost_fen"]),
                        "awards": [{"place": a["place"], "winner": a["winner"]}
                                   for a in ROWS["org_awards"] if a["event"] == e["event_id"]]}
                       for e in ROWS["org_events"] if e["org"] == i],
        }
        for landing in ROWS["org_landings"]:
            if landing["org"] == i:
                org["landing"] = {"registered_on": d(landing["registered_on"]), "award_on": d(landing["award_on"]),
                                  "approved_amount": y(landing["approved_amount_fen"]),
                                  "operating_normally": landing["operating_normally"],
                                  "employs_jinshan_hukou": landing["employs_jinshan_hukou"]}
        orgs.append(org)
    return {"evaluate": {"from": window_from, "to": window_to}, "persons": persons, "employers": employers,
            "organizations": orgs}  # fmt: skip
