"""Attacks on the staff and public web found in session 8 (each test failed before its fix):

- registering as a person of the registry with someone else's name or phone, and redirecting their
  免申即享 money to one's own account by posting a confirmation the page never offered;
- a town caseworker reading and deciding the applications of another town;
- an id too large for the database in a URL (a 500 with SQLite instead of "not found").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import login
from tests.web.public_helpers import PDF, csrf, register, registry_contact

ACCOUNT = "6222020200112233446"  # a Luhn-valid account of the attacker


def _found_line(url: str) -> dict[str, Any]:
    from jiuye import db
    from jiuye.ledger.models import entitlements as e

    with db.session_scope(url) as s:
        return dict(s.execute(sa.select(e.c.id, e.c.subject, e.c.month).where(
            e.c.state == "found", e.c.policy == "JS-02", e.c.subject == e.c.beneficiary,
            e.c.amount_fen.is_not(None)).order_by(e.c.month, e.c.id).limit(1)).mappings().one())  # fmt: skip


def _confirm(client: Any, token: str, line: dict[str, Any]) -> Any:
    """The resident confirms ``line`` with the attacker's account (意愿确认)."""
    return client.post(f"/my/entitlements/{line['id']}/confirm",
                       data={"csrf_token": token, "decision": "confirmed", "bank_account": ACCOUNT})  # fmt: skip


def _confirmation_of(url: str, line: dict[str, Any]) -> Any:
    from jiuye import db
    from jiuye.ledger.models import entitlement_confirmations as ec

    with db.session_scope(url) as s:
        return s.execute(sa.select(ec).where(ec.c.entitlement_id == line["id"])).first()


def _post_register(client: Any, identifier: str, name: str, phone: str) -> Any:
    page = client.get("/my/register")
    return client.post("/my/register", data={"kind": "resident", "identifier": identifier, "name": name, "phone": phone,
                                             "password": "attacker-pass-1", "password2": "attacker-pass-1",
                                             "csrf_token": csrf(page.text)})  # fmt: skip


def test_registering_as_a_registry_person_needs_their_name_and_phone(client: Any, web_db: str) -> None:
    from jiuye import db
    from jiuye.applications.models import applicants

    line = _found_line(web_db)
    name, phone = registry_contact(web_db, line["subject"])
    other_phone = "13900000000" if phone != "13900000000" else "13900000001"
    for bad_name, bad_phone in (("冒名者", phone), (name, other_phone)):
        r = _post_register(client, line["subject"], bad_name, bad_phone)
        assert r.status_code == 422, r.text
        assert "与登记信息不一致" in r.text
        assert line["subject"] not in r.text.replace(f'value="{line["subject"]}"', "")  # echoed only in the field
    with db.session_scope(web_db) as s:
        assert s.execute(sa.select(applicants.c.id).where(applicants.c.identifier == line["subject"])).first() is None
    assert _post_register(client, line["subject"], name, phone).status_code == 303


def test_a_confirmation_the_page_does_not_offer_cannot_redirect_the_payment(client: Any, web_db: str) -> None:
    """JS-02 needs no confirmation (the bureau's default): posting one anyway must not set the account."""

    line = _found_line(web_db)
    token = register(client, line["subject"])
    page = client.get("/my")
    assert f'data-entitlement="{line["id"]}"' in page.text and "确认领取" not in page.text
    r = _confirm(client, token, line)
    assert r.status_code == 409, r.text
    assert "无须确认" in r.text
    assert _confirmation_of(web_db, line) is None


def test_a_confirmation_needs_the_account_to_still_match_the_registry(client: Any, web_db: str) -> None:
    """An account registered before the registry knew the person (any name) cannot confirm their money."""
    from jiuye.accounts.web import write_session
    from jiuye.ledger import service as ledger
    from jiuye.registry.models import TABLES

    line = _found_line(web_db)
    name, phone = registry_contact(web_db, line["subject"])
    token = register(client, line["subject"])
    with write_session(web_db) as s:
        ledger.set_confirm(s, "JS-02", True, "测试")
        p = TABLES["persons"]  # the registry changes (or the account predates the person's import)
        s.execute(sa.update(p).where(p.c.id_number == line["subject"]).values(phone="13700000000"))
    r = _confirm(client, token, line)
    assert r.status_code == 403, r.text
    assert "与登记信息不一致" in r.text
    assert _confirmation_of(web_db, line) is None
    with write_session(web_db) as s:
        p = TABLES["persons"]
        s.execute(sa.update(p).where(p.c.id_number == line["subject"]).values(phone=phone))
    r = _confirm(client, token, line)
    assert r.status_code == 303, r.text
    assert name


