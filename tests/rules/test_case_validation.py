"""Bad input is rejected before anything is computed: one line per problem, naming its JSON path."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jiuye.rules.case import CaseError, case_to_json, load_case_text, parse_case
from jiuye.rules.identifiers import make_id_number

GOOD: dict[str, Any] = {
    "evaluate": {"from": "2024-01", "to": "2024-12"},
    "persons": [{
        "id": "p1", "id_number": make_id_number("310116", dt.date(1995, 4, 1), 3, "male"),
        "birth_date": "1995-04-01", "gender": "male", "hukou": {"district": "jinshan", "agricultural": False},
        "education": [{"level": "bachelor", "full_time": True, "graduation_date": "2023-06-30",
                       "school_district": "songjiang"}],
        "contracts": [{"employer": "e1", "start": "2023-07-01", "end": None, "registered": True,
                       "referred_by": "o1"}],
        "social_insurance": [{"month": "2023-07", "scheme": "urban_employee", "employer": "e1", "base": 7310,
                              "paid": True}],
    }],
    "employers": [{"id": "e1", "name": "某某制造有限公司", "type": "enterprise", "district": "jinshan",
                   "size": "small", "state_owned": False}],
    "organizations": [{"id": "o1", "kind": "hr_agency", "district": "jinshan", "quality_certified": True}],
    "payments": [{"policy": "JS-02", "beneficiary": "p1", "subject": "p1", "month": "2023-09", "amount": 1000}],
}  # fmt: skip


def problems(case: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(case)
    return info.value.problems


def mutate(path: list[Any], value: Any, *, delete: bool = False) -> dict[str, Any]:
    case = copy.deepcopy(GOOD)
    target = case
    for step in path[:-1]:
        target = target[step]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return case


def test_good_case_parses() -> None:
    case = parse_case(GOOD)
    assert case.facts.persons.height == 1
    assert case.facts.social_insurance["base_fen"].to_list() == [731000]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (["persons", 0, "birth_date"], "1995-13-01", "persons[0].birth_date: 不是有效日期"),
        (["persons", 0, "gender"], "m", "persons[0].gender: 未知取值 'm'"),
        (["persons", 0, "hukou", "district"], "shanghai", "persons[0].hukou.district: 未知取值"),
        (["persons", 0, "contracts", 0, "employer"], "e9", "persons[0].contracts[0].employer: 引用了不存在的 id"),
        (["persons", 0, "contracts", 0, "referred_by"], "e1", "应引用 organization"),
        (["persons", 0, "social_insurance", 0, "month"], "2023-7", "social_insurance[0].month: 不是有效月份"),
        (["persons", 0, "social_insurance", 0, "paid"], "yes", "paid: 应为 true 或 false"),
        (["persons", 0, "id_number"], "310116199504011234", "persons[0].id_number: 身份证号码校验位错误"),
        (["employers", 0, "type"], "company", "employers[0].type: 未知取值"),
        (["payments", 0, "policy"], "JS-99", "payments[0].policy: 未知措施编号"),
        (["payments", 0, "amount"], 1000.005, "payments[0].amount"),
        (["evaluate", "from"], "2025-01", "evaluate: from 晚于 to"),
        (["organizations", 0, "id"], "p1", "organizations[0].id: id 重复"),
        (["persons", 0, "died_on"], "2024-02-30", "persons[0].died_on: 不是有效日期"),
        (["persons", 0, "hukou", "moved_out_on"], "2024/05/31", "persons[0].hukou.moved_out_on: 不是有效日期"),
        (["employers", 0, "deregistered_on"], 20240101, "employers[0].deregistered_on: 不是有效日期"),
        (["organizations", 0, "deregistered_on"], "soon", "organizations[0].deregistered_on: 不是有效日期"),
    ],
)
def test_each_problem_names_its_path(path: list[Any], value: Any, expected: str) -> None:
    found = problems(mutate(path, value))
    assert any(expected in p for p in found), found


def test_missing_required_fields() -> None:
    assert "persons[0].birth_date: 缺少必填字段" in problems(mutate(["persons", 0, "birth_date"], None, delete=True))
    assert any(p.startswith("evaluate") for p in problems(mutate(["evaluate"], None, delete=True)))


def test_id_number_must_agree_with_birth_date_and_gender() -> None:
    found = problems(mutate(["persons", 0, "birth_date"], "1995-04-02"))
    assert any("与 birth_date" in p for p in found)
    found = problems(mutate(["persons", 0, "gender"], "female"))
    assert any("性别" in p for p in found)


def test_all_problems_reported_at_once() -> None:
    case = mutate(["persons", 0, "gender"], "x")
    case["employers"][0]["type"] = "y"
    assert len(problems(case)) == 2


def test_malformed_json() -> None:
    with pytest.raises(CaseError, match="不是合法的 JSON"):
        load_case_text("{not json")


def test_rev2_end_dates_are_read_and_written_back() -> None:
    """G13's fields (case format rev. 2): death, hukou move-out, deregistration of employers and organisations."""
    data = copy.deepcopy(GOOD)
    data["persons"][0]["died_on"] = "2024-06-15"
    data["persons"][0]["hukou"]["moved_out_on"] = "2024-03-31"
    data["employers"][0]["deregistered_on"] = "2024-02-29"
    data["organizations"][0]["deregistered_on"] = "2024-01-31"
    case = parse_case(data)
    assert case.facts.persons.select("died_on", "hukou_moved_out_on").row(0) == (dt.date(2024, 6, 15), dt.date(2024, 3, 31))
    assert case.facts.employers["deregistered_on"].to_list() == [dt.date(2024, 2, 29)]
    assert case.facts.organizations["deregistered_on"].to_list() == [dt.date(2024, 1, 31)]
    out = case_to_json(case.facts, case.window_from, case.window_to)
    assert out["persons"][0]["died_on"] == "2024-06-15" and out["persons"][0]["hukou"]["moved_out_on"] == "2024-03-31"
    assert out["employers"][0]["deregistered_on"] == "2024-02-29"
    assert out["organizations"][0]["deregistered_on"] == "2024-01-31"
    absent = parse_case(GOOD)  # optional: absent means still alive, still there, still registered
    assert absent.facts.persons["died_on"].to_list() == [None]


