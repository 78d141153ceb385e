from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from jiuye import db
from jiuye.registry.facts import load_facts
from jiuye.rules.case import parse_case
from jiuye.rules.facts import Facts

from .sample_data import E1, E2, P1, P2, P3, as_case, populate

IGNORED = {"contract_id", "internship_id"}  # synthetic ids differ between the two paths


@pytest.fixture
def sample_url(migrated_db_url: str) -> str:
    with db.get_engine(migrated_db_url).begin() as conn:
        populate(conn)
    return migrated_db_url


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.drop([c for c in frame.columns if c in IGNORED])
    return frame.sort(frame.columns, nulls_last=True)


def assert_facts_equal(left: Facts, right: Facts) -> None:
    for name, frame in left.tables().items():
        assert_frame_equal(_canonical(frame), _canonical(right.tables()[name]), check_row_order=True), name


@pytest.mark.parametrize("fast", [False, True])
def test_all_facts_equal_the_case_path(sample_url: str, fast: bool) -> None:
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, fast=fast)
    expected = parse_case(as_case()).facts
    for name, frame in facts.tables().items():
        assert_frame_equal(_canonical(frame), _canonical(expected.tables()[name])), name
    assert facts.persons.height == 3
    assert facts.social_insurance.height == 10
    assert facts.social_insurance["base_fen"].dtype == pl.Int64


def test_facts_for_one_person_bring_their_employers_and_organisations(sample_url: str) -> None:
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, persons=[P1])
    assert facts.persons["id"].to_list() == [P1]
    assert set(facts.social_insurance["person"]) == {P1}
    assert facts.employers["id"].to_list() == [E2]
    assert sorted(facts.organizations["id"]) == ["o2", "o4"]
    assert facts.contracts["referred_by"].to_list() == ["o4"]
    assert facts.skill_evaluations["fee_fen"].to_list() == [40000]
    assert facts.events.height == 0 and facts.awards.height == 0


def test_facts_of_a_district(sample_url: str) -> None:
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, district="chongming")
    assert facts.persons["id"].to_list() == [P2]
    assert facts.employers["id"].to_list() == [E1]
    assert facts.organizations["id"].to_list() == ["o1"]
    assert facts.evaluations["grade"].to_list() == ["A"]
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, district="jinshan")
    assert facts.persons["id"].to_list() == [P1]
    # the competition host brings its award winner (the startup) and its landing
    assert {"o3", "o5", "o6"} <= set(facts.organizations["id"])
    assert facts.awards.select("org", "event_id", "winner").rows() == [("o3", "ev1", "o5")]
    assert facts.landings["approved_amount_fen"].to_list() == [8000000]
    assert facts.city_subsidies["amount_fen"].to_list() == [4000000]


def test_origin_district_defaults_to_hukou(sample_url: str) -> None:
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, persons=[P2, P3])
    origin = dict(facts.persons.select("id", "origin_district").rows())
    assert origin == {P2: "chongming", P3: None}


def test_many_persons_go_through_a_temporary_table(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import jiuye.registry.facts as facts_module

    monkeypatch.setattr(facts_module, "IN_LIST_LIMIT", 1)
    with db.session_scope(sample_url) as session:
        facts = load_facts(session, persons=[P1, P3, "110101199001011234"])
    assert sorted(facts.persons["id"]) == sorted([P1, P3])