def _submitted_application(client: Any, web_db: str, town_is_zhujing: bool) -> int:
    """A JS-08b application submitted by a Jinshan resident of 朱泾镇 (or of another town)."""
    from jiuye import db
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    with db.session_scope(web_db) as s:
        town = (p.c.hukou_town == "朱泾镇") if town_is_zhujing else (p.c.hukou_town != "朱泾镇")
        person = s.execute(sa.select(p.c.id_number).where(p.c.hukou_district == "jinshan", town)
                           .order_by(p.c.id).limit(1)).scalar_one()  # fmt: skip
    return _org_application(client, web_db, person, "resident")


def _org_application(client: Any, web_db: str, applicant: str, kind: str, name: str | None = None,
                     reason: str = "申请资助") -> int:
    """A JS-08b application (for a Jinshan organisation) submitted by ``applicant``, an account of ``kind``."""
    from jiuye import db
    from jiuye.registry.models import TABLES

    o = TABLES["organizations"]
    with db.session_scope(web_db) as s:
        code = s.execute(sa.select(o.c.credit_code).where(o.c.district == "jinshan", o.c.credit_code.is_not(None))
                         .order_by(o.c.id).limit(1)).scalar_one()  # fmt: skip
    token = register(client, applicant, kind=kind, name=name)
    r = client.post("/my/apply/JS-08b", data={"csrf_token": token})
    assert r.status_code == 303, r.text
    app_id = int(r.headers["location"].rsplit("/", 1)[1])
    r = client.post(f"/my/applications/{app_id}", data={
        "csrf_token": token, "org_name": "某某服务社", "org_code": code, "org_district": "jinshan", "grade": "A",
        "graded_on": "2025-03-01", "reason": reason, "action": "submit"},
        files={"proof": ("证明.pdf", PDF, "application/pdf")})  # fmt: skip
    assert r.status_code == 303 and "submitted" in r.headers["location"], r.text
    client.cookies.clear()
    return app_id


def test_a_town_caseworker_sees_and_decides_only_applications_of_their_town(client: Any, web_db: str) -> None:
    from jiuye import db
    from jiuye.applications.models import application_files

    other = _submitted_application(client, web_db, town_is_zhujing=False)
    own = _submitted_application(client, web_db, town_is_zhujing=True)
    with db.session_scope(web_db) as s:
        other_file = s.execute(sa.select(application_files.c.id).where(application_files.c.application_id == other)
                               ).scalar_one()  # fmt: skip
    token = login(client, "caseworker_js")
    listed = client.get("/review/applications").text
    assert f"/review/applications/{own}" in listed
    assert f"/review/applications/{other}" not in listed
    assert client.get(f"/review/applications/{other}").status_code == 404
    assert client.get(f"/review/applications/{other}/files/{other_file}").status_code == 404
    r = client.post(f"/review/applications/{other}", data={"csrf_token": token, "decision": "reject", "reason": "不符合"})
    assert r.status_code == 404, r.text
    assert client.get(f"/review/applications/{own}").status_code == 200
    # the district's reviewer still sees both
    client.cookies.clear()
    login(client, "reviewer_js")
    listed = client.get("/review/applications").text
    assert f"/review/applications/{own}" in listed and f"/review/applications/{other}" in listed


