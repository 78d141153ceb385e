"""Attacks on the staff web found in session 9 (each test failed before its fix):

- the bulk-approval API asked for an empty month answered with a 500 (an ``assert``) instead of a Chinese 422;
- a town account allowed to manage accounts created an account without a town — a district-wide one, with
  which it then read every town of the district;
- a town reviewer created a payment batch or bulk-approved the lines of every town of the district, a town policy
  officer matched, switched 免申即享 or set a parameter for the whole district, a town fund auditor ran the
  district's supervision checks;
- the public concern form of a notice answered a 500 to a payment number "²" or one larger than any record id,
  the 领导统计 page to a year "²";
- a town fund auditor read the audit events of every town: those done by any staff member of the district;
- a town admin listed every account of the district (it creates its own town's only), and the supervision page
  offered a town auditor the run it is refused;
- a reversal reason (追回理由, declared ``mask="text"``) naming an ID number showed it in full on the batch and
  the person file, to every role that reads them; an application's free-text answers and its review opinion
  showed an ID number typed into them in full on the review page.
"""

from __future__ import annotations

from typing import Any

from tests.web.conftest import PASSWORD, api_token, csrf_of, login


def _town_account(url: str, username: str, role: str) -> None:
    from jiuye.accounts.service import create_user
    from jiuye.accounts.web import write_session

    with write_session(url) as s:
        create_user(s, username, "朱泾镇" + role, PASSWORD, role, "jinshan", "朱泾镇", "测试")


def test_an_empty_bulk_approval_month_is_a_chinese_422_not_a_500(web_db: str) -> None:
    from fastapi.testclient import TestClient

    from jiuye.web.app import create_app

    with TestClient(create_app(web_db, start_worker=False), raise_server_exceptions=False) as c:
        headers = api_token(c, "reviewer_js")
        preview = c.get("/api/v1/entitlements-bulk-approval?month=", headers=headers)
        start = c.post("/api/v1/entitlements-bulk-approval", json={"month": "", "expected_count": 0}, headers=headers)
    for r in (preview, start):
        assert r.status_code == 422, (r.status_code, r.text[:200])
        assert r.json() == {"message": "请选择核准月份。", "field": "month"}


def test_a_town_account_cannot_create_an_account_beyond_its_town(client: Any, web_db: str) -> None:
    _town_account(web_db, "admin_zj", "admin")
    login(client, "admin_zj")
    token = csrf_of(client.get("/accounts").text)
    for town in ("", "亭林镇"):  # a district-wide account, another town's account
        r = client.post("/accounts", data={"username": f"escalated{len(town)}", "display_name": "新账号",
                                           "password": PASSWORD, "role": "admin", "town": town, "csrf_token": token})  # fmt: skip
        assert r.status_code == 403, (town, r.status_code)
        assert "只能新建本街镇（朱泾镇）的账号" in r.text
    r = client.post("/accounts", data={"username": "own_town", "display_name": "本镇经办", "password": PASSWORD,
                                       "role": "caseworker", "town": "朱泾镇", "csrf_token": token})  # fmt: skip
    assert r.status_code == 303
    client.cookies.clear()
    assert api_token(client, "own_town")  # the account of its own town works


def test_a_town_account_acts_on_nothing_district_wide(client: Any, web_db: str) -> None:
    import sqlalchemy as sa

    from jiuye import db
    from jiuye.jobs.models import jobs

    _town_account(web_db, "reviewer_zj", "reviewer")
    _town_account(web_db, "policy_zj", "policy_officer")
    _town_account(web_db, "auditor_zj", "fund_auditor")
    reviewer, officer = api_token(client, "reviewer_zj"), api_token(client, "policy_zj")
    change = {"name": "monthly_amount", "since": "2026-02-01", "value": "500", "source": "测试用市级标准"}
    for headers, method, path, body in (
        (reviewer, "POST", "/api/v1/payment-batches", {"month": "2026-10"}),
        (reviewer, "POST", "/api/v1/entitlements-bulk-approval", {"month": "2026-10", "expected_count": 0}),
        (officer, "POST", "/api/v1/match", {"month_from": "2026-01", "month_to": "2026-10"}),
        (officer, "PUT", "/api/v1/settings/auto/JS-02", {"auto": False, "reason": "试图关闭"}),
        (officer, "POST", "/api/v1/parameters/JS-04", change),
        (api_token(client, "auditor_zj"), "POST", "/api/v1/flags/run", None),
    ):
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == 403, (path, r.status_code, r.text[:200])
        assert r.json()["message"] == "街镇账号（朱泾镇）不能进行全区性的操作，请由区级账号办理。"
    me = client.get("/api/v1/me", headers=reviewer).json()
    assert "pay" not in me["permissions"] and "review" in me["permissions"]  # its town's lines one by one: yes
    with db.session_scope(web_db) as s:
        assert s.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one() == 0


def test_a_concern_about_an_impossible_payment_number_is_a_chinese_422(web_db: str) -> None:
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from jiuye import db
    from jiuye.ledger.models import payments
    from jiuye.web.app import create_app
    from tests.web.public_helpers import csrf

    with db.session_scope(web_db) as s:
        batch = s.execute(sa.select(payments.c.batch_id).where(payments.c.policy.like("JS-%")).limit(1)).scalar_one()
    with TestClient(create_app(web_db, start_worker=False), follow_redirects=False, raise_server_exceptions=False) as c:
        login(c, "reviewer_js")
        published = c.post(f"/payments/batches/{batch}/notice", data={"days": "7", "csrf_token": csrf_of(c.get("/payments").text)})
        notice = published.headers["location"]
        c.cookies.clear()
        token = csrf(c.get(notice).text)
        for payment in ("²", "1" + "0" * 19):
            r = c.post(f"{notice}/concern", data={"csrf_token": token, "text": "这一笔有问题请核实", "payment": payment})
            assert r.status_code == 422, (payment, r.status_code)
            assert "请选择反映的是公示中的哪一笔" in r.text


