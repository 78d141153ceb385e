"""Staff work added by issue 12's follow-up: matching from a page, the employer and organisation files,
the leaders' figures, import scope, supervision by district, and the masking policy — on both databases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.web.conftest import api_token, login, run_jobs


def _one(url: str, stmt: Any) -> Any:
    from jiuye.db import session_scope

    with session_scope(url) as s:
        return s.execute(stmt).first()


def _exec(url: str, stmt: Any) -> None:
    from jiuye.db import write_session

    with write_session(url, check=False) as s:
        s.execute(stmt)


def _found_line(url: str, prefix: str) -> dict[str, Any]:
    from jiuye.ledger.models import entitlements as e

    row = _one(url, sa.select(e.c.id, e.c.policy, e.c.subject, e.c.month)
               .where(e.c.policy.like(f"{prefix}-%"), e.c.state == "found").order_by(e.c.id))  # fmt: skip
    assert row is not None
    return dict(row._mapping)


# --- 1. matching from a page -------------------------------------------------------------------------
def test_match_from_the_page_runs_the_district_and_refuses_a_second(client: Any, web_db: str) -> None:
    from jiuye.ledger.models import entitlements as e

    js, cm = _found_line(web_db, "JS"), _found_line(web_db, "CM")
    from jiuye.ledger.models import entitlement_facts as facts

    _exec(web_db, sa.delete(e).where(e.c.id.in_([js["id"], cm["id"]])))  # lines matching must find again (or not)
    for line in (js, cm):  # and their stored facts (kept only where lines are)
        _exec(web_db, sa.delete(facts).where(facts.c.policy == line["policy"], facts.c.subject == line["subject"]))
    token = login(client, "policy_js")
    page = client.get("/match")
    assert page.status_code == 200 and "开始匹配" in page.text and "JS-02" in page.text and "CM-" not in page.text
    r = client.post("/match", data={"month_from": "2023-01", "month_to": "2023-00", "csrf_token": token})
    assert r.status_code == 422 and "月份格式不对" in r.text
    r = client.post("/match", data={"month_from": "2026-10", "month_to": "2023-01", "csrf_token": token})
    assert r.status_code == 422 and "起始月份晚于截止月份" in r.text
    r = client.post("/match", data={"month_from": "2023-01", "month_to": "2026-10", "full": "on", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_url = r.headers["location"]
    # a second match while the first is queued: refused in Chinese, by the page and by the API
    again = client.post("/match", data={"month_from": "2023-01", "month_to": "2026-10", "csrf_token": token})
    assert again.status_code == 409 and "正在排队或进行中" in again.text
    assert "match-active" in client.get("/match").text
    headers = api_token(client, "admin_js")
    api = client.post("/api/v1/match", json={"month_from": "2023-01", "month_to": "2026-10"}, headers=headers)
    assert api.status_code == 409 and "正在排队或进行中" in api.json()["message"]
    assert run_jobs(web_db) == 1
    job = client.get(job_url)
    assert "已完成" in job.text and 'id="match-result"' in job.text and "匹配运行" in job.text
    data = client.get(f"/api/v1{job_url}", headers=headers).json()
    assert data["state"] == "done" and data["result"]["policies"]
    assert all(p.startswith("JS-") for p in data["result"]["policies"])
    assert data["result"]["inserted"] >= 1
    # the Jinshan line is found again; the Chongming one is not (not this user's district)
    back = _one(web_db, sa.select(e.c.state).where(e.c.policy == js["policy"], e.c.subject == js["subject"],
                                                   e.c.month == js["month"]))  # fmt: skip
    assert back is not None and back[0] == "found"
    assert _one(web_db, sa.select(e.c.id).where(e.c.policy == cm["policy"], e.c.subject == cm["subject"],
                                                e.c.month == cm["month"])) is None  # fmt: skip
    runs = client.get("/api/v1/match-runs", headers=headers).json()
    assert runs[0]["state"] == "done" and runs[0]["run_id"] == data["result"]["run_id"]
    assert client.get("/api/v1/match-runs", headers=api_token(client, "reviewer_cm")).status_code == 403
    # now a new one may start; a reviewer may not start one at all
    assert client.post("/api/v1/match", json={"month_to": "2026-10"}, headers=headers).status_code == 202
    r = client.post("/api/v1/match", json={"month_to": "2026-10"}, headers=api_token(client, "reviewer_js"))
    assert r.status_code == 403 and "无权" in r.json()["message"]


# --- 5. supervision from the web: the user's district only -------------------------------------------
def test_supervision_run_from_the_web_covers_only_the_users_district(client: Any, web_db: str) -> None:
    from jiuye.supervision.models import flags

    _exec(web_db, sa.delete(flags))  # the planted Jinshan death is in the data; its flag must be raised again
    r = client.post("/api/v1/flags/run", headers=api_token(client, "auditor_cm"))
    assert r.status_code == 202 and run_jobs(web_db) == 1
    job = client.get(r.json()["url"], headers=api_token(client, "auditor_cm")).json()
    assert job["state"] == "done" and "崇明区" in job["message"]
    assert _one(web_db, sa.select(sa.func.count()).where(flags.c.district != "chongming"))[0] == 0
    headers = api_token(client, "auditor_js")
    r = client.post("/api/v1/flags/run", headers=headers)
    assert r.status_code == 202 and run_jobs(web_db) == 1
    job = client.get(r.json()["url"], headers=headers).json()
    assert job["state"] == "done" and "金山区" in job["message"]
    districts = {row[0] for row in _all(web_db, sa.select(flags.c.district).distinct())}
    assert districts == {"jinshan"}
    assert _one(web_db, sa.select(sa.func.count()).where(flags.c.check == "after_death"))[0] >= 1


def _all(url: str, stmt: Any) -> list[Any]:
    from jiuye.db import session_scope

    with session_scope(url) as s:
        return list(s.execute(stmt).all())


# --- 7. one masking policy ----------------------------------------------------------------------------
def test_web_masking_is_the_declared_policy() -> None:
    import inspect

    from jiuye.accounts import scope
    from jiuye.rules.identifiers import MASKS, mask_text

    account, idn = "6222020200112233445", "31011619900101003X"
    assert scope.mask_bank(account) == MASKS["bank_account"].text(account) == "****3445"
    assert scope.mask_id(idn) == MASKS["id_number"].text(idn)
    text = f"同一银行账号 {account}，电话 13912345678，证件 {idn}"
    assert scope.mask_text(text) == mask_text(text)
    assert account not in scope.mask_text(text) and "13912345678" not in scope.mask_text(text)
    assert scope.mask_text is mask_text  # the policy's function itself: one rule, None and "" included
    source = inspect.getsource(scope)
    assert "re.compile" not in source and '"*" *' not in source  # no masking rule of its own


# --- 2. 一企一档 and the organisation file -------------------------------------------------------------
def _paid_body(url: str, prefix: str, kind: str) -> tuple[int, str]:
    """A body of ``kind`` (employers / organizations) that is the beneficiary of a ``prefix`` line."""
    from jiuye.ledger.models import entitlements as e
    from jiuye.registry.models import TABLES

    table = TABLES[kind]
    key = table.c.credit_code if kind == "employers" else table.c.org_id
    row = _one(url, sa.select(table.c.id, key).join(e, e.c.beneficiary == key)
               .where(e.c.policy.like(f"{prefix}-%")).order_by(table.c.id))  # fmt: skip
    assert row is not None
    return int(row[0]), str(row[1])


def test_employer_file_shows_its_lines_masked_and_is_scoped(client: Any, web_db: str) -> None:
    from jiuye.ledger.models import entitlements as e
    from jiuye.registry.models import TABLES
    from tests.web.test_matrix import _no_full_ids

    emp_id, code = _paid_body(web_db, "JS", "employers")
    headers = api_token(client, "reviewer_js")
    r = client.get(f"/api/v1/employers/{emp_id}", headers=headers)
    assert r.status_code == 200, r.text
    f = r.json()
    expected = _one(web_db, sa.select(sa.func.count()).where(e.c.beneficiary == code))[0]
    assert f["code"] == code[:6] + "********" + code[-4:] and len(f["entitlements"]) == min(expected, 500) > 0
    assert all(x["policy"].startswith("JS-") for x in f["entitlements"])
    assert all("********" in x["id_number"] for x in f["employees"])
    bank = next(x["value"] for x in f["facts"] if x["label"] == "银行账号")
    assert bank == "" or bank.startswith("****")
    _no_full_ids(r.text, "employer API")
    page = client.get(f"/employers/{emp_id}", headers=headers)
    assert page.status_code == 200 and "一企一档" in page.text and 'id="body-entitlements"' in page.text
    _no_full_ids(page.text, "employer page")
    # out of scope by URL: the same 404 as a missing employer
    for who in ("reviewer_cm", "auditor_cm"):
        r = client.get(f"/api/v1/employers/{emp_id}", headers=api_token(client, who))
        assert r.status_code == 404 and "不在您的辖区" in r.json()["message"]
        assert client.get(f"/employers/{emp_id}", headers=api_token(client, who)).status_code == 404
    assert client.get("/api/v1/employers/999999999", headers=headers).status_code == 404
    emp = TABLES["employers"]
    other_town = _one(web_db, sa.select(emp.c.id).where(emp.c.district == "jinshan", emp.c.town != "朱泾镇"))[0]
    r = client.get(f"/api/v1/employers/{other_town}", headers=api_token(client, "caseworker_js"))
    assert r.status_code == 404
    assert client.get(f"/api/v1/employers/{emp_id}", headers=api_token(client, "leader_js")).status_code == 403


def test_organisation_file_is_scoped(client: Any, web_db: str) -> None:
    org_id, code = _paid_body(web_db, "JS", "organizations")
    headers = api_token(client, "auditor_js")
    r = client.get(f"/api/v1/organisations/{org_id}", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["code"] == code and r.json()["entitlements"]
    assert all(x["policy"].startswith("JS-") for x in r.json()["entitlements"])
    page = client.get(f"/organisations/{org_id}", headers=headers)
    assert page.status_code == 200 and "机构档案" in page.text
    r = client.get(f"/api/v1/organisations/{org_id}", headers=api_token(client, "reviewer_cm"))
    assert r.status_code == 404 and "不在您的辖区" in r.json()["message"]


# --- 4. import: only rows of the uploader's district / town ------------------------------------------
PERSON_HEADER = ("身份证号码,姓名,出生日期,性别,户籍所在区,户籍所在街镇,户籍所在村居委,原农业户籍,生源地,联系电话,居住地址,"
                 "银行账号,死亡日期,户籍迁出日期\n")  # fmt: skip


def _person_row(seq: int, district: str, town: str) -> tuple[str, str]:
    import datetime as dt

    from jiuye.rules.identifiers import make_id_number

    idn = make_id_number("310116", dt.date(1991, 2, 3), seq, "male")
    return idn, f"{idn},导入测试{seq},1991-02-03,男,{district},{town},,否,,,,,,\n"


def _upload(client: Any, token: str, name: str, text: str) -> str:
    r = client.post("/imports", data={"csrf_token": token}, files={"files": (name, text.encode("utf-8"), "text/csv")})
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def _job(client: Any, url: str, location: str) -> dict[str, Any]:
    run_jobs(url)
    job_id = int(location.rsplit("/", 1)[1])
    from jiuye.db import session_scope
    from jiuye.jobs.models import jobs

    with session_scope(url) as s:
        return dict(s.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().one())


def test_import_rejects_rows_outside_the_uploaders_scope(client: Any, web_db: str) -> None:
    from jiuye.registry.models import TABLES

    persons, towns = TABLES["persons"], TABLES["towns"]
    cm_town = _one(web_db, sa.select(towns.c.name).where(towns.c.district == "chongming"))[0]
    cm_person = _one(web_db, sa.select(persons.c.id_number).where(persons.c.hukou_district == "chongming"))[0]
    count = _one(web_db, sa.select(sa.func.count()).select_from(persons))[0]
    token = login(client, "admin_js")
    ok_id, ok_row = _person_row(401, "jinshan", "朱泾镇")
    cm_id, cm_row = _person_row(402, "chongming", cm_town)
    job = _job(client, web_db, _upload(client, token, "persons.csv", PERSON_HEADER + ok_row + cm_row))
    assert job["state"] == "failed", job["message"]
    problems = job["result"]["problems"]
    assert [p["row"] for p in problems if "不在您的辖区" in p["reason"]] == ["3"]  # the Chongming row, not the other
    assert _one(web_db, sa.select(sa.func.count()).select_from(persons))[0] == count  # nothing written
    page = client.get(f"/jobs/{job['id']}")
    assert 'id="row-errors"' in page.text and "不在您的辖区（金山区）" in page.text
    # taking over a stored Chongming person by calling them a Jinshan resident is refused as well
    takeover = f"{cm_person},改名,{cm_person[6:10]}-{cm_person[10:12]}-{cm_person[12:14]},男,jinshan,朱泾镇,,否,,,,,,\n"
    job = _job(client, web_db, _upload(client, token, "persons.csv", PERSON_HEADER + takeover))
    assert job["state"] == "failed"
    assert any("已由其他辖区登记" in p["reason"] for p in job["result"]["problems"]), job["result"]
    # so is a contract of a Chongming person
    emp = _one(web_db, sa.select(TABLES["employers"].c.credit_code).where(TABLES["employers"].c.district == "jinshan"))[0]
    contract = f"身份证号码,用人单位统一社会信用代码,合同开始日期,合同终止日期,已就业登记\n{cm_person},{emp},2026-01-01,,是\n"
    job = _job(client, web_db, _upload(client, token, "contracts.csv", contract))
    assert job["state"] == "failed"
    assert any("所指的人员不在您的辖区" in p["reason"] for p in job["result"]["problems"]), job["result"]
    # the Jinshan row alone goes in
    job = _job(client, web_db, _upload(client, token, "persons.csv", PERSON_HEADER + ok_row))
    assert job["state"] == "done", job["message"]
    assert _one(web_db, sa.select(persons.c.hukou_town).where(persons.c.id_number == ok_id))[0] == "朱泾镇"
    assert _one(web_db, sa.select(persons.c.id).where(persons.c.id_number == cm_id)) is None


def test_a_town_caseworker_imports_only_their_town(client: Any, web_db: str) -> None:
    from jiuye.registry.models import TABLES

    persons = TABLES["persons"]
    token = login(client, "caseworker_js")
    own_id, own = _person_row(411, "jinshan", "朱泾镇")
    other_id, other = _person_row(412, "jinshan", "枫泾镇")
    no_hukou_id, no_hukou = _person_row(413, "", "")
    job = _job(client, web_db, _upload(client, token, "persons.csv", PERSON_HEADER + own + other + no_hukou))
    assert job["state"] == "failed"
    rows = sorted(p["row"] for p in job["result"]["problems"] if "不在您的辖区（金山区朱泾镇）" in p["reason"])
    assert rows == ["3", "4"]
    job = _job(client, web_db, _upload(client, token, "persons.csv", PERSON_HEADER + own))
    assert job["state"] == "done", job["message"]
    assert _one(web_db, sa.select(persons.c.id).where(persons.c.id_number == own_id)) is not None
    assert _one(web_db, sa.select(persons.c.id).where(persons.c.id_number.in_([other_id, no_hukou_id]))) is None
    # a district account may import a person without a Shanghai 户籍 (e.g. a worker of its employers)
    job = _job(client, web_db, _upload(client, login(client, "admin_js"), "persons.csv", PERSON_HEADER + no_hukou))
    assert job["state"] == "done", job["message"]


# --- 3. leaders' figures and targets ------------------------------------------------------------------
def test_leader_figures_add_up_to_the_ledger_and_targets_quote_their_clause(client: Any, web_db: str) -> None:
    from jiuye.ledger.models import payments as pay
    from jiuye.rules.targets import TARGETS

    headers = api_token(client, "leader_js")
    r = client.get("/api/v1/figures", headers=headers)
    assert r.status_code == 200, r.text
    d = r.json()
    n, fen = _one(web_db, sa.select(sa.func.count(), sa.func.sum(pay.c.amount_fen))
                  .where(pay.c.policy.like("JS-%"), pay.c.state == "paid"))  # fmt: skip
    assert d["paid"] == n > 0 and d["paid_fen"] == int(fen)
    for part in ("by_measure", "by_month", "by_town"):  # every breakdown adds up to the same money
        assert sum(x["paid_fen"] for x in d[part]) == int(fen), part
        assert sum(x["paid"] for x in d[part]) == n, part
    assert all(m["policy"].startswith("JS-") for m in d["by_measure"])
    js_targets = [t for t in TARGETS if t.document == "JS"]
    assert [t["id"] for t in d["targets"]] == [t.id for t in js_targets]
    assert all(not t["has_source"] and t["value"] is None and t["no_source"] for t in d["targets"])
    year = client.get("/api/v1/figures?year=2025", headers=headers).json()
    n25 = _one(web_db, sa.select(sa.func.count()).where(pay.c.policy.like("JS-%"), pay.c.state == "paid",
                                                        pay.c.month.between(_d(2025, 1), _d(2025, 12))))[0]  # fmt: skip
    assert year["paid"] == n25
    # the page: read-only for a leader, targets with their clause, "no data source" rather than a number
    login(client, "leader_js")
    page = client.get("/figures")
    assert page.status_code == 200 and "无数据来源" in page.text and "金就办〔2023〕1号 五(十四)" in page.text
    assert "<form method=\"post\"" not in page.text.split("<main>")[1]
    assert client.get("/figures?year=abc").status_code == 422
    # Chongming sees its own document's targets and none of Jinshan's money
    cm = client.get("/api/v1/figures", headers=api_token(client, "reviewer_cm")).json()
    assert {t["id"] for t in cm["targets"]} == {t.id for t in TARGETS if t.document == "CM"}
    assert all(m["policy"].startswith("CM-") for m in cm["by_measure"])


def _d(year: int, month: int) -> Any:
    import datetime as dt

    return dt.date(year, month, 1)


def test_every_target_quotes_the_document_exactly() -> None:
    import re
    from pathlib import Path

    import pytest

    from jiuye.rules.targets import TARGETS

    seeds = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("../shared/seeds is not beside the checkout")
    for t in TARGETS:
        text = re.sub(r"\s+", "", (seeds / ("jinshan-2023.txt" if t.document == "JS" else "chongming-2023.txt")).read_text("utf-8"))
        assert re.sub(r"\s+", "", t.quote) in text, t.id


# --- 8. one handler for "a decision with a reason" -----------------------------------------------------
def test_decisions_with_a_reason_share_one_handler(client: Any, web_db: str) -> None:
    import inspect

    from jiuye.accounts import web
    from jiuye.ledger import views as ledger_views
    from jiuye.supervision import views as supervision_views
    from jiuye.supervision.models import flags

    for module in (ledger_views, supervision_views):  # no view writes its own reason check or redirect
        source = inspect.getsource(module)
        assert "with_reason(" in source and "status_code=303" not in source and "reason.strip()" not in source
    assert web.done("/x").status_code == 303
    token = login(client, "auditor_js")
    fid = _one(web_db, sa.select(flags.c.id).where(flags.c.district == "jinshan"))[0]
    r = client.post(f"/supervision/flags/{fid}", data={"state": "confirmed", "reason": "  ", "csrf_token": token})
    assert r.status_code == 422 and "请写明复核意见" in r.text
    r = client.post(f"/api/v1/flags/{fid}/review", json={"state": "dismissed", "reason": " \t"},
                    headers=api_token(client, "auditor_js"))  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "reason"
    assert _one(web_db, sa.select(flags.c.state).where(flags.c.id == fid))[0] == "open"
    r = client.post(f"/supervision/flags/{fid}", data={"state": "dismissed", "reason": "核实无误", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/supervision/flags/{fid}"
    assert _one(web_db, sa.select(flags.c.state).where(flags.c.id == fid))[0] == "dismissed"


def test_people_search_finds_employers_and_organisations_in_scope(client: Any, web_db: str) -> None:
    from jiuye.registry.models import TABLES

    emp_id, _code = _paid_body(web_db, "JS", "employers")
    name = _one(web_db, sa.select(TABLES["employers"].c.name).where(TABLES["employers"].c.id == emp_id))[0]
    login(client, "reviewer_js")
    page = client.get("/people", params={"q": name})
    assert page.status_code == 200 and f'href="/employers/{emp_id}"' in page.text
    login(client, "reviewer_cm")
    assert f'href="/employers/{emp_id}"' not in client.get("/people", params={"q": name}).text


# --- 1b. a match from the command line and one from the web never run interleaved ---------------------
def test_a_running_match_makes_the_command_line_wait_and_the_web_refuse_and_shows_on_the_page(
    client: Any, web_db: str, tmp_path: Any
) -> None:
    """The run is exclusive in ``run_match`` (both start it): while one holds it — here the test itself, as
    a command-line match would — a second one from the command line queues behind it (saying which run it
    waits for), one from the page or the API is refused with the same Chinese account of the run in
    progress.  The page lists every run, the command line's too, and a run whose holder is gone as
    interrupted."""
    import datetime as dt
    import os
    import subprocess
    import sys
    import time

    from jiuye.db import exclusive_run, write_session
    from jiuye.matching.models import match_runs
    from jiuye.matching.service import MATCH_RUN

    with write_session(web_db, check=False) as s:
        bind = s.get_bind()
        run_id = s.execute(sa.insert(match_runs).values(
            month_from=dt.date(2023, 1, 1), month_to=dt.date(2026, 11, 1), chunks_total=3, chunks_done=1,
            state="running", started_by="命令行 测试操作员").returning(match_runs.c.id)).scalar_one()  # fmt: skip
    busy = f"另一个主动匹配正在进行（匹配运行 {run_id}，命令行 测试操作员"
    token = login(client, "policy_js")
    err = tmp_path / "cli.err"
    with exclusive_run(bind, MATCH_RUN, lambda: "held by the test"):
        with err.open("w") as out:
            cli = subprocess.Popen([sys.executable, "-m", "jiuye.cli", "match", "--from", "2023-01", "--to", "2026-10",
                                    "--db", web_db], stdout=subprocess.DEVNULL, stderr=out, env=dict(os.environ))  # fmt: skip
        for _ in range(1200):  # the command line reaches the match and says whom it waits for
            if busy in err.read_text() or cli.poll() is not None:
                break
            time.sleep(0.1)
        assert busy in err.read_text() and "正在排队等它完成" in err.read_text(), err.read_text()
        assert cli.poll() is None  # still waiting: not interleaved
        r = client.post("/match", data={"month_from": "2023-01", "month_to": "2026-10", "csrf_token": token})
        assert r.status_code == 409 and busy in r.text and "请等它完成后再发起" in r.text
        admin = api_token(client, "admin_js")
        api = client.post("/api/v1/match", json={"month_to": "2026-10"}, headers=admin)
        assert api.status_code == 409 and busy in api.json()["message"]
        row = client.get("/match").text.split(f'data-run="{run_id}"')[1].split("</tr>")[0]
        assert "命令行" in row and "进行中" in row and "1/3" in row
    assert cli.wait(600) == 0, err.read_text()  # the holder let go: the command line's match ran
    # the fake run's holder is gone (as after a killed command line): the page shows it interrupted
    page = client.get("/match").text
    assert "已中断" in page.split(f'data-run="{run_id}"')[1].split("</tr>")[0]
    assert page.count("<td>命令行</td>") >= 3  # the demo's own command-line match, the fake one and this one


def test_the_parameter_page_names_each_parameter_in_chinese(client: Any, web_db: str) -> None:
    """Each parameter is shown by the Chinese name declared beside its values (jiuye/rules/params), its code only
    as how a case file writes it — not a code labelled 参数名."""
    from jiuye.rules.parameters import load_measure_parameters

    login(client, "policy_js")
    page = client.get("/parameters/JS-04").text
    assert "参数名" not in page
    for p in load_measure_parameters("JS-04").parameters.values():
        assert f'<h2 class="parameter">{p.label}</h2>' in page
        assert f"<code>JS-04.{p.name}</code>" in page


def test_every_parameter_declares_a_chinese_name() -> None:
    import re

    from jiuye.rules.catalog import all_measures
    from jiuye.rules.parameters import load_measure_parameters

    for m in all_measures():
        try:
            params = load_measure_parameters(m.id).parameters
        except FileNotFoundError:
            continue
        for p in params.values():
            assert p.label != p.name and re.search(r"[\u4e00-\u9fff]", p.label), (m.id, p.name, p.label)