def test_case_roundtrip() -> None:
    case = parse_case(GOOD)
    again = parse_case(json.loads(json.dumps(case_to_json(case.facts, case.window_from, case.window_to))))
    for name, frame in case.facts.tables().items():
        assert frame.equals(getattr(again.facts, name)), name


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jiuye.cli", *args], input=stdin, capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_cli_bad_input_exits_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    bad = mutate(["persons", 0, "birth_date"], "1995-13-01")
    bad["employers"][0]["type"] = "company"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
    done = _cli("evaluate", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("persons[0].birth_date: ") and lines[1].startswith("employers[0].type: ")


def test_cli_missing_file_and_not_json(tmp_path: Path) -> None:
    done = _cli("evaluate", str(tmp_path / "nope.json"))
    assert done.returncode == 2 and done.stdout == "" and "找不到案例文件" in done.stderr
    (tmp_path / "x.json").write_text("[1, 2", "utf-8")
    done = _cli("evaluate", str(tmp_path / "x.json"))
    assert done.returncode == 2 and done.stdout == "" and "不是合法的 JSON" in done.stderr


def test_cli_good_case(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD), "utf-8")
    done = _cli("evaluate", str(path))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"entitlements", "findings", "explanations"}
    done = _cli("evaluate", str(path), "--no-explain")
    assert "explanations" not in json.loads(done.stdout)


def test_unknown_parameter_name_of_a_known_measure_is_a_warning() -> None:
    case = parse_case(mutate(["parameters"], {"JS-02.no_such_thing": 5}))
    assert case.parameters == {} and "JS-02.no_such_thing" in case.warnings[0]
    assert any("未知措施编号" in p for p in problems(mutate(["parameters"], {"XX-01.amount": 5})))


def test_parameter_override_changes_the_amount() -> None:
    from jiuye.rules.parameters import load_measure_parameters

    p = load_measure_parameters("JS-02").with_overrides({"JS-02.monthly_amount": 800, "JS-03.x": 1})
    assert p.get("monthly_amount") == 800 and p.source("monthly_amount").startswith("本案例参数覆盖")


def test_an_alias_sets_every_parameter_that_lists_it() -> None:
    from jiuye.rules.parameters import load_measure_parameters

    p = load_measure_parameters("CM-10a").with_overrides({"CM-10a.monthly_amount": 700})
    assert p.get("monthly_amount_employer") == 700 and p.get("monthly_amount_flexible") == 700
