"""The demo district generator: determinism, schema conformance, valid identifiers, planted situations,
and ``jiuye demo-data`` end to end (database through the import writer; CSV files through ``jiuye import``).

No timings here: those are in bench/ (bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from jiuye.demo.base import DemoConfig, DemoData
from jiuye.demo.district import generate
from jiuye.demo.files import registry_frames
from jiuye.demo.situations import ORG_SITUATIONS, situations_for
from jiuye.rules.dates import add_months, add_years, age_on
from jiuye.rules.facts import ENUMS, SCHEMAS
from jiuye.rules.identifiers import credit_code_problem, id_birth_date, id_gender, id_number_problem

N = 2000


@pytest.fixture(scope="module")
def jinshan() -> DemoData:
    return generate(DemoConfig(district="jinshan", persons=N, seed=1))


@pytest.fixture(scope="module")
def chongming() -> DemoData:
    return generate(DemoConfig(district="chongming", persons=N, seed=7))


def test_same_seed_gives_identical_frames(jinshan: DemoData) -> None:
    again = generate(DemoConfig(district="jinshan", persons=N, seed=1))
    for name, frame in jinshan.facts.tables().items():
        assert frame.equals(getattr(again.facts, name)), name
    for name, frame in jinshan.extras.items():
        assert frame.equals(again.extras[name]), name
    assert jinshan.situations.equals(again.situations)


def test_another_seed_gives_another_population(jinshan: DemoData) -> None:
    other = generate(DemoConfig(district="jinshan", persons=N, seed=2))
    assert not other.facts.persons["id_number"].equals(jinshan.facts.persons["id_number"])


@pytest.mark.parametrize("which", ["jinshan", "chongming"])
def test_facts_conform_to_schema_and_enums(which: str, request: pytest.FixtureRequest) -> None:
    data: DemoData = request.getfixturevalue(which)
    enum_columns = {
        ("persons", "gender"): "gender", ("persons", "hukou_district"): "district",
        ("persons", "origin_district"): "district", ("education", "level"): "education_level",
        ("education", "school_district"): "district", ("statuses", "kind"): "status_kind",
        ("social_insurance", "scheme"): "scheme", ("certificates", "level"): "certificate_level",
        ("skill_evaluations", "level"): "certificate_level", ("employers", "type"): "employer_type",
        ("employers", "district"): "district", ("employers", "size"): "employer_size",
        ("organizations", "kind"): "organization_kind", ("organizations", "district"): "district",
        ("evaluations", "grade"): "grade",
    }  # fmt: skip
    for name, frame in data.facts.tables().items():
        assert dict(frame.schema) == SCHEMAS[name], name
    for (table, column), enum in enum_columns.items():
        values = set(getattr(data.facts, table)[column].drop_nulls().unique().to_list())
        assert values <= set(ENUMS[enum]), (table, column, values - set(ENUMS[enum]))
    assert data.facts.persons.height == N
    assert data.facts.persons["id"].is_unique().all()


def test_every_employer_type_and_place_is_present(jinshan: DemoData) -> None:
    e = jinshan.facts.employers
    assert set(e["type"]) == set(ENUMS["employer_type"])
    assert set(e["size"]) == set(ENUMS["employer_size"])
    assert e["district"].null_count() > 0  # outside Shanghai
    assert e.filter(pl.col("district").is_not_null() & (pl.col("district") != "jinshan")).height > 0
    assert set(jinshan.facts.organizations["kind"]) == set(ENUMS["organization_kind"])
    grades = set(jinshan.facts.evaluations["grade"])
    assert {"D", "fail", "not_participated"} <= grades


def test_id_numbers_are_valid_unique_and_agree_with_birth_and_gender(jinshan: DemoData) -> None:
    p = jinshan.facts.persons
    assert p["id_number"].is_unique().all()
    for number, birth, gender, hukou in p.select("id_number", "birth_date", "gender", "hukou_district").iter_rows():
        assert id_number_problem(number) is None, number
        assert id_birth_date(number) == birth
        assert id_gender(number) == gender
        if hukou == "jinshan":
            assert number.startswith("310116")


def test_credit_codes_are_valid_and_unique(jinshan: DemoData) -> None:
    for frame in (jinshan.extras["employers"], jinshan.extras["organizations"]):
        codes = frame["credit_code"]
        assert codes.is_unique().all()
        assert all(credit_code_problem(c) is None for c in codes), codes


def test_registry_extras_are_realistic(jinshan: DemoData) -> None:
    x = jinshan.extras["persons"]
    assert x["name"].str.len_chars().is_between(2, 4).all()
    assert x["phone"].str.contains(r"^1[3-9]\d{9}$").all()
    towns = {"石化街道", "朱泾镇", "枫泾镇", "张堰镇", "亭林镇", "吕巷镇", "廊下镇", "金山卫镇", "漕泾镇", "山阳镇",
             "上海湾区高新技术产业开发区"}  # fmt: skip
    assert set(x["town"]) <= towns
    assert x["address"].str.starts_with("上海市金山区").all()


def test_references_resolve(jinshan: DemoData) -> None:
    f = jinshan.facts
    persons = f.persons["id"].implode()
    employers = f.employers["id"].implode()
    orgs = f.organizations["id"].implode()
    for table in ("education", "statuses", "unemployment", "flexible", "contracts", "social_insurance",
                  "internships", "certificates", "skill_evaluations"):  # fmt: skip
        assert getattr(f, table)["person"].is_in(persons).all(), table
    assert f.contracts["employer"].is_in(employers).all()
    assert f.social_insurance["employer"].drop_nulls().is_in(employers).all()
    assert f.contracts["referred_by"].drop_nulls().is_in(orgs).all()
    assert f.internships["base"].is_in(orgs).all()
    assert f.certificates["training_institution"].drop_nulls().is_in(orgs).all()
    assert f.awards["winner"].is_in(orgs).all()


def test_insurance_covers_the_24_months_with_the_contract_employer(jinshan: DemoData) -> None:
    f = jinshan.facts
    cfg = jinshan.config
    planted = jinshan.situations.filter(pl.col("subject_kind") == "person")["subject"].implode()
    si = f.social_insurance.filter(~pl.col("person").is_in(planted))
    assert si["month"].min() == cfg.window_start
    assert si["month"].max() == cfg.window_end
    assert (si["month"].dt.day() == 1).all()
    employee = si.filter(pl.col("scheme") == "urban_employee")
    joined = employee.join(f.contracts, on=["person", "employer"], how="inner")
    covered = joined.filter(
        (pl.col("start").dt.truncate("1mo") <= pl.col("month"))
        & (pl.col("end").is_null() | (pl.col("end") >= pl.col("month")))
    ).select("person", "month", "employer").unique()
    assert covered.height == employee.select("person", "month", "employer").unique().height
    bases = employee["base_fen"]
    assert (bases >= 652000).all() and (bases % 100 == 0).all()


def test_age_pyramid_and_hukou_mix_are_plausible(jinshan: DemoData) -> None:
    p = jinshan.facts.persons
    ref = jinshan.config.reference_month
    ages = p.select(((pl.lit(ref) - pl.col("birth_date")).dt.total_days() // 365).alias("a"))["a"]
    assert ages.min() >= 15 and ages.max() <= 77
    local = (p["hukou_district"] == "jinshan").fill_null(False).mean()
    outside = p["hukou_district"].null_count() / p.height
    assert 0.55 < float(local or 0) < 0.8
    assert 0.15 < outside < 0.35


@pytest.mark.parametrize("which", ["jinshan", "chongming"])
def test_every_planted_situation_has_its_people(which: str, request: pytest.FixtureRequest) -> None:
    data: DemoData = request.getfixturevalue(which)
    counts = dict(data.situations.group_by("situation").len().iter_rows())
    for s in situations_for(data.config.district):
        assert counts.get(s.key, 0) >= data.config.planted_minimum, s.key
    if which == "jinshan":
        for o in ORG_SITUATIONS:
            assert counts.get(o.key, 0) >= 1, o.key
    # planted people are disjoint
    people = data.situations.filter(pl.col("subject_kind") == "person")
    assert people["subject"].is_unique().all()


def _of(data: DemoData, situation: str, table: str) -> pl.DataFrame:
    who = data.situations.filter(pl.col("situation") == situation)["subject"].implode()
    frame = getattr(data.facts, table)
    column = "id" if table in ("persons", "organizations") else "person"
    return frame.filter(pl.col(column).is_in(who))


def test_thresholds_are_exact(jinshan: DemoData) -> None:
    d = jinshan
    # JS-02: registration 6 months + 1 day after the spell began vs exactly 6 months
    for situation, extra in (("js02_over_6_months", 1), ("js02_exactly_6_months", 0)):
        spell = _of(d, situation, "unemployment").sort("person")
        flex = _of(d, situation, "flexible").sort("person")
        for s, r in zip(spell["start"], flex["start"], strict=True):
            assert r == add_months(s, 6) + dt.timedelta(days=extra)
    # JS-02: 35 vs 36 at registration
    for situation, age in (("js02_age_35", 35), ("js02_age_36", 36)):
        people = _of(d, situation, "persons").sort("id")
        flex = _of(d, situation, "flexible").sort("person")
        for birth, r in zip(people["birth_date"], flex["start"], strict=True):
            assert age_on(birth, r) == age
    # JS-03a: contract of one year minus one day vs minus two days
    for situation, days in (("js03a_term_exact_year", 1), ("js03a_term_short", 2)):
        for start, end in _of(d, situation, "contracts").select("start", "end").iter_rows():
            assert end == add_years(start, 1) - dt.timedelta(days=days)
    # JS-03a: 5 vs 6 paid months
    for situation, months in (("js03a_5_months", 5), ("js03a_6_months", 6)):
        paid = _of(d, situation, "social_insurance").filter(pl.col("paid")).group_by("person").len()
        assert (paid["len"] == months).all()
    # JS-04: contribution base just below, at and just above 1.2 × 7,384
    for situation, base in (("js04_base_just_below", 886000), ("js04_base_at_threshold", 886080),
                            ("js04_base_just_above", 886100)):  # fmt: skip
        assert set(_of(d, situation, "social_insurance")["base_fen"]) == {base}
    # JS-11: 2 vs 3 insured months
    for situation, months in (("paired_2_months", 2), ("paired_3_months", 3)):
        assert (_of(d, situation, "social_insurance").group_by("person").len()["len"] == months).all()
    # G3: every excluded employer type
    for t in ("government_agency", "public_institution", "social_work_org", "informal_labor_org",
              "public_welfare_labor_org", "labor_dispatch"):  # fmt: skip
        employers = _of(d, f"js03a_excluded_{t}", "contracts")["employer"].implode()
        types = d.facts.employers.filter(pl.col("id").is_in(employers))["type"]
        assert set(types) == {t}
    # caps with earlier payments
    assert _of(d, "js02_paid_earlier", "persons").height > 0
    paid = d.facts.payments.filter(pl.col("policy") == "JS-02")
    assert paid.group_by("subject").len()["len"].max() == 10


def test_chongming_thresholds(chongming: DemoData) -> None:
    d = chongming
    for situation, extra in (("cm10d_3_months", 0), ("cm10d_3_months_less_1_day", 1)):
        spell = _of(d, situation, "unemployment").sort("person")
        contract = _of(d, situation, "contracts").sort("person")
        for s, c in zip(spell["start"], contract["start"], strict=True):
            assert s == add_months(c, -3) + dt.timedelta(days=extra)
    for situation, age in (("cm04a_age_24_unemployed", 24), ("cm04a_age_25_unemployed", 25)):
        people = _of(d, situation, "persons").sort("id")
        contract = _of(d, situation, "contracts").sort("person")
        for birth, start in zip(people["birth_date"], contract["start"], strict=True):
            assert age_on(birth, start) == age


def test_registry_frames_follow_the_registry_schema(jinshan: DemoData) -> None:
    from jiuye.registry.schema import TABLES

    frames = registry_frames(jinshan)
    for name, frame in frames.items():
        assert frame.columns == list(TABLES[name].column_names), name
        key = list(TABLES[name].key)
        assert frame.select(key).is_duplicated().sum() == 0, name
    assert frames["persons"].height == N


@pytest.mark.db
def test_demo_data_into_the_database(migrated_db_url: str) -> None:
    from jiuye import db
    from jiuye.cli import main
    from jiuye.registry.store import count_rows

    assert main(["demo-data", "--persons", str(N), "--seed", "1", "--db", migrated_db_url, "-q"]) == 0
    engine = db.get_engine(migrated_db_url)
    with engine.connect() as conn:
        assert count_rows(conn, "persons") == N
        assert count_rows(conn, "social_insurance") > N * 5
        assert count_rows(conn, "org_landings") > 0


def test_demo_data_csv_files_import_cleanly(tmp_path: Path) -> None:
    from jiuye import db
    from jiuye.cli import main
    from jiuye.registry.store import count_rows

    out = tmp_path / "demo"
    assert main(["demo-data", "--persons", "600", "--seed", "3", "--district", "chongming", "--out", str(out),
                 "-q"]) == 0  # fmt: skip
    files = sorted(out.glob("*.csv"))
    assert (out / "persons.csv").exists() and len(files) >= 15
    url = f"sqlite:///{tmp_path}/demo.db"
    db.upgrade(url)
    assert main(["import", "--db", url, "-q", *map(str, files)]) == 0
    with db.get_engine(url).connect() as conn:
        assert count_rows(conn, "persons") == 600


def test_too_few_people_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="太少"):
        generate(DemoConfig(district="jinshan", persons=50, seed=1))
