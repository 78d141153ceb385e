"""Why an entitlement: the engine re-run for one ledger line, from the registry's current facts.

The ledger stores lines, not their reasons; this recomputes the explanation on demand (``jiuye
entitlement ID``).  It lives in matching, the room that runs the engine over the registry, so that the
ledger never imports matching.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.errors import UserError
from jiuye.ledger import transitions
from jiuye.ledger.models import entitlements
from jiuye.ledger.service import payment_history


def explain(session: Session, entitlement_id: int) -> dict[str, Any]:
    """One entitlement with its explanation, recomputed on demand from the registry facts of its subject."""
    from jiuye.matching.sources import RegistrySource
    from jiuye.rules.catalog import get_measure
    from jiuye.rules.engine import evaluate_facts
    from jiuye.rules.money import fen_to_json_number

    row = (
        session.execute(sa.select(entitlements).where(entitlements.c.id == entitlement_id)).mappings().first()
    )
    if row is None:
        raise UserError(f"找不到待遇 {entitlement_id}。", 4)
    try:
        measure = get_measure(row["policy"])
    except KeyError as exc:
        raise UserError(f"政策 {row['policy']} 已不在政策清单中，无法重算依据。", 4) from exc
    source = RegistrySource(session)
    persons = [row["subject"]] if measure.subjects == "persons" else None
    facts = source.load(persons).with_payments(payment_history(session))
    month = row["month"]
    result = evaluate_facts(facts, month, month, explain=True, measures=[measure])
    assert result.explanations is not None
    mine = result.explanations.filter(pl.col("subject") == row["subject"]).to_dicts()
    return {
        "id": entitlement_id, "policy": row["policy"], "title": measure.meta.title, "beneficiary": row["beneficiary"],
        "subject": row["subject"], "month": f"{month:%Y-%m}",
        "amount": None if row["amount_fen"] is None else fen_to_json_number(int(row["amount_fen"])),
        "status": row["amount_status"], "state": row["state"], "state_label": transitions.STATE_LABELS[row["state"]],
        # why it waits for a person (e.g. which facts changed after approval, old → new)
        "review_reason": row["review_reason"] if row["state"] == "review" else None,
        "explanation": mine[0] if mine else None,
    }  # fmt: skip
