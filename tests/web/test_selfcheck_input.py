"""Every foreseeable bad input to the self-check form and the evaluate API gets a Chinese message naming the
field at fault, never a 500, and the server goes on answering afterwards."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.public_helpers import csrf, text_of
from tests.web.test_pages import api_token
from tests.web.test_public import GRADUATE, selfcheck

ONE_PERSON = json.loads((Path(__file__).resolve().parents[2] / "examples" / "case-one-person.json").read_text("utf-8"))
FLEXIBLE = {"birth_date": "1998-03-01", "gender": "male", "hukou_district": "jinshan", "unemployed_from": "2023-09-05",
            "flexible_from": "2024-01-10", "flexible_insured": "1"}  # fmt: skip
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _flagged(html: str) -> dict[str, str]:
    """The fields the form marks as wrong, with their messages."""
    return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error">([^<]+)</p>', html))


@pytest.mark.parametrize(("situation", "answers", "field", "says"), [
    ("graduate", {**GRADUATE, "birth_date": "2023-02-30"}, "birth_date", "应为日期"),
    ("graduate", {**GRADUATE, "birth_date": "0001-01-01"}, "birth_date", "不在合理范围"),
    ("graduate", {**GRADUATE, "graduation_date": "9999-12-31"}, "graduation_date", "不在合理范围"),
    ("graduate", {**GRADUATE, "insured_months": "9" * 400}, "insured_months", "整数"),
    ("graduate", {**GRADUATE, "insured_months": "-1"}, "insured_months", "整数"),
    ("graduate", {**GRADUATE, "id_number": "=cmd|' /C calc'!A0"}, "id_number", "18位"),
    ("graduate", {**GRADUATE, "hukou_district": "=1+1"}, "hukou_district", "请选择"),
    ("graduate", {**GRADUATE, "gender": "male\x00"}, "gender", "请选择"),
    ("graduate", {**GRADUATE, "contract_end": "2020-01-01"}, "contract_end", "不能早于"),
    ("flexible", {**FLEXIBLE, "unemployed_from": "2999-01-01"}, "unemployed_from", "不在合理范围"),
    ("employer", {}, "contract_start", "请填写"),
    ("flexible", {**FLEXIBLE, "hukou_moved_out_on": "2999-01-01"}, "hukou_moved_out_on", "不在合理范围"),
    ("flexible", {**FLEXIBLE, "hukou_moved_out_on": "2024-02-30"}, "hukou_moved_out_on", "应为日期"),
    ("flexible", {**FLEXIBLE, "hukou_district": "", "hukou_moved_out_on": "2024-06-15"}, "hukou_moved_out_on",
     "迁出前所在的区"),
    ("graduate", {}, "birth_date", "请填写"),
])  # fmt: skip
def test_bad_answers_are_flagged_on_their_field(client: Any, situation: str, answers: dict[str, str], field: str,
                                                says: str) -> None:  # fmt: skip
    r = selfcheck(client, situation, answers)
    assert r.status_code == 422, r.text[-500:]
    flagged = _flagged(r.text)
    assert field in flagged and says in flagged[field], flagged


def test_a_field_sent_twice_with_different_values_is_flagged(client: Any) -> None:
    token = csrf(client.get("/self-check/graduate").text)
    body = {**GRADUATE, "csrf_token": token}
    pairs = [*body.items(), ("birth_date", "1999-01-01")]
    r = client.post("/self-check/graduate", content="&".join(f"{k}={v}" for k, v in pairs),
                    headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 422 and "多个不同的值" in _flagged(r.text).get("birth_date", ""), r.text[-400:]
    same = [*body.items(), ("birth_date", GRADUATE["birth_date"])]  # the same value twice: nothing to guess
    r = client.post("/self-check/graduate", content="&".join(f"{k}={v}" for k, v in same),
                    headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 200 and 'data-policy="JS-03a"' in r.text


@pytest.mark.parametrize("kind", ["10MB", "fields", "file", "surrogate", "bad utf-8", "json"])
def test_bodies_no_browser_sends_get_a_chinese_answer(client: Any, kind: str) -> None:
    token = csrf(client.get("/self-check/graduate").text)
    form = "application/x-www-form-urlencoded"
    body, ctype = {
        "10MB": (f"csrf_token={token}&birth_date=".encode() + b"1" * 10_000_000, form),
        "fields": (("&".join(f"f{i}=1" for i in range(5000)) + f"&csrf_token={token}").encode(), form),
        "file": (b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() +
                 b'\r\n--b\r\nContent-Disposition: form-data; name="f"; filename="a.pdf"\r\n\r\n%PDF\r\n--b--\r\n',
                 "multipart/form-data; boundary=b"),
        "surrogate": (f"csrf_token={token}&birth_date=%ED%A0%80&gender=male&hukou_district=jinshan".encode(), form),
        "bad utf-8": (f"csrf_token={token}&hukou_district=%FF%FE&birth_date=2001-01-01&gender=male".encode(), form),
        "json": (json.dumps({**GRADUATE, "csrf_token": token}).encode(), "application/json"),
    }[kind]  # fmt: skip
    r = client.post("/self-check/graduate", content=body, headers={"content-type": ctype})
    assert 400 <= r.status_code < 500, (kind, r.status_code)
    assert CHINESE.search(text_of(r.text)) and "Traceback" not in r.text and "error parsing" not in r.text
    assert "请求有误" not in text_of(r.text).split("输入有误")[-1] or kind == "json"
    after = selfcheck(client, "graduate", GRADUATE)  # and the server goes on answering
    assert after.status_code == 200 and 'data-policy="JS-03a"' in after.text


def test_a_case_the_reader_refuses_is_shown_on_the_form_field(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers checked by the form and still refused by the case reader come back on the form, on the field
    the reader names — not as an error page without one."""
    from jiuye.public import selfcheck as module

    build = module.build_case

    def reader_refuses(situation: Any, values: dict[str, str], repeated: frozenset[str] = frozenset()) -> Any:
        case, answers = build(situation, values, repeated)
        case["persons"][0]["contracts"][0]["start"] = "2024-02-30"  # what the form would have caught
        return case, answers

    monkeypatch.setattr(module, "build_case", reader_refuses)
    r = selfcheck(client, "graduate", GRADUATE)
    assert r.status_code == 422
    flagged = _flagged(r.text)
    assert "contract_start" in flagged and "2024-02-30" in flagged["contract_start"], flagged


