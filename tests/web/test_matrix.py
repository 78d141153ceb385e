"""Role × endpoint matrix: every API endpoint, every role, in scope and out of scope.

- a role without the permission gets 403, one with it never gets 401/403;
- a Chongming account gets 404 on every Jinshan record by URL (the same answer as for a missing one);
- a town account gets 404 on a person of another town;
- no response body (pages and JSON) carries a full ID number: IDs are masked unless a role asks to unmask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import ACCOUNTS, api_token

FULL_ID = re.compile(r"(?<![0-9A-Z*])\d{17}[\dX](?![0-9A-Z])")


@dataclass
class Ids:
    entitlement: int  # a found JS-02 line (Jinshan)
    person: int  # its person (Jinshan, town 朱泾镇 not guaranteed)
    other_town_person: int  # a Jinshan person outside 朱泾镇
    flag: int  # the planted Jinshan flag
    batch: int  # a batch with Jinshan payments
    payment: int  # a Jinshan payment
    cm_entitlement: int  # a Chongming line
    employer: int  # a Jinshan employer paid a JS line
    organisation: int  # a Jinshan organisation paid a JS line


def ids_of(url: str) -> Ids:
    from jiuye.db import session_scope
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.models import payments as p
    from jiuye.registry.models import TABLES
    from jiuye.supervision.models import flags

    persons = TABLES["persons"]
    with session_scope(url) as s:
        ent, subject = s.execute(
            sa.select(e.c.id, e.c.subject).where(e.c.policy == "JS-02", e.c.state == "found").order_by(e.c.id).limit(1)
        ).one()
        person = s.execute(sa.select(persons.c.id).where(persons.c.id_number == subject)).scalar_one()
        other = s.execute(
            sa.select(persons.c.id).where(persons.c.hukou_district == "jinshan", persons.c.hukou_town != "朱泾镇").limit(1)
        ).scalar_one()
        flag = s.execute(sa.select(flags.c.id).where(flags.c.district == "jinshan").limit(1)).scalar_one()
        pay_id, batch = s.execute(sa.select(p.c.id, p.c.batch_id).where(p.c.policy.like("JS-%")).limit(1)).one()
        cm = s.execute(sa.select(e.c.id).where(e.c.policy.like("CM-%")).limit(1)).scalar_one()
        emp, org = TABLES["employers"], TABLES["organizations"]
        employer = s.execute(sa.select(emp.c.id).join(e, e.c.beneficiary == emp.c.credit_code)
                             .where(e.c.policy.like("JS-%")).limit(1)).scalar_one()  # fmt: skip
        organisation = s.execute(sa.select(org.c.id).join(e, e.c.beneficiary == org.c.org_id)
                                 .where(e.c.policy.like("JS-%")).limit(1)).scalar_one()  # fmt: skip
    return Ids(ent, person, other, flag, batch, pay_id, cm, employer, organisation)


# (method, path, json body, permission); paths use {e} entitlement, {p} person, {f} flag, {b} batch, {y} payment
ENDPOINTS: tuple[tuple[str, str, dict[str, Any] | None, str | None], ...] = (
    ("GET", "/api/v1/me", None, None),
    ("GET", "/api/v1/dashboard", None, "dashboard"),
    ("GET", "/api/v1/policies", None, None),
    ("POST", "/api/v1/evaluate", {"persons": []}, "view"),
    ("GET", "/api/v1/persons?q=张", None, "view"),
    ("GET", "/api/v1/persons/{p}", None, "view"),
    ("GET", "/api/v1/employers/{m}", None, "view"),
    ("GET", "/api/v1/organisations/{o}", None, "view"),
    ("GET", "/api/v1/entitlements?policy=JS-02", None, "view"),
    ("GET", "/api/v1/entitlements/{e}", None, "view"),
    ("GET", "/api/v1/settings/auto", None, "view"),
    ("GET", "/api/v1/entitlements-bulk-approval?month=2026-10", None, "bulk_approve"),
    ("GET", "/api/v1/payment-batches", None, "payments_view"),
    ("GET", "/api/v1/payment-batches/{b}", None, "payments_view"),
    ("GET", "/api/v1/flags", None, "supervise"),
    ("GET", "/api/v1/flags/{f}", None, "supervise"),
    ("GET", "/api/v1/audit/events", None, "audit"),
    ("POST", "/api/v1/audit/verify", None, "audit"),
    ("GET", "/api/v1/parameters/JS-04", None, "parameters"),
    ("POST", "/api/v1/parameters/JS-04/preview",
     {"name": "monthly_amount", "since": "2026-01-01", "value": "500", "source": "测试用市级标准"}, "parameters"),
    ("POST", "/api/v1/persons/{p}/unmask", {"reason": "核对身份"}, "unmask_id"),
    ("POST", "/api/v1/entitlements/{e}/review", {"decision": "approve", "reason": "符合"}, "review"),
    ("POST", "/api/v1/flags/{f}/review", {"state": "confirmed", "reason": "已核实"}, "supervise"),
    ("POST", "/api/v1/payments/{y}/reverse", {"reason": "多发追回"}, "reverse"),
    ("PUT", "/api/v1/settings/auto/JS-02", {"auto": True, "reason": "维持"}, "settings"),
    ("POST", "/api/v1/parameters/JS-04",
     {"name": "monthly_amount", "since": "2026-02-01", "value": "500", "source": "测试用市级标准"}, "parameters"),
    ("POST", "/api/v1/payment-batches", {"month": "2026-10"}, "pay"),
    ("POST", "/api/v1/flags/run", None, "supervise"),
    ("GET", "/api/v1/match-runs", None, "match"),
    ("GET", "/api/v1/figures?year=2025", None, "dashboard"),
    ("POST", "/api/v1/match", {"month_from": "2026-01", "month_to": "2026-10"}, "match"),
)  # fmt: skip
SCOPED = ("{e}", "{p}", "{f}", "{b}", "{y}", "{m}", "{o}")
PAGES = ("/", "/review", "/people?q=张", "/people/{p}", "/employers/{m}", "/organisations/{o}", "/entitlements/{e}", "/payments", "/payments/batches/{b}",
         "/supervision", "/supervision/flags/{f}", "/parameters", "/parameters/JS-04", "/settings", "/audit", "/imports",
         "/accounts", "/jobs", "/match", "/figures")  # fmt: skip
PAGE_PERMISSION = {"/people": "view", "/employers": "view", "/organisations": "view", "/entitlements": "view", "/review": "view", "/payments": "payments_view",
                   "/supervision": "supervise", "/parameters": "parameters", "/settings": "view", "/audit": "audit",
                   "/imports": "import", "/accounts": "accounts",
                   "/match": "match"}  # fmt: skip


def _fill(path: str, ids: Ids) -> str:
    return path.format(e=ids.entitlement, p=ids.person, f=ids.flag, b=ids.batch, y=ids.payment, m=ids.employer,
                       o=ids.organisation)


def _no_full_ids(text: str, where: str) -> None:
    found = FULL_ID.findall(text)
    assert not found, f"{where} shows full ID numbers: {found[:3]}"


@pytest.mark.parametrize("username", [a[0] for a in ACCOUNTS if a[0] != "auditor_cm"])
def test_role_endpoint_matrix(client: Any, web_db: str, username: str) -> None:
    from jiuye.accounts.roles import can

    role = next(a[2] for a in ACCOUNTS if a[0] == username)
    district = next(a[3] for a in ACCOUNTS if a[0] == username)
    town = next(a[4] for a in ACCOUNTS if a[0] == username)
    ids = ids_of(web_db)
    headers = api_token(client, username)
    for method, path, body, permission in ENDPOINTS:
        url = _fill(path, ids)
        r = client.request(method, url, json=body, headers=headers)
        where = f"{role} {method} {url} → {r.status_code} {r.text[:300]}"
        assert r.status_code != 500, where
        assert r.headers["content-type"].startswith("application/json"), where
        if permission is not None and not can(role, permission):
            assert r.status_code == 403, where
            assert "无权" in r.json()["message"], where
            continue
        assert r.status_code not in (401, 403), where
        scoped = any(k in path for k in SCOPED)
        if district != "jinshan" and scoped:
            assert r.status_code == 404, where  # a Chongming account never reaches a Jinshan record
        if "/unmask" not in url and r.status_code < 300:
            _no_full_ids(r.text, where)
        if r.status_code < 300 and "/entitlements?" in url:
            assert all(row["policy"].startswith("JS-") for row in r.json()["rows"]) or district != "jinshan"
            if district == "chongming":
                assert r.json()["rows"] == []
    # pages: the same rules, and no page lets a full ID through
    client.headers.update(headers)
    for path in PAGES:
        url = _fill(path, ids)
        r = client.get(url)
        where = f"{role} GET {url} → {r.status_code}"
        assert r.status_code != 500, where
        need = next((v for k, v in PAGE_PERMISSION.items() if url.startswith(k)), None)
        if need is not None and not can(role, need):
            assert r.status_code == 403, where
            continue
        if district != "jinshan" and any(k in path for k in SCOPED):
            assert r.status_code == 404, where
            continue
        if town is not None and any(k in path for k in SCOPED):
            assert r.status_code in (200, 404), where  # records of other towns are not found
            continue
        assert r.status_code == 200, where
        _no_full_ids(r.text, where)
    if town is not None:
        r = client.get(f"/api/v1/persons/{ids.other_town_person}", headers=headers)
        assert r.status_code == 404, "a town caseworker reached a person of another town"


def test_chongming_reviewer_cannot_open_a_jinshan_person_or_line_by_url(client: Any, web_db: str) -> None:
    ids = ids_of(web_db)
    headers = api_token(client, "reviewer_cm")
    for url in (f"/api/v1/persons/{ids.person}", f"/api/v1/entitlements/{ids.entitlement}"):
        r = client.get(url, headers=headers)
        assert r.status_code == 404 and "不在您的辖区" in r.json()["message"]
    r = client.post(f"/api/v1/entitlements/{ids.entitlement}/review", json={"decision": "approve", "reason": "x"},
                    headers=headers)  # fmt: skip
    assert r.status_code == 404
    # and the Jinshan reviewer cannot act on a Chongming line
    r = client.get(f"/api/v1/entitlements/{ids.cm_entitlement}", headers=api_token(client, "reviewer_js"))
    assert r.status_code == 404


def test_unmask_shows_the_full_id_and_is_audited(client: Any, web_db: str) -> None:
    from jiuye.audit.models import audit_events
    from jiuye.db import session_scope

    ids = ids_of(web_db)
    headers = api_token(client, "reviewer_js")
    masked = client.get(f"/api/v1/persons/{ids.person}", headers=headers).json()
    assert "********" in masked["id_number"]
    r = client.post(f"/api/v1/persons/{ids.person}/unmask", json={"reason": "电话核实身份"}, headers=headers)
    assert r.status_code == 200 and FULL_ID.fullmatch(r.json()["id_number"])
    with session_scope(web_db) as s:
        ev = s.execute(sa.select(audit_events).where(audit_events.c.action == "unmask")).mappings().one()
    assert ev["entity_id"] == str(ids.person) and ev["reason"] == "电话核实身份" and "reviewer_js" in ev["actor"]
    r = client.post(f"/api/v1/persons/{ids.person}/unmask", json={"reason": "好奇"}, headers=api_token(client, "policy_js"))
    assert r.status_code == 403