def test_an_organisation_applicant_belongs_to_its_town_and_an_unregistered_one_to_the_district(
    client: Any, web_db: str
) -> None:
    """An organisation applies with its credit code: its town is the registry's 所在街镇 of the organisation, so
    the caseworker of that town sees the application and a caseworker of another town does not.  A person the
    registry does not know has no town: only the district's accounts see their application."""
    from jiuye import db
    from jiuye.registry.models import TABLES
    from tests.web.public_helpers import id_number

    o, p = TABLES["organizations"], TABLES["persons"]
    with db.session_scope(web_db) as s:
        codes = {town: s.execute(sa.select(o.c.credit_code).where(
            o.c.district == "jinshan", o.c.credit_code.is_not(None), town_cond).order_by(o.c.id).limit(1)
        ).scalar_one() for town, town_cond in (("own", o.c.town == "朱泾镇"), ("other", o.c.town != "朱泾镇"))}  # fmt: skip
        known = set(s.execute(sa.select(p.c.id_number)).scalars())
    stranger = next(n for n in (id_number(i, dt.date(1987, 3, 9)) for i in range(99)) if n not in known)
    own = _org_application(client, web_db, codes["own"], "employer")
    other = _org_application(client, web_db, codes["other"], "employer")
    unknown = _org_application(client, web_db, stranger, "resident")
    token = login(client, "caseworker_js")
    listed = client.get("/review/applications").text
    assert f"/review/applications/{own}" in listed
    assert f"/review/applications/{other}" not in listed and f"/review/applications/{unknown}" not in listed
    assert client.get(f"/review/applications/{own}").status_code == 200
    for hidden in (other, unknown):
        assert client.get(f"/review/applications/{hidden}").status_code == 404
        r = client.post(f"/review/applications/{hidden}", data={"csrf_token": token, "decision": "reject",
                                                                 "reason": "不符合"})  # fmt: skip
        assert r.status_code == 404, r.text
    client.cookies.clear()
    login(client, "reviewer_js")  # the district's reviewer: every one of the district
    listed = client.get("/review/applications").text
    assert all(f"/review/applications/{n}" in listed for n in (own, other, unknown))
    client.cookies.clear()
    login(client, "reviewer_cm")  # another district's: none
    listed = client.get("/review/applications").text
    assert not any(f"/review/applications/{n}" in listed for n in (own, other, unknown))
    assert client.get(f"/review/applications/{own}").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/entitlements/{n}", "/api/v1/persons/{n}", "/entitlements/{n}",
                                  "/api/v1/payment-batches/{n}", "/api/v1/flags/{n}", "/api/v1/jobs/{n}",
                                  "/notices/{n}"])  # fmt: skip
def test_an_id_too_large_for_the_database_is_not_found(client: Any, web_db: str, path: str) -> None:
    from tests.web.conftest import api_token

    headers = api_token(client, "admin_js")
    for n in (2**63, 10**30):
        r = client.get(path.format(n=n), headers=headers)
        assert r.status_code == 404, (path, n, r.status_code, r.text[:200])
        assert "系统内部错误" not in r.text
    for digits in ("²", "①"):  # digits to str.isdigit(), not to int(): refused, never a 500
        r = client.get(path.format(n=digits), headers=headers)
        assert r.status_code in (404, 422), (path, digits, r.status_code, r.text[:200])
        assert "系统内部错误" not in r.text


SECRET_ID = "310116199001011234"  # an ID number and an account number quoted by a failing library
SECRET_ACCOUNT = "6222020200112233446"


def _boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError(f"bad row (person {SECRET_ID}, account {SECRET_ACCOUNT})")


