"""Facts several rooms share are declared once (params/_shanghai.yaml, params/_jinshan.yaml,
params/districts.csv) and every room reads that declaration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from jiuye.rules import derived, shared
from jiuye.rules.catalog import all_measures
from jiuye.rules.facts import DISTRICT_NAMES, Facts
from jiuye.rules.parameters import load_measure_parameters

SHARED_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "districts.csv"


def test_district_declaration_is_the_shared_catalogs_file() -> None:
    if not SHARED_CSV.exists():
        pytest.skip("../shared is not next to this checkout")
    packaged = Path(shared.__file__).parent / "params" / "districts.csv"
    assert packaged.read_bytes() == SHARED_CSV.read_bytes()
    assert len(shared.DISTRICTS) == 16 and shared.DISTRICT_NAMES["jinshan"] == "金山区"
    assert shared.ADMIN_CODES["chongming"] == "310151" and DISTRICT_NAMES is shared.DISTRICT_NAMES


def test_registry_demo_and_supervision_read_the_same_declarations() -> None:
    from jiuye.demo import base as demo
    from jiuye.registry import schema
    from jiuye.registry.reference import reference_rows
    from jiuye.rules.measures import _jinshan
    from jiuye.supervision.checks import employers

    districts, towns = reference_rows()
    assert {d["district"]: d["name"] for d in districts} == shared.DISTRICT_NAMES
    assert {(t["district"], t["name"]) for t in towns} == {
        (d, n) for d, ts in shared.TOWNS.items() for n, _ in ts
    }
    assert schema.ENUM_LABELS["employer_type"] == shared.EMPLOYER_TYPE_LABELS
    assert shared.EMPLOYER_TYPE_LABELS["social_work_org"] == "社工组织"  # catalog G3's word
    assert (
        schema.parse_enum("employer_type", "社工机构") == "social_work_org"
    )  # the older label still imports
    assert shared.JINSHAN_EMPLOYER_EXCLUSION.types == _jinshan.EXCLUDED_EMPLOYER_TYPES
    assert employers.EMPLOYER_TYPE_LABELS is shared.EMPLOYER_TYPE_LABELS
    months = pl.DataFrame(
        {"m": [dt.date(2021, 1, 1), dt.date(2023, 6, 1), dt.date(2023, 7, 1), dt.date(2025, 1, 1)]}
    )
    bases = months.select(demo.min_base_fen_expr(pl.col("m"))).to_series().to_list()
    assert bases == [597500, 652000, 731000, 738400]
    js04 = load_measure_parameters("JS-04")
    assert js04.dated("city_min_base") == shared.SHANGHAI.dated("city_min_base")


def test_jinshan_measures_share_one_window() -> None:
    window = load_measure_parameters("JS-02").window
    assert (window.start, window.end) == (dt.date(2023, 1, 1), dt.date(2027, 12, 1))
    assert "七(二)" in window.source
    shared_window = [
        m.id
        for m in all_measures()
        if m.id.startswith("JS-") and load_measure_parameters(m.id).window == window
    ]
    assert len(shared_window) >= 20


def test_derived_frames_are_shared_only_inside_an_evaluation() -> None:
    facts = Facts.from_frames()
    built: list[int] = []

    def build() -> pl.LazyFrame:
        built.append(1)
        return pl.LazyFrame({"x": [1]})

    derived._MEMO_MIN_ROWS, old = 0, derived._MEMO_MIN_ROWS
    try:
        derived._memo(facts, "k", build)
        derived._memo(facts, "k", build)
        assert len(built) == 2  # no evaluation open: nothing is kept
        with derived.sharing_derivations(facts) as cache:
            derived._memo(facts, "k", build)
            derived._memo(facts, "k", build)
            derived._memo(Facts.from_frames(), "k", build)  # other facts: not shared
            assert len(built) == 4 and list(cache.frames) == ["k"]
        derived._memo(facts, "k", build)
        assert len(built) == 5
    finally:
        derived._MEMO_MIN_ROWS = old
