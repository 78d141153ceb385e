"""What would change a failed condition (issue 13): every declared threshold, over every measure.

- The inventory: every condition that declares a :class:`~jiuye.rules.measure.Threshold` is in
  :data:`HINTED` (a case where it fails and says what would change it) or :data:`SILENT` (a maximum: time
  cannot undo it), and names the case fact its hint moves.  A new threshold without a case fails here.
- Each hint, applied to its case — the declared fact moved to the day or count the hint names — makes
  that condition met when evaluated again (and the hint goes away).  The days follow G9 (durations by
  adding, month-end clamping) and G1 (超过 excludes the number, 以上 includes it): the exact texts are
  checked on the boundary days.
- No condition without a declared threshold ever carries a hint: checked on every policy case of
  tests/rules/cases by ``test_policy_cases`` (the same evaluation, no second run).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from jiuye.rules import evaluate
from jiuye.rules.catalog import all_measures
from jiuye.rules.dates import add_months, parse_month
from jiuye.rules.engine import measure_parameters
from jiuye.rules.measure import Condition, Context, Threshold

WINDOW = {"from": "2023-01", "to": "2026-10"}


def conditions_of(measure_id: str, overrides: dict[str, Any] | None = None) -> list[Condition]:
    measure = next(m for m in all_measures() if m.id == measure_id)
    ctx = Context(dt.date(2023, 1, 1), dt.date(2026, 10, 1), dict(overrides or {}))
    p = measure_parameters(measure, overrides)
    return [*measure.all_conditions(p, ctx), *measure.monthly_conditions(p, ctx)]


def declared() -> dict[tuple[str, str], Threshold]:
    out = {}
    for m in all_measures():
        if m.computable:
            for c in conditions_of(m.id):
                if c.threshold is not None:
                    out[(m.id, c.key)] = c.threshold
    return out


# ----------------------------------------------------------------------------- case builders
def person(pid: str = "p1", birth: str = "1998-03-01", gender: str = "male", hukou: str | None = "jinshan",
           **facts: Any) -> dict[str, Any]:  # fmt: skip
    return {"id": pid, "birth_date": birth, "gender": gender,
            "hukou": {"district": hukou, "agricultural": facts.pop("agricultural", False)}, **facts}  # fmt: skip


def employer(eid: str = "e1", district: str = "jinshan", size: str = "small") -> dict[str, Any]:
    return {"id": eid, "name": "某某制造有限公司", "type": "enterprise", "district": district, "size": size,
            "state_owned": False}  # fmt: skip


def case(persons: list[dict[str, Any]], employers: list[dict[str, Any]] = (), **more: Any) -> dict[str, Any]:  # type: ignore[assignment]
    return {"evaluate": dict(WINDOW), "persons": persons, "employers": list(employers), **more}


def insured(employer_id: str, first: str, n: int) -> list[dict[str, Any]]:
    start = parse_month(first)
    return [{"month": add_months(start, i).strftime("%Y-%m"), "scheme": "urban_employee", "employer": employer_id,
             "base": 7310, "paid": True} for i in range(n)]  # fmt: skip


def contract(start: str, end: str | None = None, employer_id: str = "e1") -> dict[str, Any]:
    return {"employer": employer_id, "start": start, "end": end, "registered": True}


BACHELOR = [{"level": "bachelor", "full_time": True, "graduation_date": "2024-06-30", "school_district": "songjiang"}]
PAIRED = [{"kind": "paired_region_rural_labor", "from": "2020-01-01", "to": None}]
HARDSHIP = [{"kind": "employment_hardship", "from": "2020-01-01", "to": None}]
BASE = [{"id": "o1", "kind": "internship_base", "district": "jinshan"}]
STUDENT = [{**BACHELOR[0], "graduation_date": "2025-06-30"}]
GRADUATING_2024 = [{"level": "bachelor", "full_time": True, "graduation_date": "2024-06-30",
                    "school_district": "chongming"}]  # fmt: skip


def paired_worker() -> dict[str, Any]:
    return case([person(hukou=None, statuses=PAIRED, contracts=[contract("2024-03-01")],
                        social_insurance=insured("e1", "2024-03", 1))], [employer()])  # fmt: skip


# (measure, condition key) -> (subject, case where the condition fails, the exact hint)
HINTED: dict[tuple[str, str], tuple[str, dict[str, Any], str]] = {
    # 超过6个月 (G1: excludes the day) from 2023-08-31: + 6 months clamps to 2024-02-29 (G9), so 2024-03-01
    ("JS-02", "long_unemployed"): ("p1", case([person(
        unemployment_registrations=[{"from": "2023-08-31", "to": None}],
        flexible_employment=[{"registered_on": "2024-02-29", "ended_on": None}])]),
        "失业登记满6个月后（2024-03-01起）办理灵活就业登记即可申请"),
    ("JS-03a", "insured_months"): ("p1", case([person(
        education=BACHELOR, contracts=[contract("2024-07-01")], social_insurance=insured("e1", "2024-07", 4))],
        [employer()]), "在该单位缴纳社会保险费再满2个月后"),
    # G7 with G9's clamp: a contract from 2024-02-29 is one year or more with an end on or after 2025-02-27
    ("JS-03a", "contract_term"): ("p1", case([person(
        education=BACHELOR, contracts=[contract("2024-02-29", "2025-02-26")])], [employer()]),
        "劳动合同期限延长（续订）至2025-02-27或之后即可申请"),
    ("JS-04", "contract_term"): ("p1", case([person(
        agricultural=True, contracts=[contract("2023-07-01", "2024-06-29")])], [employer(district="pudong")]),
        "劳动合同期限延长（续订）至2024-06-30或之后即可申请"),
    ("JS-04", "start_from"): ("p1", case([person(agricultural=True, contracts=[contract("2022-12-31")])],
                                         [employer(district="pudong")]),
                              "劳动合同起始日在2023-01-01或之后即可申请"),
    # monthly: 16 reached on the birthday by adding years (G2/G9); a month counts when 16 by its end
    ("JS-04", "working_age"): ("p1", case([person(
        birth="2011-06-15", agricultural=True, contracts=[contract("2023-07-01")],
        social_insurance=insured("e1", "2023-07", 3))], [employer(district="pudong")]),
        "年满16周岁后（2027-06-15起）"),
    # registered 2024-03-01: one year complete on 2025-02-28 (+1 year − 1 day), evaluated up to 2024-12
    ("JS-07c", "operating_years"): ("o1", {
        "evaluate": {"from": "2024-01", "to": "2024-12"}, "persons": [],
        "organizations": [{"id": "o1", "kind": "startup", "district": "jinshan", "landing": {
            "registered_on": "2024-03-01", "award_on": "2023-11-01", "approved_amount": 80000,
            "operating_normally": True, "employs_jinshan_hukou": True}}]},
        "在本区正常运营满1年后（2025-02-28起）即可申请"),
    ("JS-11", "insured_months"): ("p1", paired_worker(), "在该单位缴纳本市社会保险费再满2个月后"),
    ("JS-12", "insured_months"): ("p1", paired_worker(), "在该单位缴纳本市社会保险费再满2个月后"),
    ("JS-13", "insured_months"): ("p1", paired_worker(), "在该单位缴纳本市社会保险费再满2个月后"),
    ("CM-04b", "contract_term"): ("p1", case([person(hukou="chongming", contracts=[contract("2023-03-31", "2024-03-29")])],
                                              [employer(district="chongming")]),
                                  "劳动合同期限延长（续订）至2024-03-30或之后即可申请"),
    ("CM-04b", "start_from"): ("p1", case([person(hukou="chongming", contracts=[contract("2022-11-15")])],
                                          [employer(district="chongming")]),
                               "劳动合同起始日在2023-01-01或之后即可申请"),
    ("CM-10a", "start_from"): ("p1", case([person(hukou="chongming", statuses=HARDSHIP,
                                                  contracts=[contract("2022-10-01")])], [employer(district="chongming")]),
                               "招用或灵活就业登记之日在2023-01-01或之后即可申请"),
    # 三个月以上 includes the number (G1): from 2023-03-31, + 3 months = 2023-06-30 (G9), that very day
    ("CM-10d", "unemployed"): ("p1", case([person(
        hukou="chongming", unemployment_registrations=[{"from": "2023-03-31", "to": None}],
        contracts=[contract("2023-06-29")])], [employer(district="chongming")]),
        "失业登记满3个月后（2023-06-30起）招用即可申请"),
    # the catalog's G9 example: out of work from 2023-03-31 (last worked 03-30), hired 2023-06-30 = 3 months
    ("CM-10e", "out_of_work"): ("p1", case([person(
        hukou="chongming", flexible_employment=[{"registered_on": "2022-01-01", "ended_on": "2023-03-30"}],
        contracts=[contract("2023-06-29")])], [employer(district="chongming")]),
        "失（无）业满3个月后（2023-06-30起）录用即可申请"),
    # 50周岁以上 includes 50; born 1976-02-29, the 50th birthday is 2026-02-28 (G9 clamp, G2)
    ("CM-10f", "older"): ("p1", case([person(
        birth="1976-02-29", hukou="chongming", unemployment_registrations=[{"from": "2024-01-01", "to": None}],
        flexible_employment=[{"registered_on": "2025-06-01", "ended_on": None}])]),
        "年满50周岁后（2026-02-28起）办理灵活就业登记即可申请"),
    ("CM-10f", "start_from"): ("p1", case([person(
        birth="1970-05-01", hukou="chongming", unemployment_registrations=[{"from": "2022-01-01", "to": None}],
        flexible_employment=[{"registered_on": "2022-12-31", "ended_on": None}])]),
        "灵活就业登记日在2023-01-01或之后即可申请"),
    # ---- any of several branches (AnyOf): the hint is the branch reachable first
    # a bachelor student (school in Songjiang) graduating 2025-06-30, neither a Shanghai hukou (a) nor a
    # graduate (b): an internship from 2024-07-01 starts in the graduating school year (+12 months > 06-30)
    ("JS-01b", "internship_group"): ("p1", case([person(hukou=None, education=STUDENT, internships=[
        {"base": "o1", "start": "2023-09-01", "end": None, "contract_signed_on": None}])], organizations=BASE),
        "进入毕业学年后（2024-07-01起）参加就业见习即可申请"),
    # the same for JS-03b's allowance: a Jinshan hukou aged 43 (over 35: (a) cannot help)
    ("JS-03b", "intern_eligible"): ("p1", case([person(birth="1980-05-01", education=STUDENT, internships=[
        {"base": "o1", "start": "2023-09-01", "end": None, "contract_signed_on": None}])],
        organizations=BASE),
        "进入毕业学年后（2024-07-01起）参加就业见习即可申请"),
    # (c) 16-24 and registered unemployed: 16 on 2023-08-20 (G2), still registered the day before, in 2023
    ("CM-04a", "target_group"): ("p1", case([person(
        birth="2007-08-20", hukou="chongming", unemployment_registrations=[{"from": "2023-01-01", "to": None}],
        contracts=[contract("2023-05-01")], social_insurance=insured("e1", "2023-05", 2))],
        [employer(district="chongming")]), "年满16周岁后（2023-08-20起）招用即可申请"),
    # 毕业年度: graduating 2024-06-30, hired in 2023 — a hire from 2024-01-01 is in the graduation year
    ("CM-04b", "graduate"): ("p1", case([person(hukou="chongming", education=GRADUATING_2024,
                                                contracts=[contract("2023-03-01")])], [employer(district="chongming")]),
                             "进入毕业年度后（2024-01-01起）招用即可申请"),
    # 离校2年内 counts from graduation (毕业日≤S): hired before graduating, a hire on that day meets it
    ("CM-09", "recent_graduate"): ("p1", case([person(hukou="chongming", education=GRADUATING_2024,
                                                      contracts=[contract("2023-05-01")])],
                                              [employer(district="chongming")]), "毕业后（2024-06-30起）招用即可申请"),
}  # fmt: skip

# thresholds a person cannot reach by waiting or acting (a maximum): declared, never a hint
SILENT: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("JS-02", "age"): ("p1", case([person(
        birth="1987-03-01", unemployment_registrations=[{"from": "2023-01-05", "to": None}],
        flexible_employment=[{"registered_on": "2023-09-01", "ended_on": None}])])),
}  # fmt: skip


def explained(data: dict[str, Any], policy: str, subject: str, key: str) -> dict[str, Any]:
    """The condition ``key`` of ``policy`` in the explanation of ``subject``."""
    text = next(c.text for c in conditions_of(policy) if c.key == key)
    found = [e for e in evaluate(copy.deepcopy(data), explain=True).to_json()["explanations"]
             if e["policy"] == policy and e["subject"] == subject]  # fmt: skip
    assert len(found) == 1, (policy, subject)
    matches = [c for c in found[0]["conditions"] if c["text"] in (text, text + "（按月）")]  # 按月: monthly
    assert len(matches) == 1, (policy, key, found[0]["conditions"])
    return matches[0]


def _person(data: dict[str, Any], subject: str) -> dict[str, Any]:
    return next(p for p in data["persons"] if p["id"] == subject)


def move(data: dict[str, Any], fact: str, subject: str, hint: str) -> dict[str, Any]:
    """The case with the declared ``fact`` moved to what ``hint`` names (a day, or N more units)."""
    data = copy.deepcopy(data)
    day = re.search(r"\d{4}-\d{2}-\d{2}", hint)
    if fact == "social_insurance":
        more = int(re.search(r"再满(\d+)", hint).group(1))  # type: ignore[union-attr]
        records = _person(data, subject)["social_insurance"]
        last = max(parse_month(r["month"]) for r in records)
        records += insured(records[0]["employer"], add_months(last, 1).strftime("%Y-%m"), more)
        return data
    assert day is not None, hint
    value = day.group(0)
    if fact == "evaluate.to":
        data["evaluate"]["to"] = value[:7]
        return data
    if fact == "contracts.start|flexible_employment.registered_on":
        fact = "contracts.start" if _person(data, subject).get("contracts") else "flexible_employment.registered_on"
    table, field = fact.split(".")
    records = _person(data, subject)[table]
    records[-1][field] = value  # the builders put the record the condition reads last
    return data


def test_every_declared_threshold_has_a_case_and_names_its_fact() -> None:
    found = declared()
    assert set(found) == set(HINTED) | set(SILENT), "每个声明了门槛的条件都要有一个检验提示的案例"
    for key, threshold in found.items():
        assert threshold.fact, f"{key}: 门槛须声明提示所移动的案例事实"
        assert threshold.upward == (key in HINTED), key


@pytest.mark.parametrize("key", sorted(HINTED), ids=[f"{m}/{k}" for m, k in sorted(HINTED)])
def test_the_hint_applied_to_the_case_meets_the_condition(key: tuple[str, str]) -> None:
    policy, condition = key
    subject, data, expected = HINTED[key]
    before = explained(data, policy, subject, condition)
    assert before["met"] is False and before.get("hint") == expected
    after = explained(move(data, declared()[key].fact, subject, expected), policy, subject, condition)
    assert after["met"] is True and "hint" not in after, after


def test_one_day_or_one_unit_short_of_the_hint_is_still_not_met() -> None:
    """The hinted day is the first one: the day before does not meet the condition (G1/G9 boundaries)."""
    for (policy, condition), (subject, data, expected) in HINTED.items():
        day = re.search(r"\d{4}-\d{2}-\d{2}", expected)
        if day is None or declared()[(policy, condition)].fact == "evaluate.to":
            continue  # counts are checked by the exact number; the evaluation month has no day before
        earlier = (dt.date.fromisoformat(day.group(0)) - dt.timedelta(days=1)).isoformat()
        short = move(data, declared()[(policy, condition)].fact, subject, earlier)
        assert explained(short, policy, subject, condition)["met"] is False, (policy, condition, earlier)


@pytest.mark.parametrize("key", sorted(SILENT), ids=[f"{m}/{k}" for m, k in sorted(SILENT)])
def test_a_maximum_passed_says_nothing(key: tuple[str, str]) -> None:
    subject, data = SILENT[key]
    found = explained(data, key[0], subject, key[1])
    assert found["met"] is False and "hint" not in found


def test_no_hint_names_a_day_after_the_measure_window() -> None:
    """G4: JS measures end 2027-12; a registration that would qualify only in 2028 gets no hint."""
    data = case([person(unemployment_registrations=[{"from": "2027-07-01", "to": None}],
                        flexible_employment=[{"registered_on": "2027-10-01", "ended_on": None}])])  # fmt: skip
    data["evaluate"] = {"from": "2027-01", "to": "2027-12"}
    found = explained(data, "JS-02", "p1", "long_unemployed")
    assert found["met"] is False and "hint" not in found


def test_no_hint_for_a_graduation_whose_years_ended_before_new_employment_counts() -> None:
    """CM-09: hired in 2012, graduated 2014-06-30 — a hire from graduation day would have to fall by
    2016-06-30 (离校2年内), before 新增就业 counts (2023-01-01): no day can meet it, so no hint; graduated
    2021-06-30, the two years reach into 2023 and the hint stands."""
    old = [{**GRADUATING_2024[0], "graduation_date": "2014-06-30"}]
    data = case([person(hukou="chongming", education=old, contracts=[contract("2012-01-25")])],
                [employer(district="chongming")])  # fmt: skip
    found = explained(data, "CM-09", "p1", "recent_graduate")
    assert found["met"] is False and "hint" not in found, found
    recent = [{**GRADUATING_2024[0], "graduation_date": "2021-06-30"}]
    data = case([person(hukou="chongming", education=recent, contracts=[contract("2020-01-25")])],
                [employer(district="chongming")])  # fmt: skip
    assert explained(data, "CM-09", "p1", "recent_graduate").get("hint") == "毕业后（2021-06-30起）招用即可申请"


DAYS = st.dates(dt.date(2023, 1, 1), dt.date(2025, 6, 30))


@settings(max_examples=25)
@given(start=DAYS, offset=st.integers(1, 200))
def test_js02_hint_day_is_the_first_day_more_than_six_months_after(start: dt.date, offset: int) -> None:
    """G9 + G1 on random days (month ends and 29 February included by the strategy's reach): the hinted
    day is start + 6 months (clamped) + 1 day (超过 excludes the number); the day before it does not meet."""
    registered = start + dt.timedelta(days=offset)
    data = case([person(unemployment_registrations=[{"from": start.isoformat(), "to": None}],
                        flexible_employment=[{"registered_on": registered.isoformat(), "ended_on": None}])])  # fmt: skip
    found = explained(data, "JS-02", "p1", "long_unemployed")
    first = add_months(start, 6) + dt.timedelta(days=1)
    assert found["met"] is (registered >= first)
    if not found["met"]:
        assert found["hint"] == f"失业登记满6个月后（{first.isoformat()}起）办理灵活就业登记即可申请"
        fact = "flexible_employment.registered_on"
        assert explained(move(data, fact, "p1", found["hint"]), "JS-02", "p1", "long_unemployed")["met"] is True


@settings(max_examples=25)
@given(birth=st.dates(dt.date(1972, 1, 1), dt.date(1980, 12, 31)), gender=st.sampled_from(["male", "female"]))
def test_cm10f_hint_day_is_the_birthday_by_adding_years(birth: dt.date, gender: str) -> None:
    """G2 + G9: 50 (men) / 40 (women) 周岁以上 is reached on birth + N years (29 February → 28 February)."""
    registered = dt.date(2023, 3, 1)
    years = 50 if gender == "male" else 40
    data = case([person(birth=birth.isoformat(), gender=gender, hukou="chongming",
                        unemployment_registrations=[{"from": "2022-01-01", "to": None}],
                        flexible_employment=[{"registered_on": registered.isoformat(), "ended_on": None}])])  # fmt: skip
    found = explained(data, "CM-10f", "p1", "older")
    birthday = add_months(birth, 12 * years)
    assert found["met"] is (registered >= birthday)
    if not found["met"]:
        assert found["hint"] == f"年满{years}周岁后（{birthday.isoformat()}起）办理灵活就业登记即可申请"
        assert explained(move(data, "flexible_employment.registered_on", "p1", found["hint"]),
                         "CM-10f", "p1", "older")["met"] is True  # fmt: skip


# ----------------------------------------------------------------------------- a hint promises no day on which
# another premise has ended (Threshold.latest): the unemployment registration must still be open the day before
@settings(max_examples=25)
@given(start=DAYS, offset=st.integers(1, 200), length=st.integers(1, 400))
def test_js02_hint_only_while_the_registration_is_still_open(
    start: dt.date, offset: int, length: int
) -> None:
    """A registration that ended: the hint names a day only if the day before it is still registered, and
    then moving the flexible-employment registration there meets the condition (nothing else fails)."""
    end = start + dt.timedelta(days=length)
    registered = start + dt.timedelta(days=offset)
    data = case([person(unemployment_registrations=[{"from": start.isoformat(), "to": end.isoformat()}],
                        flexible_employment=[{"registered_on": registered.isoformat(), "ended_on": None}])])  # fmt: skip
    found = explained(data, "JS-02", "p1", "long_unemployed")
    first = add_months(start, 6) + dt.timedelta(days=1)
    covered = registered - dt.timedelta(days=1) <= end
    if found["met"]:
        return
    assert ("hint" in found) is (covered and first - dt.timedelta(days=1) <= end), (found, end)
    if "hint" in found:
        moved = move(data, "flexible_employment.registered_on", "p1", found["hint"])
        assert explained(moved, "JS-02", "p1", "long_unemployed")["met"] is True


@pytest.mark.parametrize(("policy", "condition", "fact", "data"), [
    # registered 2023-08-31 → 2024-02-10: the first day more than 6 months after is 2024-03-01, by then closed
    ("JS-02", "long_unemployed", "flexible_employment.registered_on", case([person(
        unemployment_registrations=[{"from": "2023-08-31", "to": "2024-02-10"}],
        flexible_employment=[{"registered_on": "2024-01-10", "ended_on": None}])])),
    # registered 2023-03-31 → 2023-06-20; 3 months complete on 2023-06-30, the registration closed before
    ("CM-10d", "unemployed", "contracts.start", case([person(
        hukou="chongming", unemployment_registrations=[{"from": "2023-03-31", "to": "2023-06-20"}],
        contracts=[contract("2023-05-01")])], [employer(district="chongming")])),
    # 50 on 2026-02-28, the unemployment registration ended 2025-12-31: registering at 50 finds none open
    ("CM-10f", "older", "flexible_employment.registered_on", case([person(
        birth="1976-02-29", hukou="chongming", unemployment_registrations=[{"from": "2024-01-01", "to": "2025-12-31"}],
        flexible_employment=[{"registered_on": "2025-06-01", "ended_on": None}])])),
])  # fmt: skip
def test_no_hint_for_a_day_after_the_registration_closed(policy: str, condition: str, fact: str,
                                                         data: dict[str, Any]) -> None:  # fmt: skip
    found = explained(data, policy, "p1", condition)
    assert found["met"] is False and "hint" not in found, found
    # the same case with the registration still open gets its hint, and the hint then meets it
    data = copy.deepcopy(data)
    data["persons"][0]["unemployment_registrations"][0]["to"] = None
    found = explained(data, policy, "p1", condition)
    assert found["met"] is False and found.get("hint"), found
    assert explained(move(data, fact, "p1", found["hint"]), policy, "p1", condition)["met"] is True


@settings(max_examples=25)
@given(graduation=st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30)), start=DAYS)
@example(graduation=dt.date(2025, 2, 28), start=dt.date(2023, 9, 1))  # − 12 months + 1 day = 02-29: too early
def test_js01b_hint_is_the_first_day_in_the_graduating_year(graduation: dt.date, start: dt.date) -> None:
    """G1 + G9 on random days: the hinted internship start D is the first day with D + 12 months > graduation
    (adding months clamps at month ends, so it is not simply graduation − 12 months + 1 day); the day before
    D does not meet it and D does."""
    assume(start < graduation)  # from graduation on, (b) 离校2年内 decides (not a hint of this branch)
    education = [{**STUDENT[0], "graduation_date": graduation.isoformat()}]
    data = case([person(hukou=None, education=education, internships=[
        {"base": "o1", "start": start.isoformat(), "end": None, "contract_signed_on": None}])], organizations=BASE)  # fmt: skip
    found = explained(data, "JS-01b", "p1", "internship_group")
    in_year = start <= graduation < add_months(start, 12)
    assert found["met"] is in_year
    if found["met"]:
        assert "hint" not in found
        return
    day = dt.date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", found["hint"]).group(0))  # type: ignore[union-attr]
    assert add_months(day, 12) > graduation >= add_months(day - dt.timedelta(days=1), 12)
    moved = move(data, "internships.start", "p1", found["hint"])
    assert explained(moved, "JS-01b", "p1", "internship_group")["met"] is True


def test_any_of_names_the_branch_reachable_first() -> None:
    """AnyOf compares its branches: the earliest day among dated hints, else the fewest missing units;
    branches that cannot be reached (a maximum, a plain expression) say nothing."""
    import polars as pl

    from jiuye.rules.measure import AnyOf

    day = pl.col("day")
    early = Threshold("以上", day, pl.col("a"), "date", action="甲", fact="x")
    late = Threshold("以上", day, pl.col("b"), "date", action="乙", fact="x")
    count = Threshold("满", pl.col("n"), 5, "count", action="丙", unit="个月", fact="x")
    never = Threshold("以下", pl.col("n"), 1, "count", action="丁", unit="个月", fact="x")
    frame = pl.DataFrame({"day": [dt.date(2024, 1, 1)] * 3, "n": [3, 3, 9],
                          "a": [dt.date(2024, 5, 1), None, None], "b": [dt.date(2024, 3, 1), None, None]})  # fmt: skip
    both = AnyOf((pl.lit(False), never, count, early, late), fact="x")
    out = frame.select(hint=both.hint(), met=both.expr)["hint"].to_list()
    # row 3: n ≥ 5 is met (no hint needed)
    assert out == ["乙在2024-03-01或之后即可申请", "丙再满2个月后", None]
    assert frame.select(met=both.expr)["met"].to_list() == [False, False, True]
    assert not AnyOf((pl.lit(True), never), fact="x").upward and both.upward


def test_a_constant_day_is_checked_against_latest_on_every_row() -> None:
    """A threshold with a constant day and a ``latest`` column: where it may be said is decided per row, also
    when ``latest`` holds one repeated value (a column set by ``pl.lit`` or frames concatenated) — Polars 2.1
    compared a literal on the LEFT with such a column into one row (``select`` raised a ShapeError)."""
    import polars as pl

    threshold = Threshold("及以上", pl.col("day"), dt.date(2024, 1, 1), "date", action="办理", fact="x",
                          latest=pl.col("latest"))  # fmt: skip
    _, _, _, possible = threshold.hint_parts()
    assert possible is not None
    days = pl.DataFrame({"day": [dt.date(2023, 6, 1)] * 3})
    for latest, expected in ((dt.date(2025, 1, 1), True), (dt.date(2023, 12, 31), False)):
        repeated = days.with_columns(latest=pl.lit(latest))
        concatenated = pl.concat([days.head(1).with_columns(latest=pl.lit(latest))] * 3)
        for frame in (repeated, concatenated):
            assert frame.select(possible=possible)["possible"].to_list() == [expected] * 3
            hinted = frame.select(hint=threshold.hint(where=pl.col("day") < dt.date(2024, 1, 1)))["hint"]
            assert hinted.to_list() == ["办理在2024-01-01或之后即可申请" if expected else None] * 3
