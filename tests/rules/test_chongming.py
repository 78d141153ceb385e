"""Chongming (沪崇就办〔2023〕2号) measures: clause style, windows, G6 amounts, the CM-05 rule.

Quotes against the seed are checked for every measure in test_catalog.py.
"""

from __future__ import annotations

import re

import pytest

from jiuye.rules import evaluate
from jiuye.rules.catalog import all_measures
from jiuye.rules.measure import BENEFICIARY_LABELS, FREQUENCY_LABELS, GROUP_LABELS
from jiuye.rules.parameters import load_measure_parameters

CM = [m for m in all_measures() if m.id.startswith("CM-")]

# every Chongming ID of the catalog that is a measure or a rule (targets are dashboard indicators)
CATALOG_IDS = {
    "CM-01a", "CM-01b", "CM-02a", "CM-02b", "CM-02c", "CM-02d", "CM-03a", "CM-03b", "CM-04a", "CM-04b",
    "CM-05", "CM-08", "CM-08a", "CM-09", "CM-10a", "CM-10b", "CM-10c", "CM-10d", "CM-10e", "CM-10f",
    "CM-10g", "CM-10h",
}  # fmt: skip


def test_every_chongming_measure_is_implemented() -> None:
    assert {m.id for m in CM} == CATALOG_IDS


@pytest.mark.parametrize("measure", CM, ids=[m.id for m in CM])
def test_metadata(measure: object) -> None:
    meta = measure.meta  # type: ignore[attr-defined]
    assert re.fullmatch(r"沪崇就办〔2023〕2号 [一二三四五]\([一二三四五六七八九十]+\)", meta.clause)
    assert set(meta.groups) <= set(GROUP_LABELS) and meta.groups
    assert set(meta.payee_kinds) <= set(BENEFICIARY_LABELS) and meta.frequency in FREQUENCY_LABELS
    assert meta.summary and meta.reading
    window = load_measure_parameters(meta.id).window
    assert window.start.isoformat() == "2023-01-01"


def test_g6_amounts_are_unset_until_an_administrator_sets_them() -> None:
    for m in CM:
        if m.meta.kind != "pending":
            continue
        p = load_measure_parameters(m.id)
        amounts = [name for name in p.parameters if "amount" in name or name.endswith("_fee")]
        assert amounts, m.id
        assert all(p.get(name) is None for name in amounts), m.id


def test_cm05_explains_nobody() -> None:
    case = {
        "evaluate": {"from": "2023-01", "to": "2023-12"},
        "persons": [{"id": "p1", "birth_date": "2001-01-01", "gender": "male",
                     "hukou": {"district": "chongming", "agricultural": False}}],
    }  # fmt: skip
    result = evaluate(case, explain=True).to_json()
    assert not [e for e in result["explanations"] if e["policy"] == "CM-05"]
    assert not [e for e in result["entitlements"] if e["policy"] == "CM-05"]
    cm10c = [e for e in result["explanations"] if e["policy"] == "CM-10c"]
    assert len(cm10c) == 1 and not cm10c[0]["eligible"]
