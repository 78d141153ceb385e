"""Reference data of the registry: the districts and towns of ``districts.csv``, (re)loaded by
``jiuye db upgrade`` (through the upgrade hook in :mod:`jiuye.registry.models`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.metadata import audit_values
from jiuye.registry.models import TABLES
from jiuye.rules.shared import district_rows

REFERENCE_DATA_BY = "jiuye db upgrade"


def reference_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Districts and towns as declared in ``jiuye/rules/params/districts.csv`` (:mod:`jiuye.rules.shared`)."""
    districts: dict[str, dict[str, str]] = {}
    towns: list[dict[str, str]] = []
    for row in district_rows():
        districts.setdefault(
            row["district"],
            {"district": row["district"], "name": row["district_name"], "admin_code": row["admin_code"]},
        )
        if row["town"]:
            towns.append({"district": row["district"], "name": row["town"], "kind": row["town_kind"]})
    return list(districts.values()), towns


def load_reference_data(session: Session, by: str = REFERENCE_DATA_BY) -> int:
    """Insert or update the district and town rows; returns how many rows changed (0 when current)."""
    districts, towns = reference_rows()
    changed = 0
    for name, rows, key in (("districts", districts, ("district",)), ("towns", towns, ("district", "name"))):
        table = TABLES[name]
        existing = {
            tuple(r[k] for k in key): r
            for r in session.execute(sa.select(*(table.c[c] for c in rows[0]), table.c.id)).mappings()
        }
        for row in rows:
            old = existing.get(tuple(row[k] for k in key))
            if old is None:
                session.execute(sa.insert(table).values(**row, **audit_values(by)))
                changed += 1
            elif any(old[c] != v for c, v in row.items()):
                values = {**row, **audit_values(by, created=False)}
                session.execute(sa.update(table).where(table.c.id == old["id"]).values(**values))
                changed += 1
    return changed
