"""A person's registry data as a case-format JSON document (``jiuye export-case``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from jiuye.errors import UserError
from jiuye.registry.facts import load_facts
from jiuye.rules.facts import Facts
from jiuye.rules.identifiers import mask_id_number


def person_facts(session: Session, id_number: str) -> Facts:
    """The facts of one registered person with the employers and organisations they name."""
    facts = load_facts(session, persons=[id_number])
    if facts.persons.height == 0:
        raise UserError(f"登记库中没有身份证号码为 {mask_id_number(id_number)} 的人员", 2)
    return facts


def export_case(
    session: Session,
    id_number: str,
    window_from: dt.date,
    window_to: dt.date,
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The case-format dict for ``id_number`` evaluated over ``window_from``–``window_to`` (months)."""
    from jiuye.rules.case import case_to_json

    facts = person_facts(session, id_number)
    ids = [*facts.persons["id"], *facts.employers["id"], *facts.organizations["id"]]
    clash = sorted({i for i in ids if ids.count(i) > 1})
    if clash:
        raise UserError(
            "案例中的编号必须唯一，但以下编号同时是人员、单位或机构的编号：" + "、".join(clash), 2
        )
    return case_to_json(facts, window_from, window_to, parameters or {})
