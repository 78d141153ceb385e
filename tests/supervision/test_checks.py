"""Each kind of fraud planted in a clean synthetic district is found; the clean district raises few flags."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

import polars as pl
import pytest

from jiuye.rules.identifiers import credit_code_problem, id_number_problem, make_credit_code, make_id_number
from jiuye.supervision import checks
from jiuye.supervision.frames import Inputs
from tests.factories.supervision import clean_district

# Documented bound (docs/supervision.md): at most 0.5 % of the subsidised people and employers of a clean
# district may be flagged.
FALSE_FLAG_BOUND = 0.005


@cache
def _clean() -> Inputs:
    return clean_district(n_persons=20_000, n_employers=1_000, seed=11)


def clean() -> Inputs:
    base = _clean()
    return Inputs(**{k: v.clone() for k, v in base.tables().items()}, as_of=base.as_of)


def replace(inputs: Inputs, **frames: pl.DataFrame) -> Inputs:
    return Inputs.from_frames(as_of=inputs.as_of, **{**inputs.tables(), **frames})


def add_payments(inputs: Inputs, rows: list[dict[str, object]]) -> Inputs:
    extra = pl.DataFrame(rows).with_columns(
        payment_id=pl.format("X{}", pl.int_range(0, pl.len())), state=pl.lit("paid")
    )
    payments = pl.concat([inputs.payments, Inputs.from_frames(payments=extra).payments])
    return replace(inputs, payments=payments)


def flags_of(inputs: Inputs, check: str) -> pl.DataFrame:
    return checks.CHECKS[check](inputs)


def js11_worker(inputs: Inputs, nth: int = 0) -> tuple[str, str, dt.date]:
    row = (
        inputs.payments.filter(pl.col("policy") == "JS-11").sort("subject", "month").row(nth * 13, named=True)
    )
    return str(row["subject"]), str(row["beneficiary"]), row["month"]


def js02_person(inputs: Inputs, nth: int = 0) -> str:
    people = inputs.payments.filter(pl.col("policy") == "JS-02")["subject"].unique().sort()
    return str(people[nth])


def other_employer(inputs: Inputs, not_this: str) -> str:
    return str(inputs.employers.filter(pl.col("id") != not_this)["id"][0])


# --- the clean district ------------------------------------------------------------------------------


def test_clean_district_false_flag_rate() -> None:
    inputs = clean()
    flags = checks.run_checks(inputs)
    subsidised = pl.concat([inputs.payments["subject"], inputs.payments["beneficiary"]]).n_unique()
    rate = flags.height / subsidised
    print(
        f"clean district: {flags.height} flags for {subsidised} subsidised people/employers, rate {rate:.4%}"
    )
    print(flags.group_by("check").len())
    assert rate <= FALSE_FLAG_BOUND
    # the checks that look at facts, not statistics, raise nothing at all on clean data
    assert set(flags["check"].to_list()) <= {"churning"}


def test_flags_have_clause_and_chinese_detail() -> None:
    inputs = clean()
    person, employer, month = js11_worker(inputs)
    inputs = add_payments(inputs, [{"policy": "JS-11", "beneficiary": other_employer(inputs, employer),
                                    "subject": person, "month": month, "amount_fen": 50_000}])  # fmt: skip
    flags = checks.run_checks(inputs)
    assert flags.height > 0
    for row in flags.iter_rows(named=True):
        assert "六(三)" in row["clause"] or "(十六)" in row["clause"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in row["detail"])
        assert row["severity"] in {"high", "medium", "low"}


# --- planted fraud ------------------------------------------------------------------------------------


def test_worker_claimed_by_two_employers_in_one_month() -> None:
    inputs = clean()
    person, employer, month = js11_worker(inputs)
    second = other_employer(inputs, employer)
    inputs = add_payments(inputs, [{"policy": "JS-11", "beneficiary": second, "subject": person, "month": month,
                                    "amount_fen": 50_000}])  # fmt: skip
    flags = flags_of(inputs, "double_claim")
    assert flags.height == 1
    row = flags.row(0, named=True)
    assert row["subject_id"] == person and row["month"] == month
    assert employer in row["related_ids"] and second in row["related_ids"]
    assert "四(十一)" in row["clause"]


def test_insured_under_two_employers_that_both_claim() -> None:
    inputs = clean()
    person, employer, month = js11_worker(inputs)
    second = other_employer(inputs, employer)
    si = pl.concat([inputs.social_insurance, Inputs.from_frames(social_insurance=pl.DataFrame(
        {"person": [person], "month": [month], "employer": [second], "scheme": ["urban_employee"], "paid": [True]}
    )).social_insurance])  # fmt: skip
    inputs = replace(inputs, social_insurance=si)
    assert flags_of(inputs, "dual_insurance").is_empty()  # the second employer does not claim: fine
    later = dt.date(2027, 1, 1)
    inputs = add_payments(inputs, [{"policy": "JS-11", "beneficiary": second, "subject": person, "month": later,
                                    "amount_fen": 50_000}])  # fmt: skip
    flags = flags_of(inputs, "dual_insurance")
    assert flags["subject_id"].to_list() == [person]
    assert flags["month"].to_list() == [month]


def test_incompatible_measures() -> None:
    inputs = clean()
    youth = js02_person(inputs)
    youth_month = inputs.payments.filter(pl.col("subject") == youth)["month"].min()
    graduate = js02_person(inputs, 1)
    worker, _, _ = js11_worker(inputs, 2)
    inputs = add_payments(inputs, [
        {"policy": "JS-04", "beneficiary": youth, "subject": youth, "month": youth_month, "amount_fen": 60_000},
        {"policy": "JS-03a", "beneficiary": graduate, "subject": graduate, "month": dt.date(2024, 7, 1),
         "amount_fen": 300_000},
        {"policy": "JS-03a", "beneficiary": graduate, "subject": graduate, "month": dt.date(2025, 7, 1),
         "amount_fen": 300_000},
        {"policy": "CM-04a", "beneficiary": make_credit_code("310151", 77), "subject": worker,
         "month": dt.date(2023, 9, 1), "amount_fen": 150_000},
    ])  # fmt: skip
    flags = flags_of(inputs, "incompatible")
    found = {(r["subject_id"], r["flag_key"]) for r in flags.iter_rows(named=True)}
    assert found == {(youth, "JS-02|JS-04"), (graduate, "JS-03a|JS-03a"), (worker, "JS-11|CM-04a")}
    detail = flags.filter(pl.col("flag_key") == "JS-02|JS-04")["detail"][0]
    assert "灵活就业" in detail and "一(四)" in flags.filter(pl.col("flag_key") == "JS-02|JS-04")["clause"][0]


def test_incompatible_same_month_only_when_months_meet() -> None:
    inputs = clean()
    youth = js02_person(inputs)
    inputs = add_payments(inputs, [{"policy": "JS-04", "beneficiary": youth, "subject": youth,
                                    "month": dt.date(2026, 6, 1), "amount_fen": 60_000}])  # fmt: skip
    assert flags_of(inputs, "incompatible").is_empty()


def test_incompatible_pairs_are_data_with_reasons() -> None:
    pairs = checks.incompatible_pairs()
    assert {"JS-02", "JS-04"} <= set(pairs["a"].to_list()) | set(pairs["b"].to_list())
    assert pairs["reason"].str.len_chars().min() > 10  # type: ignore[operator]
    assert pairs["scope"].is_in(["same_month", "same_person", "repeat"]).all()


def test_payment_after_death_and_hukou_move() -> None:
    inputs = clean()
    dead = js02_person(inputs)
    moved = js02_person(inputs, 1)
    died_late = js02_person(inputs, 2)
    persons = inputs.persons.with_columns(
        died_on=pl.when(pl.col("id") == dead).then(pl.lit(dt.date(2024, 5, 20)))
        .when(pl.col("id") == died_late).then(pl.lit(dt.date(2025, 3, 1))).otherwise(None),
        hukou_moved_out_on=pl.when(pl.col("id") == moved).then(pl.lit(dt.date(2024, 10, 8))).otherwise(None),
    )  # fmt: skip
    inputs = replace(inputs, persons=persons)
    death = flags_of(inputs, "after_death")
    assert death["subject_id"].to_list() == [dead]
    assert death["month"].to_list() == [dt.date(2024, 6, 1)]  # the first month after the month of death
    assert "7 个月" in death["detail"][0]  # June … December 2024
    move = flags_of(inputs, "after_hukou_move")
    assert move["subject_id"].to_list() == [moved]
    assert move["month"].to_list() == [dt.date(2024, 11, 1)]


def test_excluded_employer_type_and_outside_district() -> None:
    inputs = clean()
    _, dispatch, _ = js11_worker(inputs)
    _, elsewhere, _ = js11_worker(inputs, 5)
    employers = inputs.employers.with_columns(
        type=pl.when(pl.col("id") == dispatch).then(pl.lit("labor_dispatch")).otherwise(pl.col("type")),
        district=pl.when(pl.col("id") == elsewhere).then(pl.lit("xuhui")).otherwise(pl.col("district")),
    )
    inputs = replace(inputs, employers=employers)
    excluded = flags_of(inputs, "excluded_employer")
    assert excluded["subject_id"].to_list() == [dispatch]
    assert "劳务派遣单位" in excluded["detail"][0] and "七(一)" in excluded["clause"][0]
    outside = flags_of(inputs, "outside_district")
    assert outside["subject_id"].to_list() == [elsewhere]
    assert "徐汇区" in outside["detail"][0]


def test_unknown_employer_is_flagged_as_outside() -> None:
    inputs = clean()
    worker, _, _ = js11_worker(inputs, 3)
    ghost = make_credit_code("310116", 999_999)
    inputs = add_payments(inputs, [{"policy": "JS-11", "beneficiary": ghost, "subject": worker,
                                    "month": dt.date(2027, 1, 1), "amount_fen": 50_000}])  # fmt: skip
    outside = flags_of(inputs, "outside_district")
    assert outside["subject_id"].to_list() == [ghost]
    assert "未在用人单位名录中登记" in outside["detail"][0]


def test_churning_employer_is_found() -> None:
    inputs = clean()
    employer = make_credit_code("310116", 555_555)
    employers = pl.concat([inputs.employers, Inputs.from_frames(employers=pl.DataFrame(
        {"id": [employer], "type": ["enterprise"], "district": ["jinshan"], "size": ["small"]})).employers])  # fmt: skip
    workers = [make_id_number("310116", dt.date(1990, 1, 1), i, "male") for i in range(8)]
    persons = pl.concat([inputs.persons, Inputs.from_frames(persons=pl.DataFrame(
        {"id": workers, "id_number": workers, "phone": [f"1390000000{i}" for i in range(8)]})).persons])  # fmt: skip
    start = dt.date(2023, 3, 1)
    # every worker is let go within two months after the 12th subsidised month (2024-02)
    contracts = pl.concat([inputs.contracts, Inputs.from_frames(contracts=pl.DataFrame(
        {"person": workers, "employer": [employer] * 8, "start": [start] * 8,
         "end": [dt.date(2024, 3, 15)] * 6 + [None, None]})).contracts])  # fmt: skip
    inputs = replace(inputs, employers=employers, persons=persons, contracts=contracts)
    months = pl.date_range(start, dt.date(2024, 2, 1), "1mo", eager=True).to_list()
    inputs = add_payments(inputs, [
        {"policy": "JS-11", "beneficiary": employer, "subject": w, "month": m, "amount_fen": 50_000}
        for w in workers for m in months
    ])  # fmt: skip
    flags = flags_of(inputs, "churning")
    hit = flags.filter(pl.col("subject_id") == employer)
    assert hit.height == 1
    assert "8 名人员中，有 6 名" in hit["detail"][0]
    _per_employer, base = checks.churn_rates(inputs)
    assert 0 < base["base_rate"].max() < 0.3  # type: ignore[operator]


def test_shared_phone_address_bank_account() -> None:
    inputs = clean()
    three = [js02_person(inputs, i) for i in range(3)]
    two = [js02_person(inputs, i) for i in range(3, 5)]
    persons = inputs.persons.with_columns(
        phone=pl.when(pl.col("id").is_in(three)).then(pl.lit("139-1234-5678")).otherwise(pl.col("phone")),
        bank_account=pl.when(pl.col("id").is_in(two)).then(pl.lit("6222000011112222")).otherwise(pl.col("bank_account")),
    )  # fmt: skip
    inputs = replace(inputs, persons=persons)
    flags = flags_of(inputs, "shared_contact")
    assert flags.select("subject_kind", "subject_id").rows() == [("phone", "13912345678")]
    assert set(flags["related_ids"][0].split(",")) == set(three)
    assert "3 名受助人员" in flags["detail"][0]


def test_employer_whose_subsidised_hires_share_an_account() -> None:
    inputs = clean()
    employer = inputs.payments.filter(pl.col("policy") == "JS-11").group_by("beneficiary").agg(
        n=pl.col("subject").n_unique(), workers=pl.col("subject").unique().sort()
    ).filter(pl.col("n") >= 2).sort("beneficiary").row(0, named=True)  # fmt: skip
    pair = employer["workers"][:2]
    persons = inputs.persons.with_columns(
        bank_account=pl.when(pl.col("id").is_in(pair)).then(pl.lit("6222999988887777")).otherwise(pl.col("bank_account"))
    )  # fmt: skip
    flags = flags_of(replace(inputs, persons=persons), "employer_shared_contact")
    assert flags["subject_id"].to_list() == [employer["beneficiary"]]
    assert flags["flag_key"].to_list() == ["bank_account:6222999988887777"]


def test_invalid_id_number_and_credit_code() -> None:
    inputs = clean()
    person = js02_person(inputs)
    bad = person[:17] + ("0" if person[17] != "0" else "1")
    _, employer, _ = js11_worker(inputs)
    bad_code = employer[:17] + ("0" if employer[17] != "0" else "1")
    payments = inputs.payments.with_columns(
        subject=pl.when(pl.col("subject") == person).then(pl.lit(bad)).otherwise(pl.col("subject")),
        beneficiary=pl.when(pl.col("beneficiary") == person).then(pl.lit(bad))
        .when(pl.col("beneficiary") == employer).then(pl.lit(bad_code)).otherwise(pl.col("beneficiary")),
    )  # fmt: skip
    inputs = replace(inputs, payments=payments)
    assert flags_of(inputs, "invalid_id")["subject_id"].to_list() == [bad]
    assert flags_of(inputs, "invalid_credit_code")["subject_id"].to_list() == [bad_code]


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
def test_vectorised_identifier_checks_agree_with_the_scalar_ones() -> None:
    rng = random.Random(5)
    ids = [make_id_number("310116", dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20000)),
                          rng.randrange(500), "female") for _ in range(300)]  # fmt: skip
    mutated = [s[:i] + rng.choice("0123456789X") + s[i + 1 :] for s in ids for i in [rng.randrange(18)]]
    odd = ["", "123", "31011619900230001X", "3101161990010100ab", "31011619900101001x"]
    values = ids + mutated + odd
    got = pl.DataFrame({"v": values}).select(checks.id_number_valid(pl.col("v")))["v"].to_list()
    assert got == [id_number_problem(v) is None for v in values]
    codes = [make_credit_code("310116", rng.randrange(10**9)) for _ in range(300)]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXYIOZSV"
    bad_codes = [s[:i] + rng.choice(alphabet) + s[i + 1 :] for s in codes for i in [rng.randrange(18)]]
    values = codes + bad_codes + ["", "91310116MA1FL0000"]
    got = pl.DataFrame({"v": values}).select(checks.credit_code_valid(pl.col("v")))["v"].to_list()
    assert got == [credit_code_problem(v) is None for v in values]


def test_amount_and_months_above_cap() -> None:
    inputs = clean()
    worker, employer, _ = js11_worker(inputs, 4)
    youth = js02_person(inputs)
    inputs = add_payments(inputs, [
        {"policy": "JS-11", "beneficiary": employer, "subject": worker, "month": dt.date(2027, 3, 1),
         "amount_fen": 50_000},
        {"policy": "JS-02", "beneficiary": youth, "subject": youth, "month": dt.date(2027, 3, 1),
         "amount_fen": 150_000},
    ])  # fmt: skip
    over = flags_of(inputs, "amount_above_cap")
    assert over.height == 1 and "1500.00元" in over["detail"][0] and "1000.00元" in over["detail"][0]
    months = flags_of(inputs, "months_above_cap")
    found = {(r["subject_id"], r["flag_key"]) for r in months.iter_rows(named=True)}
    n_worker = inputs.payments.filter((pl.col("subject") == worker) & (pl.col("policy") == "JS-11")).height
    # the cap keys are the rules' (Measure.cap): JS-02 counts per beneficiary × subject
    expected = {(youth, f"JS-02|{youth}")} | ({(worker, f"JS-11|{employer}")} if n_worker > 12 else set())
    assert found == expected


def test_reversed_payments_are_ignored() -> None:
    inputs = clean()
    person, employer, month = js11_worker(inputs)
    inputs = add_payments(inputs, [{"policy": "JS-11", "beneficiary": other_employer(inputs, employer),
                                    "subject": person, "month": month, "amount_fen": 50_000}])  # fmt: skip
    payments = inputs.payments.with_columns(
        state=pl.when(pl.col("payment_id").str.starts_with("X"))
        .then(pl.lit("reversed"))
        .otherwise(pl.col("state"))
    )
    assert flags_of(replace(inputs, payments=payments), "double_claim").is_empty()


@pytest.mark.parametrize("check", list(checks.CHECKS))
def test_every_check_handles_empty_inputs(check: str) -> None:
    out = checks.CHECKS[check](Inputs())
    assert out.is_empty() and out.schema == pl.Schema(checks.FLAG_SCHEMA)


def test_amount_above_cap_reads_the_bound_declared_on_the_measure() -> None:
    """Issue 9 (6): JS-01a's fee could be ¥987,654,321 unflagged; supervision now reads the measure's bound."""
    from jiuye.rules.catalog import get_measure

    inputs = clean()
    youth = js02_person(inputs)
    bound = get_measure("JS-01a").meta.line_bound_fen
    assert bound is not None
    inputs = add_payments(inputs, [
        {"policy": "JS-01a", "beneficiary": youth, "subject": youth, "month": dt.date(2027, 3, 1),
         "amount_fen": 98_765_432_100},
        {"policy": "JS-01a", "beneficiary": youth, "subject": youth, "month": dt.date(2027, 4, 1),
         "amount_fen": bound},
    ])  # fmt: skip
    over = flags_of(inputs, "amount_above_cap")
    assert over.height == 1 and "987654321.00元" in over["detail"][0], over["detail"].to_list()


def test_the_list_of_checks_is_built_from_the_family_modules() -> None:
    import importlib
    import pkgutil

    families = [importlib.import_module(f"jiuye.supervision.checks.{m.name}") for m in pkgutil.iter_modules(checks.__path__)]
    declared = [name for f in sorted((f for f in families if hasattr(f, "TITLES")), key=lambda f: f.FAMILY) for name in f.TITLES]
    assert list(checks.CHECKS) == declared == list(checks.CHECK_TITLES)
    assert len(declared) == 15 and len({f.FAMILY for f in families if hasattr(f, "TITLES")}) == 8
