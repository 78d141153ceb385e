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
    _exec(web_db, sa.delete(e).where(e.c.id.in_([js["id"], cm["id"]])))  # lines matching must find again (or not)
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
    assert runs[0]["state"] == "finished"
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
