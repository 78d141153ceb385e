"""`jiuye evaluate` on hostile input (issue 10): exit 2, one line per problem with its JSON path, exact
messages (the case reader may be rewritten for speed; these lines and paths must stay), nothing on stdout,
never a traceback, memory bounded."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jiuye.rules import MAX_EXPLAINED_SUBJECTS, evaluate
from jiuye.rules.case import CaseError, load_case_bytes, load_case_text, parse_case
from jiuye.rules.identifiers import normalize_id_number
from jiuye.rules.parameters import UNITS, known_parameter_keys, load_measure_parameters, parameter_for_key
from tests.rules.test_case_validation import GOOD

GOOD_TEXT = json.dumps(GOOD, ensure_ascii=False)


def problems_of_text(text: str) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(load_case_text(text))
    return info.value.problems


def with_text(path: str, literal: str) -> str:
    """GOOD as JSON text with the value at ``path`` (``a.b.0.c``) replaced by a raw JSON literal."""
    marker = "__REPLACE_ME__"
    case = copy.deepcopy(GOOD)
    target: Any = case
    steps = [int(s) if s.isdigit() else s for s in path.split(".")]
    for step in steps[:-1]:
        target = target[step]
    target[steps[-1]] = marker
    return json.dumps(case, ensure_ascii=False).replace(f'"{marker}"', literal)


def run_cli(tmp_path: Path, text: str | bytes, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "case.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return subprocess.run(
        [sys.executable, "-m", "jiuye.cli", "evaluate", str(path), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("path", "literal", "expected"),
    [
        ("persons.0.skill_evaluations", '[{"level": "senior", "date": "2023-04-10", "fee": 100000000000000000000}]',
         "persons[0].skill_evaluations[0].fee: 整数超出 64 位整数的范围：100000000000000000000"),
        ("organizations.0.evaluations", '[{"year": 99999999999999999999, "grade": "A", "published_on": "2024-03-15"}]',
         "organizations[0].evaluations[0].year: 整数超出 64 位整数的范围：99999999999999999999"),
        ("organizations.0.evaluations", '[{"year": 3000, "grade": "A", "published_on": "2024-03-15"}]',
         "organizations[0].evaluations[0].year: 年份应在 1900 至 2100 之间：3000"),
        ("persons.0.social_insurance.0.base", "9" * 5000,
         "persons[0].social_insurance[0].base: 数值位数过多：999999999999…（共 5000 个字符）"),
        ("persons.0.social_insurance.0.base", "1e999999999",
         "persons[0].social_insurance[0].base: 数值超出可处理的范围：1e999999999"),
        ("persons.0.social_insurance.0.base", "-1e-999999999",
         "persons[0].social_insurance[0].base: 数值超出可处理的范围：-1e-999999999"),
        ("persons.0.social_insurance.0.base", "NaN",
         "persons[0].social_insurance[0].base: 不是有限的数（JSON 不允许 NaN、Infinity）：NaN"),
        ("persons.0.social_insurance.0.base", "1e15",
         "persons[0].social_insurance[0].base: 金额超出范围（不超过 1000000000 元）：1E+15"),
        ("payments.0.amount", "9223372036854775807",
         "payments[0].amount: 金额超出范围（不超过 1000000000 元）：9223372036854775807"),
        ("persons.0.id", '"\\ud800"', "persons[0].id: 文本含有孤立的 UTF-16 代理项（如 \\ud800），不是有效的文字"),
        ("employers.0.name", '"A\\udfffB"', "employers[0].name: 文本含有孤立的 UTF-16 代理项（如 \\ud800），不是有效的文字"),
    ],
)  # fmt: skip
def test_numbers_and_strings_the_case_cannot_hold(path: str, literal: str, expected: str) -> None:
    assert problems_of_text(with_text(path, literal)) == [expected]


def test_a_surrogate_pair_is_a_valid_character() -> None:
    case = parse_case(load_case_text(with_text("employers.0.name", '"\\ud83d\\ude00 工作室"')))
    assert case.facts.employers["name"].to_list() == ["😀 工作室"]


def test_deep_nesting_names_the_path_and_line() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    found = problems_of_text(with_text("persons.0.education", deep))
    assert found == [
        "persons[0].education" + "[0]" * 29 + ": JSON 嵌套超过 32 层（第 1 行）；案例格式最多嵌套 6 层"
    ]


def test_deep_nesting_of_objects() -> None:
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    (line,) = problems_of_text(deep)
    assert line == "a" + ".a" * 31 + ": JSON 嵌套超过 32 层（第 1 行）；案例格式最多嵌套 6 层"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("JS-04.monthly_amount", "-800", "parameters.JS-04.monthly_amount: 应在 0 至 10000000 元之间：-800"),
        ("JS-04.monthly_amount", '"abc"', "parameters.JS-04.monthly_amount: 应为数字（单位：元）：'abc'"),
        ("JS-04.monthly_amount", '"800"', "parameters.JS-04.monthly_amount: 应为数字（单位：元）：'800'"),
        ("JS-04.monthly_amount", "0.001", "parameters.JS-04.monthly_amount: 最多 2 位小数：0.001"),
        ("JS-04.monthly_amount", "1e30", "parameters.JS-04.monthly_amount: 数值超出可处理的范围：1e30"),
        ("JS-04.monthly_amount", "true", "parameters.JS-04.monthly_amount: 应为数字（单位：元）：True"),
        ("JS-04.monthly_amount", "[800]", "parameters.JS-04.monthly_amount: 应为数字（单位：元）：[800]"),
        ("JS-04.monthly_amount", "20000000", "parameters.JS-04.monthly_amount: 应在 0 至 10000000 元之间：20000000"),
        ("JS-02.cap_months", "0.5", "parameters.JS-02.cap_months: 应为整数（单位：个月）：0.5"),
        ("JS-02.cap_months", "null", "parameters.JS-02.cap_months: 不能为 null（此参数必须有值）"),
        ("JS-02.max_age", "-1", "parameters.JS-02.max_age: 应在 0 至 150 年（周岁）之间：-1"),
        ("JS-06.percent_of_city_subsidy", "150", "parameters.JS-06.percent_of_city_subsidy: 应在 0 至 100 倍或百分比之间：150"),
        ("CM-04a.contract_start_from", '"2023-02-30"',
         "parameters.CM-04a.contract_start_from: 应为日期（YYYY-MM-DD）：'2023-02-30'"),
        ("CM-04a.graduate_year", "1999", "parameters.CM-04a.graduate_year: 应在 2000 至 2100 年份之间：1999"),
    ],
)  # fmt: skip
def test_parameters_are_checked_against_their_unit_and_range(key: str, value: str, expected: str) -> None:
    text = GOOD_TEXT[:-1] + f', "parameters": {{"{key}": {value}}}}}'
    assert problems_of_text(text) == [expected]


def test_valid_parameter_values_are_converted_to_the_parameters_type() -> None:
    text = (
        GOOD_TEXT[:-1]
        + ', "parameters": {"JS-04.monthly_amount": 800.5, "CM-04a.contract_start_from": "2023-02-01",'
        ' "JS-02.cap_months": 6.0}}'
    )
    case = parse_case(load_case_text(text))
    import datetime as dt
    from decimal import Decimal

    assert case.parameters == {"JS-04.monthly_amount": Decimal("800.5"),
                               "CM-04a.contract_start_from": dt.date(2023, 2, 1), "JS-02.cap_months": 6}  # fmt: skip


def test_every_parameter_declares_a_known_unit_and_its_packaged_values_pass_their_own_check() -> None:
    for key in sorted(known_parameter_keys()):
        for parameter in parameter_for_key(key):
            assert parameter.unit in UNITS, key
            low, high = parameter.bounds()
            assert low is not None and high is not None, key
            for dated in parameter.values:
                parameter.check(dated.value)  # raises on a packaged value outside the declared range
    assert load_measure_parameters("JS-04").parameters["base_multiplier"].bounds() == (1, 10)


def test_minus_800_no_longer_pays_a_negative_amount(tmp_path: Path) -> None:
    case = copy.deepcopy(GOOD) | {"parameters": {"JS-04.monthly_amount": -800}}
    done = run_cli(tmp_path, json.dumps(case))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "parameters.JS-04.monthly_amount: 应在 0 至 10000000 元之间：-800\n"


def test_unknown_fields_warn_and_misspellings_are_errors() -> None:
    case = copy.deepcopy(GOOD)
    case["persons"][0]["nickname"] = "小王"
    case["persons"][0]["hukou"]["note"] = "x"
    case["remark"] = "test"
    assert parse_case(case).warnings == [
        "remark: 未知字段，已忽略（$ 的字段见 case-format.md）",
        "persons[0].nickname: 未知字段，已忽略（persons[0] 的字段见 case-format.md）",
        "persons[0].hukou.note: 未知字段，已忽略（persons[0].hukou 的字段见 case-format.md）",
    ]
    case["persons"][0]["brith_date"] = "1995-04-01"
    case["employers"][0]["stateOwned"] = True
    case["payments"][0]["Amount"] = 5
    assert problems(case) == [
        "employers[0].stateOwned: 未知字段，是否应为 'state_owned'？（见 case-format.md）",
        "payments[0].Amount: 未知字段，是否应为 'amount'？（见 case-format.md）",
        "persons[0].brith_date: 未知字段，是否应为 'birth_date'？（见 case-format.md）",
    ]


def problems(case: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(case)
    return sorted(info.value.problems)


def test_duplicate_keys() -> None:
    same = GOOD_TEXT.replace('"gender": "male"', '"gender": "male", "gender": "male"')
    assert parse_case(load_case_text(same)).warnings == [
        "persons[0].gender: 同一对象中该字段出现了多次（取值相同），只保留一个"
    ]
    different = GOOD_TEXT.replace('"amount": 1000', '"amount": 1000, "amount": 100000')
    assert problems_of_text(different) == [
        "payments[0].amount: 同一对象中该字段出现了多次且取值不同，无法确定以哪个为准"
    ]


def test_id_number_normalisation_is_the_shared_rule() -> None:
    number = GOOD["persons"][0]["id_number"]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:10]) + " " + number[10:]
    assert normalize_id_number(full_width) == number
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    case = copy.deepcopy(GOOD)
    case["persons"][0]["id_number"] = full_width
    assert parse_case(case).facts.persons["id_number"].to_list() == [number]


def test_a_bad_id_number_is_never_echoed_in_full() -> None:
    case = copy.deepcopy(GOOD)
    number = GOOD["persons"][0]["id_number"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    case["persons"][0]["id_number"] = wrong
    (line,) = problems(case)
    assert wrong not in line
    assert line.startswith("persons[0].id_number: 身份证号码校验位错误（GB 11643，应为 ")
    assert line.endswith(f"：{wrong[:6]}********{wrong[-4:]}")
    case["persons"][0]["id_number"] = number[:17]
    assert problems(case) == ["persons[0].id_number: 身份证号码应为18位：共 17 位"]
    case["persons"][0]["id_number"] = int(number[:17] + "1")
    (line,) = problems(case)
    assert number[:17] not in line


def test_explanations_are_refused_above_the_documented_size() -> None:
    case = copy.deepcopy(GOOD)
    case["employers"] += [{"id": f"x{i}", "type": "enterprise"} for i in range(MAX_EXPLAINED_SUBJECTS)]
    parsed = parse_case(case)
    with pytest.raises(CaseError) as info:
        evaluate(parsed)
    assert info.value.problems == [
        f"$: 案例含 {MAX_EXPLAINED_SUBJECTS + 3} 个对象（人员、用人单位、机构合计），超过逐条件说明（explanations）的上限 "
        f"{MAX_EXPLAINED_SUBJECTS} 个；请加 --no-explain 只计算待遇，或将数据导入登记库后用批量匹配（jiuye match）"
    ]
    assert "explanations" not in evaluate(parsed, explain=False).to_json()


def test_not_utf8() -> None:
    with pytest.raises(CaseError) as info:
        load_case_bytes(GOOD_TEXT.encode("gb18030"))
    (line,) = info.value.problems
    assert line.startswith("$: 文件不是 UTF-8 编码（第 ") and line.endswith(
        "个字节无法解码），请将案例另存为 UTF-8 后重试"
    )


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        with_text("persons.0.social_insurance.0.base", "9" * 5000),
        with_text("persons.0.social_insurance.0.base", "1e999999999"),
        with_text("persons.0.id", '"\\ud800"'),
        with_text("persons.0.id", '"\ud800"'),  # a raw lone surrogate: not even valid UTF-8
        GOOD_TEXT[:-1] + ', "parameters": {"JS-04.monthly_amount": 1e30}}',
        GOOD_TEXT[:-1] + ', "parameters": {"JS-04.monthly_amount": "abc"}}',
        '{"evaluate": {"from": "2024-01", "to": "2024-12"}, "persons": {"0": 1}, "employers": 5,'
        ' "organizations": [1], "payments": [{"month": []}], "parameters": []}',
        '{"evaluate": "2024", "persons": [{"hukou": "jinshan", "id": {}, "gender": ["male"]}]}',
    ],
)
def test_cli_exit_2_one_line_per_problem_no_traceback(tmp_path: Path, text: str) -> None:
    done = run_cli(tmp_path, text)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(": " in line for line in lines)
    assert all(len(line) < 400 for line in lines)


def test_cli_reads_stdin_as_bytes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jiuye.cli", "evaluate", "-", "--no-explain"],
        input=with_text("persons.0.id", '"\\udc80"').encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr.decode() == "persons[0].id: 文本含有孤立的 UTF-16 代理项（如 \\ud800），不是有效的文字\n"
    )
