"""The daily work through the pages (plain HTML forms, as a browser without JavaScript sends them) and the
background jobs, on both databases."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa

from tests.web.conftest import api_token, login, run_jobs


def _one(url: str, stmt: Any) -> Any:
    from jiuye.db import session_scope

    with session_scope(url) as s:
        return s.execute(stmt).first()


def _found_js02(url: str) -> int:
    from jiuye.ledger.models import entitlements as e

    return int(_one(url, sa.select(e.c.id).where(e.c.policy == "JS-02", e.c.state == "found").order_by(e.c.id))[0])


def test_reviewer_reads_the_explanation_and_approves(client: Any, web_db: str) -> None:
    from jiuye.audit.models import audit_events
    from jiuye.ledger.models import entitlements as e

    token = login(client, "reviewer_js")
    queue = client.get("/review?policy=JS-02&state=found")
    eid = _found_js02(web_db)
    assert f'href="/entitlements/{eid}"' in queue.text
    page = client.get(f"/entitlements/{eid}")
    assert page.status_code == 200
    table = page.text.split('id="explanation"')[1].split("</table>")[0]
    assert "满足" in table and "金就办〔2023〕1号" in table  # every condition with its clause
    assert table.count("<tr>") >= 3
    r = client.post(f"/entitlements/{eid}/review", data={"decision": "approve", "reason": "材料齐全，符合条件", "csrf_token": token})
    assert r.status_code == 303
    assert _one(web_db, sa.select(e.c.state).where(e.c.id == eid))[0] == "approved"
    ev = _one(web_db, sa.select(audit_events.c.actor, audit_events.c.reason).where(
        audit_events.c.entity == "entitlements", audit_events.c.entity_id == str(eid), audit_events.c.action == "review"))  # fmt: skip
    assert ev == ("金山审核员（reviewer_js）", "材料齐全，符合条件")
    # approving twice is refused with the state machine's Chinese message, not a traceback
    r = client.post(f"/entitlements/{eid}/review", data={"decision": "approve", "reason": "再次", "csrf_token": token})
    assert r.status_code == 409 and "不能变为" in r.text


def test_review_needs_a_reason(client: Any, web_db: str) -> None:
    headers = api_token(client, "reviewer_js")
    eid = _found_js02(web_db)
    r = client.post(f"/api/v1/entitlements/{eid}/review", json={"decision": "approve", "reason": "   "}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = client.post(f"/api/v1/entitlements/{eid}/review", json={"decision": "pay", "reason": "x"}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "decision" and "输入有误" in r.json()["message"]


def test_bulk_approval_shows_count_and_total_then_runs_as_a_job(client: Any, web_db: str) -> None:
    from jiuye.ledger.models import entitlements as e

    token = login(client, "reviewer_js")
    page = client.get("/review/bulk?month=2026-10")
    count = int(re.search(r'id="bulk-count">([\d,]+)<', page.text).group(1).replace(",", ""))  # type: ignore[union-attr]
    total = re.search(r'id="bulk-total">([\d,.]+)<', page.text).group(1)  # type: ignore[union-attr]
    expected = _one(web_db, sa.select(sa.func.count(), sa.func.sum(e.c.amount_fen)).where(
        e.c.state == "found", e.c.policy.like("JS-%"), e.c.amount_status == "payable"))  # fmt: skip
    assert count > 0
    # a stale confirmation (the count changed since) is refused
    r = client.post("/review/bulk", data={"month": "2026-10", "policy": "", "expected_count": count + 1, "csrf_token": token})
    assert r.status_code == 422 and "重新确认" in r.text
    r = client.post("/review/bulk", data={"month": "2026-10", "policy": "", "expected_count": count, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    assert run_jobs(web_db) == 1
    job = client.get(r.headers["location"])
    assert "已完成" in job.text and f"共核准 {count} 条" in job.text
    approved_now = _one(web_db, sa.select(sa.func.count()).where(e.c.state == "found", e.c.policy.like("JS-%"),
                                                                  e.c.amount_status == "payable"))[0]  # fmt: skip
    assert approved_now == 0 and expected[0] == count
    assert total == f"{int(expected[1]) // 100:,}.{int(expected[1]) % 100:02d}"
    # Chongming lines untouched
    assert _one(web_db, sa.select(sa.func.count()).where(e.c.state == "approved", e.c.policy.like("CM-%")))[0] == 0


def test_pay_creates_a_batch_of_the_district_and_refuses_a_second_at_once(client: Any, web_db: str) -> None:
    from jiuye.ledger.models import payments

    headers = api_token(client, "reviewer_js")
    preview = client.get("/api/v1/entitlements-bulk-approval?month=2026-10", headers=headers).json()
    r = client.post("/api/v1/entitlements-bulk-approval", json={"month": "2026-10", "expected_count": preview["count"]},
                    headers=headers)  # fmt: skip
    assert r.status_code == 202 and run_jobs(web_db) == 1
    first = client.post("/api/v1/payment-batches", json={"month": "2026-10"}, headers=headers)
    assert first.status_code == 202
    second = client.post("/api/v1/payment-batches", json={"month": "2026-10"}, headers=headers)
    assert second.status_code == 409 and "正在排队或进行中" in second.json()["message"]
    run_jobs(web_db)
    job = client.get(first.json()["url"], headers=headers).json()
    assert job["state"] == "done", job["message"]
    batch_id = job["result"]["batch_id"]
    policies = {r[0] for r in _all(web_db, sa.select(payments.c.policy).distinct().where(payments.c.batch_id == batch_id))}
    assert policies and all(p.startswith("JS-") for p in policies)
    detail = client.get(f"/api/v1/payment-batches/{batch_id}", headers=headers).json()
    assert sum(m["total_fen"] for m in detail["per_measure"]) == detail["total_fen"] == job["result"]["total_fen"]
    csv = client.get(f"/api/v1/payment-batches/{batch_id}/file.csv", headers=headers)
    assert csv.status_code == 200 and "校验码" in csv.content.decode("utf-8-sig")
    # now a second pay for the same month finds nothing left, as the CLI says
    again = client.post("/api/v1/payment-batches", json={"month": "2026-10"}, headers=headers)
    run_jobs(web_db)
    job = client.get(again.json()["url"], headers=headers).json()
    assert job["state"] == "failed" and "没有已核准、未发放的待遇" in job["message"]


def _all(url: str, stmt: Any) -> list[Any]:
    from jiuye.db import session_scope

    with session_scope(url) as s:
        return list(s.execute(stmt).all())


def test_reversal_by_the_fund_auditor(client: Any, web_db: str) -> None:
    from jiuye.ledger.models import payments

    token = login(client, "auditor_js")
    pid, batch = _one(web_db, sa.select(payments.c.id, payments.c.batch_id).where(payments.c.policy.like("JS-%")))
    r = client.post(f"/payments/{pid}/reverse", data={"reason": "", "batch_id": batch, "csrf_token": token})
    assert r.status_code == 422 and "追回理由" in r.text
    r = client.post(f"/payments/{pid}/reverse", data={"reason": "死亡后发放，追回", "batch_id": batch, "csrf_token": token})
    assert r.status_code == 303
    assert _one(web_db, sa.select(payments.c.state).where(payments.c.id == pid))[0] == "reversed"
    page = client.get(f"/payments/batches/{batch}")
    assert "已追回：死亡后发放，追回" in page.text


def test_fund_auditor_confirms_the_planted_flag(client: Any, web_db: str) -> None:
    from jiuye.supervision.models import flags

    token = login(client, "auditor_js")
    page = client.get("/supervision")
    assert "人员死亡后仍有发放" in page.text and "六(三)" in page.text  # the kind and the clause it protects
    fid = _one(web_db, sa.select(flags.c.id).where(flags.c.check == "after_death"))[0]
    r = client.post(f"/supervision/flags/{fid}", data={"state": "confirmed", "reason": "经核实死亡后仍发放", "csrf_token": token})
    assert r.status_code == 303
    row = _one(web_db, sa.select(flags.c.state, flags.c.reviewed_by).where(flags.c.id == fid))
    assert row == ("confirmed", "金山稽核员（auditor_js）")
    # a Chongming auditor does not see it
    headers = api_token(client, "auditor_cm")
    assert client.get(f"/api/v1/flags/{fid}", headers=headers).status_code == 404
    assert client.get("/api/v1/flags", headers=headers).json()["rows"] == []


def test_policy_officer_previews_and_sets_a_g6_amount(client: Any, web_db: str) -> None:
    from jiuye.audit.models import audit_events
    from jiuye.ledger.models import entitlements as e
    from jiuye.parameters.models import parameter_values

    token = login(client, "policy_js")
    form = {"name": "monthly_amount", "since": "2026-01-01", "value": "800", "source": "沪人社就〔2026〕测试号 市级标准",
            "csrf_token": token}  # fmt: skip
    page = client.post("/parameters/JS-04/preview", data=form)
    assert page.status_code == 200
    lines = int(re.search(r'id="pv-lines">([\d,]+)<', page.text).group(1).replace(",", ""))  # type: ignore[union-attr]
    after = re.search(r'id="pv-after">([\d,.]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert lines > 0 and after == f"{lines * 800:,}.00"  # every affected line was pending and becomes 800 yuan
    assert _one(web_db, sa.select(sa.func.count()).select_from(parameter_values))[0] == 0  # nothing saved yet
    r = client.post("/parameters/JS-04", data=form)
    assert r.status_code == 303
    assert _one(web_db, sa.select(parameter_values.c.value_text, parameter_values.c.set_by))[0] == "800.00"
    ev = _one(web_db, sa.select(audit_events.c.new_state, audit_events.c.reason).where(audit_events.c.action == "parameter.set"))
    assert ev == ("800.00", "沪人社就〔2026〕测试号 市级标准")
    # a re-run of matching uses the stored value from its date on
    headers = api_token(client, "policy_js")
    from jiuye.db import write_session
    from jiuye.jobs.service import enqueue
    from jiuye.jobs.worker import JobUser, submitted

    with write_session(web_db, check=False) as s:
        job_id = enqueue(s, "match", {"month_from": "2023-01", "month_to": "2026-10"},
                         JobUser(2, "金山政策经办（policy_js）", "jinshan", None))  # fmt: skip
    submitted(web_db, job_id)
    assert run_jobs(web_db) == 1
    amounts = {r[0] for r in _all(web_db, sa.select(e.c.amount_fen).distinct().where(e.c.policy == "JS-04", e.c.month >= dt.date(2026, 1, 1)))}
    assert amounts == {80000}
    before = {r[0] for r in _all(web_db, sa.select(e.c.amount_fen).distinct().where(e.c.policy == "JS-04", e.c.month < dt.date(2026, 1, 1)))}
    assert before == {None}
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_parameter_input_is_checked(client: Any) -> None:
    headers = api_token(client, "policy_js")
    base = {"name": "monthly_amount", "since": "2026-01-01", "value": "800", "source": "市级标准文件"}
    for change, field in (({"value": "-1"}, "value"), ({"value": "1e9"}, "value"), ({"value": "12.345"}, "value"),
                          ({"since": "2026-01-15"}, "since"), ({"name": "min_working_age"}, "name"),
                          ({"source": "x"}, "source"), ({"value": "=1+1"}, "value")):  # fmt: skip
        r = client.post("/api/v1/parameters/JS-04/preview", json=base | change, headers=headers)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["field"] == field
    r = client.post("/api/v1/parameters/CM-04a/preview", json=base, headers=headers)
    assert r.status_code == 404  # a Chongming measure is not a Jinshan officer's


def test_import_upload_lists_row_errors_or_counts(client: Any, web_db: str) -> None:
    token = login(client, "admin_js")
    header = "身份证号码,姓名,出生日期,性别,户籍所在区,户籍所在街镇,户籍所在村居委,原农业户籍,生源地,联系电话,居住地址,银行账号,死亡日期,户籍迁出日期\n"
    bad = header + "310116199001010011,测试甲,1990-01-01,男,jinshan,朱泾镇,,否,,,,,,\n310116199001010012,测试乙,1990-01-01,男,jinshan,朱泾镇,,否,,,,,,\n"
    r = client.post("/imports", data={"csrf_token": token}, files={"files": ("persons.csv", bad.encode("utf-8"), "text/csv")})
    assert r.status_code == 303
    run_jobs(web_db)
    page = client.get(r.headers["location"])
    assert "失败" in page.text and 'id="row-errors"' in page.text and "校验位" in page.text
    import datetime as dt

    from jiuye.rules.identifiers import make_id_number

    good_id = make_id_number("310116", dt.date(1990, 1, 1), 321, "male")
    good = header + f"{good_id},测试丙,1990-01-01,男,jinshan,朱泾镇,,否,,,,,,\n"
    r = client.post("/imports", data={"csrf_token": token}, files={"files": ("persons.csv", good.encode("utf-8"), "text/csv")})
    run_jobs(web_db)
    page = client.get(r.headers["location"])
    assert "已完成" in page.text and "导入完成" in page.text
    r = client.post("/imports", data={"csrf_token": token}, files={"files": ("evil.sh", b"rm -rf /", "text/plain")})
    assert r.status_code == 422 and "只能导入" in r.text


def test_errors_are_chinese_pages_or_json_never_a_traceback(client: Any, web_db: str) -> None:
    login(client, "reviewer_js")
    r = client.get("/entitlements/999999999")
    assert r.status_code == 404 and "找不到" in r.text and "Traceback" not in r.text and "<html" in r.text
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "找不到" in r.text
    r = client.get("/api/v1/entitlements?page=abc")
    assert r.status_code == 422 and r.json()["field"] == "page"
    r = client.get("/api/v1/entitlements?month=2026-13")
    assert r.status_code == 422 and r.json()["field"] == "month"
    r = client.get("/entitlements/abc")
    assert r.status_code == 422 and "输入有误" in r.text


def test_evaluate_api_gives_the_cli_result(client: Any) -> None:
    import json
    from pathlib import Path

    from jiuye.rules import evaluate
    from jiuye.rules.jsonio import dumps

    case = json.loads((Path(__file__).resolve().parents[2] / "examples" / "case-all-measures.json").read_text("utf-8"))
    headers = api_token(client, "reviewer_js")
    r = client.post("/api/v1/evaluate", json=case, headers=headers)
    assert r.status_code == 200
    assert r.json()["entitlements"] == json.loads(dumps(evaluate(case).to_json()))["entitlements"]
    r = client.post("/api/v1/evaluate", json={"persons": [{"id": "x", "id_number": "123"}]}, headers=headers)
    assert r.status_code == 422 and "案例有误" in r.json()["message"]