def test_case_problems_land_on_form_fields() -> None:
    from jiuye.public.selfcheck import FORM, case_problems
    from jiuye.rules.case import split_problem

    assert split_problem("persons[0].birth_date: 不是有效日期") == ("persons[0].birth_date", "不是有效日期")
    assert split_problem("案例为空") == (None, "案例为空")
    got = case_problems(["persons[0].contracts[0].end: 早于开始", "persons[0].contracts[0].start: 不是有效日期",
                         "persons[0].social_insurance[3].month: 不是月份", "evaluate: 缺少", "乱七八糟"])  # fmt: skip
    assert got["contract_end"].endswith("早于开始") and got["contract_start"].endswith("不是有效日期")
    assert got["insured_months"].endswith("不是月份") and got[FORM].endswith("缺少")


@pytest.mark.parametrize(("name", "change", "field"), [
    ("impossible date", lambda c: c["persons"][0].update(birth_date="2023-02-30"), "persons[0].birth_date"),
    ("year 0001", lambda c: c["persons"][0].update(birth_date="0001-01-01"), "persons[0].id_number"),
    ("year 9999", lambda c: c["persons"][0].update(birth_date="9999-12-31"), "persons[0].id_number"),
    ("huge number", lambda c: c["persons"][0].update(birth_date=10**30), "persons[0].birth_date"),
    ("no window", lambda c: c.pop("evaluate"), "evaluate"),
])  # fmt: skip
def test_evaluate_api_names_the_field_at_fault(client: Any, name: str, change: Any, field: str) -> None:
    headers = api_token(client, "reviewer_js")
    case = json.loads(json.dumps(ONE_PERSON))
    change(case)
    r = client.post("/api/v1/evaluate", json=case, headers=headers)
    assert r.status_code == 422, (name, r.text[:300])
    body = r.json()
    assert CHINESE.search(body["message"]) and body["field"] == field, body


def test_evaluate_api_unparsable_body_says_why_and_server_goes_on(client: Any) -> None:
    headers = {**api_token(client, "reviewer_js"), "content-type": "application/json"}
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"persons": [', b'{"persons": [], "x": "' + b"a" * 10_000_000 + b'"}'):
        r = client.post("/api/v1/evaluate", content=body, headers=headers)
        assert 400 <= r.status_code < 500 and CHINESE.search(r.json()["message"]), r.text[:200]
        assert r.json()["message"] != "请求有误", r.text[:200]
    ok = client.post("/api/v1/evaluate", json=ONE_PERSON, headers=headers)
    assert ok.status_code == 200 and ok.json()["entitlements"]


def test_a_hukou_move_out_ends_the_hukou_measures_after_its_month(client: Any) -> None:
    """户籍迁出日期 (catalog G13): a resident whose 户籍 left Jinshan still sees the months up to the move-out's month
    of a measure that requires Jinshan 户籍, and why the later months are not paid."""
    answers = {**FLEXIBLE, "unemployed_from": "2023-05-05"}  # JS-02: out of work more than 6 months at 2024-01-10
    before = selfcheck(client, "flexible", answers)
    moved = selfcheck(client, "flexible", {**answers, "hukou_moved_out_on": "2024-06-15"})
    assert before.status_code == 200 and moved.status_code == 200, moved.text[-500:]
    assert "户籍迁出" not in text_of(before.text)
    shown = text_of(moved.text)
    assert "2024-06 户籍迁出" in shown, shown[-2000:]
    assert "2024-01 至 2024-06，共 6 个月" in shown  # JS-02 from the registration to the move-out's month
    assert "2024-01 至 2024-12，共 12 个月" in text_of(before.text)  # without it: its cap of 12 months