def test_an_unexpected_error_logs_no_id_number_and_answers_in_chinese(
    web_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi.testclient import TestClient

    from jiuye.web import dashboard
    from jiuye.web.app import create_app
    from tests.web.conftest import api_token

    monkeypatch.setattr(dashboard, "figures", _boom)
    with TestClient(create_app(web_db, start_worker=False), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/dashboard", headers=api_token(c, "leader_js"))
    assert r.status_code == 500 and "系统内部错误" in r.json()["message"]
    assert "RuntimeError" not in r.text and SECRET_ID not in r.text
    logged = "\n".join(rec.getMessage() for rec in caplog.records) + caplog.text
    assert "RuntimeError" in logged and "bad row" in logged  # the operator still gets the traceback
    assert SECRET_ID not in logged and SECRET_ACCOUNT not in logged
    assert "310116********1234" in logged


def test_a_failed_job_says_so_in_chinese_and_logs_no_id_number(
    client: Any, web_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from jiuye.jobs import tasks
    from tests.web.conftest import api_token, run_jobs

    monkeypatch.setitem(tasks.TASKS, "pay", _boom)
    headers = api_token(client, "reviewer_js")
    r = client.post("/api/v1/payment-batches", json={"month": "2026-10"}, headers=headers)
    assert r.status_code == 202, r.text
    assert run_jobs(web_db) == 1
    job = client.get(r.json()["url"], headers=headers).json()
    assert job["state"] != "done" and "系统内部错误" in job["message"]
    words = re.sub(r"编号 [0-9a-f]{8}", "", job["message"])  # the reference is hex
    assert not re.search(r"[A-Za-z]{4,}", words), job["message"]  # no English exception name
    logged = caplog.text
    assert "bad row" in logged and SECRET_ID not in logged and SECRET_ACCOUNT not in logged


@pytest.mark.parametrize(("name", "data", "says"), [
    ("persons.csv", "身份证号码,姓名\n1,2,3\n\"4,5\n".encode(), "不是有效的 CSV 文件"),
    ("persons.xlsx", b"PK\x03\x04 not a workbook", "不是有效的 Excel"),
])  # fmt: skip
def test_an_unreadable_import_file_is_explained_in_chinese(client: Any, web_db: str, name: str, data: bytes,
                                                           says: str) -> None:  # fmt: skip
    """The library's English reason (polars' "found more fields than defined in 'Schema'", zipfile's "File is
    not a zip file") was quoted in the message shown to the caseworker."""
    from tests.web.conftest import api_token, run_jobs

    headers = api_token(client, "caseworker_js")
    r = client.post("/api/v1/imports", headers=headers, files={"files": (name, data, "application/octet-stream")})
    assert r.status_code == 202, r.text
    assert run_jobs(web_db) == 1
    job = client.get(r.json()["url"], headers=headers).json()
    assert says in job["message"], job["message"]
    words = re.sub(r"CSV|UTF-8|Excel|xlsx|xls", "", job["message"].replace(name, ""))  # names of formats
    assert not re.search(r"[A-Za-z]{3,}", words), job["message"]


@pytest.mark.parametrize(("registry_name", "typed_name", "registry_phone", "typed_phone"), [
    ("阿依古丽·买买提", "阿依古丽•买买提", "+86 138-0013-8000", "13800138000"),  # the dot as typed; a country code
    ("阿依古丽·买买提", "阿依古丽 买买提", "13800138000/021-57921234", "13800138000"),  # two numbers in the field
    ("John Smith", "JOHN　SMITH", "021-57921234", "13800138000"),  # a landline: no mobile to compare with
])  # fmt: skip
def test_a_registry_person_registers_with_their_name_and_mobile_as_typed(
    client: Any, web_db: str, registry_name: str, typed_name: str, registry_phone: str, typed_phone: str
) -> None:
    """实名核验 compares what tells people apart: the registry's 联系电话 is free text (a landline, a country
    code, two numbers are legitimate there) and a name's separator dot, blanks and width are typed many ways —
    such a resident could not register at all (the form takes one 11-digit mobile)."""
    from jiuye.accounts.web import write_session
    from jiuye.registry.models import TABLES

    line = _found_line(web_db)
    with write_session(web_db) as s:
        p = TABLES["persons"]
        s.execute(sa.update(p).where(p.c.id_number == line["subject"]).values(name=registry_name, phone=registry_phone))
    r = _post_register(client, line["subject"], "冒名者", typed_phone)
    assert r.status_code == 422 and "与登记信息不一致" in r.text, r.text  # the name is still checked
    if "13800138000" in registry_phone:
        assert _post_register(client, line["subject"], typed_name, "13900139000").status_code == 422  # and a mobile
    r = _post_register(client, line["subject"], typed_name, typed_phone)
    assert r.status_code == 303, r.text


def test_an_employer_registers_with_its_name_in_half_width_brackets(client: Any, web_db: str) -> None:
    """Registry names of companies carry full-width brackets （集团）; the same name typed with ( ) is the same name."""
    from jiuye.accounts.web import write_session
    from jiuye.registry.models import TABLES

    e = TABLES["employers"]
    with write_session(web_db) as s:
        code = s.execute(sa.select(e.c.credit_code).where(e.c.credit_code.is_not(None)).order_by(e.c.id).limit(1)
                         ).scalar_one()  # fmt: skip
        s.execute(sa.update(e).where(e.c.credit_code == code).values(name="上海金山某某（集团）有限公司"))
    page = client.get("/my/register")
    data = {"kind": "employer", "identifier": code, "phone": "13800138000", "password": "employer-pass-1",
            "password2": "employer-pass-1", "csrf_token": csrf(page.text)}  # fmt: skip
    r = client.post("/my/register", data={**data, "name": "上海金山另一家有限公司"})
    assert r.status_code == 422 and "与登记信息不一致" in r.text, r.text
    r = client.post("/my/register", data={**data, "name": "上海金山某某(集团)有限公司"})
    assert r.status_code == 303, r.text


def test_the_workbench_counts_the_applications_waiting_in_scope(client: Any, web_db: str) -> None:
    """工作台 (issue 12): what is waiting — the submitted 点单式 applications too, by measure, in the user's scope."""
    from tests.web.conftest import api_token

    _submitted_application(client, web_db, town_is_zhujing=False)
    _submitted_application(client, web_db, town_is_zhujing=True)
    district = client.get("/api/v1/dashboard", headers=api_token(client, "reviewer_js")).json()
    assert district["applications"] == 2
    assert {m["policy"]: m["applications"] for m in district["by_measure"]}.get("JS-08b") == 2
    town = client.get("/api/v1/dashboard", headers=api_token(client, "caseworker_js")).json()
    assert town["applications"] == 1
    assert client.get("/api/v1/dashboard", headers=api_token(client, "reviewer_cm")).json()["applications"] == 0
    login(client, "reviewer_js")
    page = client.get("/")
    assert 'href="/review/applications"' in page.text and "待审核申请" in page.text


def test_a_town_caseworker_sees_the_lines_of_organisations_of_their_town(client: Any, web_db: str) -> None:
    """An organisation measure's line (JS-05…JS-07, JS-12: the organisation is the beneficiary) belongs to the
    organisation's 所在街镇, as its 点单式 applications do: the town's caseworker opened the organisation's file
    and saw none of its entitlements or payments, and every such line answered 404 to every town account.  So
    does a flag about the organisation (after_deregistration names it as its subject)."""
    from jiuye import db
    from jiuye.ledger.models import entitlements as e
    from jiuye.registry.models import TABLES
    from jiuye.supervision.models import flags
    from tests.web.conftest import api_token

    o = TABLES["organizations"]
    with db.session_scope(web_db) as s:
        def line_of(town_cond: Any) -> tuple[int, int]:
            row = s.execute(sa.select(e.c.id, o.c.id).join(o, o.c.org_id == e.c.beneficiary)
                            .where(o.c.district == "jinshan", e.c.policy.like("JS-%"), town_cond)
                            .order_by(e.c.id).limit(1)).one()  # fmt: skip
            return int(row[0]), int(row[1])

        own_line, own_org = line_of(o.c.town == "朱泾镇")
        other_line, other_org = line_of(o.c.town != "朱泾镇")
        code = s.execute(sa.select(o.c.org_id).where(o.c.id == own_org)).scalar_one()
        s.execute(sa.insert(flags).values(
            check="after_deregistration", clause="政策目录 G13", district="jinshan", subject_kind="employer",
            subject_id=code, flag_key="t", detail="注销后仍发放", severity="high", state="open",
            raised_on=dt.date(2024, 1, 1), run_id="t", last_run_id="t", created_by="测试", updated_by="测试"))  # fmt: skip
    town, district = api_token(client, "caseworker_js"), api_token(client, "reviewer_js")
    assert client.get(f"/api/v1/entitlements/{own_line}", headers=town).status_code == 200
    assert client.get(f"/api/v1/entitlements/{other_line}", headers=town).status_code == 404
    seen = client.get(f"/api/v1/organisations/{own_org}", headers=town).json()
    assert seen["entitlements"] and seen["flags"]
    full = client.get(f"/api/v1/organisations/{own_org}", headers=district).json()
    assert (seen["entitlements"], seen["flags"]) == (full["entitlements"], full["flags"])
    assert client.get(f"/api/v1/organisations/{other_org}", headers=town).status_code == 404
    assert client.get(f"/api/v1/entitlements/{own_line}", headers=api_token(client, "reviewer_cm")).status_code == 404


def test_a_person_file_shows_a_town_account_only_the_flags_of_its_town(client: Any, web_db: str) -> None:
    """The person page lists flags about the person and flags that name the person among the related; a town
    account sees only those whose subject is of its town (flag_condition, as the employer and organisation files
    do): a flag about another town's employer that lists this person was shown to the person's town."""
    from jiuye import db
    from jiuye.registry.models import TABLES
    from jiuye.supervision.models import flags
    from tests.web.conftest import api_token

    p, e = TABLES["persons"], TABLES["employers"]
    with db.session_scope(web_db) as s:
        pid, idn = s.execute(sa.select(p.c.id, p.c.id_number).where(p.c.hukou_district == "jinshan",
                                                                   p.c.hukou_town == "朱泾镇")).first()  # fmt: skip
        other = s.execute(sa.select(e.c.credit_code).where(e.c.district == "jinshan", e.c.town != "朱泾镇")).scalar()
        for subject, kind, key in ((other, "employer", "other-town"), (idn, "person", "own")):
            s.execute(sa.insert(flags).values(
                check="shared_bank_account", clause="政策目录 G8", district="jinshan", subject_kind=kind,
                subject_id=subject, related_ids=f"{idn},{other}", flag_key=key, detail=f"测试疑点 {key}",
                severity="high", state="open", raised_on=dt.date(2024, 1, 1), run_id="t", last_run_id="t",
                created_by="测试", updated_by="测试"))  # fmt: skip
    town, district = api_token(client, "caseworker_js"), api_token(client, "reviewer_js")
    town_details = {f["detail"] for f in client.get(f"/api/v1/persons/{pid}", headers=town).json()["flags"]}
    district_details = {f["detail"] for f in client.get(f"/api/v1/persons/{pid}", headers=district).json()["flags"]}
    assert "测试疑点 own" in town_details and "测试疑点 other-town" not in town_details
    assert {"测试疑点 own", "测试疑点 other-town"} <= district_details