def test_a_figures_year_that_is_no_number_is_a_chinese_422(web_db: str) -> None:
    from fastapi.testclient import TestClient

    from jiuye.web.app import create_app

    with TestClient(create_app(web_db, start_worker=False), follow_redirects=False, raise_server_exceptions=False) as c:
        login(c, "leader_js")
        r = c.get("/figures?year=²")
    assert r.status_code == 422, r.status_code
    assert "年份不对" in r.text


def test_a_town_auditor_reads_only_the_audit_events_of_its_town(client: Any, web_db: str) -> None:
    import sqlalchemy as sa

    from jiuye import db
    from jiuye.ledger.models import entitlements as e
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    with db.session_scope(web_db) as s:
        def line(town_matches: Any) -> int:
            return int(s.execute(sa.select(e.c.id).join(p, p.c.id_number == e.c.subject).where(
                e.c.state == "found", e.c.policy == "JS-02", p.c.hukou_district == "jinshan", town_matches)
                .order_by(e.c.id).limit(1)).scalar_one())  # fmt: skip
        own, other = line(p.c.hukou_town == "朱泾镇"), line(p.c.hukou_town != "朱泾镇")
    reviewer = api_token(client, "reviewer_js")  # a district reviewer decides a line of each
    for n in (own, other):
        r = client.post(f"/api/v1/entitlements/{n}/review", json={"decision": "approve", "reason": "符合"}, headers=reviewer)
        assert r.status_code == 200, r.text
    _town_account(web_db, "auditor_zj", "fund_auditor")
    seen = {(ev["entity"], ev["entity_id"]) for ev in client.get(
        "/api/v1/audit/events?entity=entitlements", headers=api_token(client, "auditor_zj")).json()}  # fmt: skip
    assert ("entitlements", str(own)) in seen
    assert ("entitlements", str(other)) not in seen
    district = {ev["entity_id"] for ev in client.get(
        "/api/v1/audit/events?entity=entitlements", headers=api_token(client, "auditor_js")).json()}  # fmt: skip
    assert {str(own), str(other)} <= district


def test_a_reversal_reason_is_shown_masked(client: Any, web_db: str) -> None:
    import sqlalchemy as sa

    from jiuye import db
    from jiuye.ledger.models import payments
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    with db.session_scope(web_db) as s:
        pay_id, batch, person = s.execute(
            sa.select(payments.c.id, payments.c.batch_id, p.c.id).join(p, p.c.id_number == payments.c.subject)
            .where(payments.c.policy.like("JS-%"), payments.c.state == "paid").order_by(payments.c.id).limit(1)).one()  # fmt: skip
    auditor = api_token(client, "auditor_js")
    reason = "重复领取，实为 310116199001011234 本人所得，账户 6222020200112233446"
    assert client.post(f"/api/v1/payments/{pay_id}/reverse", json={"reason": reason}, headers=auditor).status_code == 200
    shown = [client.get(f"/api/v1/payment-batches/{batch}", headers=auditor).text,
             client.get(f"/api/v1/persons/{person}", headers=auditor).text]
    login(client, "leader_js")
    shown.append(client.get(f"/payments/batches/{batch}").text)
    for text in shown:
        assert "310116199001011234" not in text and "6222020200112233446" not in text
        assert "310116********1234" in text


def test_an_application_s_free_text_is_shown_masked_to_the_reviewer(client: Any, web_db: str) -> None:
    from tests.web.public_helpers import id_number
    from tests.web.test_attack import _org_application

    app_id = _org_application(client, web_db, id_number(71), "resident",
                              reason="代负责人 310116199001011234 申请，电话 13912345678")
    login(client, "reviewer_js")
    page = client.get(f"/review/applications/{app_id}").text
    assert "310116199001011234" not in page and "13912345678" not in page
    assert "310116********1234" in page


def test_a_town_account_lists_the_accounts_of_its_own_town_only(client: Any, web_db: str) -> None:
    # it creates accounts of its own town only; listing every town's staff of the district told it their names
    _town_account(web_db, "admin_zj", "admin")
    login(client, "admin_zj")
    page = client.get("/accounts").text
    assert "admin_zj" in page and "caseworker_js" in page  # its town's (朱泾镇) accounts
    assert "reviewer_js" not in page and "reviewer_cm" not in page  # a district account, another district's
    client.cookies.clear()
    login(client, "admin_js")
    page = client.get("/accounts").text
    assert "admin_zj" in page and "reviewer_js" in page and "reviewer_cm" not in page


def test_the_supervision_page_offers_the_run_to_district_accounts_only(client: Any, web_db: str) -> None:
    # the run stores the flags of every town, so a town auditor is refused it (403): the page no longer offers it
    _town_account(web_db, "auditor_zj", "fund_auditor")
    login(client, "auditor_zj")
    page = client.get("/supervision").text
    assert 'action="/supervision/run"' not in page and "检查由区级账号运行" in page
    client.cookies.clear()
    login(client, "auditor_js")
    assert 'action="/supervision/run"' in client.get("/supervision").text
