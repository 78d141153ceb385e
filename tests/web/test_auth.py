"""Login, lockout, sessions (idle timeout, logout, revocation), CSRF, audit events of every login."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import PASSWORD, api_token, csrf_of, login


def _events(url: str, action: str) -> list[Any]:
    from jiuye.audit.models import audit_events
    from jiuye.db import session_scope

    with session_scope(url) as s:
        return list(s.execute(sa.select(audit_events).where(audit_events.c.action == action)).mappings())


def test_pages_need_login_and_api_answers_401_in_chinese(client: Any) -> None:
    r = client.get("/review")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = client.get("/api/v1/entitlements")
    assert r.status_code == 401
    assert "登录" in r.json()["message"]


def test_login_logout_and_audit(client: Any, web_db: str) -> None:
    token = login(client, "reviewer_js")
    assert _events(web_db, "login")[-1]["actor"] == "金山审核员（reviewer_js）"
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303
    assert client.get("/").status_code == 303  # session revoked
    assert _events(web_db, "logout")


def test_wrong_password_is_audited_and_locks_after_five(client: Any, web_db: str) -> None:
    for _ in range(5):
        page = client.get("/login")
        r = client.post(
            "/login", data={"username": "reviewer_js", "password": "wrong", "csrf_token": csrf_of(page.text)}
        )
        assert r.status_code == 401
        assert "登录名或密码不正确" in r.text
    failed = _events(web_db, "login.failed")
    assert len(failed) == 5 and failed[-1]["new_state"] == "locked"
    page = client.get("/login")
    r = client.post(
        "/login", data={"username": "reviewer_js", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 423 and "锁定" in r.text  # even the right password while locked
    r = client.post("/api/v1/login", json={"username": "reviewer_js", "password": PASSWORD})
    assert r.status_code == 423


def test_unknown_user_gets_the_same_answer_and_an_audit_event(client: Any, web_db: str) -> None:
    r = client.post("/api/v1/login", json={"username": "nobody", "password": "x"})
    assert r.status_code == 401 and r.json() == {"message": "登录名或密码不正确。", "field": "password"}
    assert _events(web_db, "login.failed")[-1]["actor"] == "nobody"


def test_login_form_needs_its_csrf_token(client: Any) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "reviewer_js", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_every_form_post_needs_the_session_csrf_token(client: Any) -> None:
    token = login(client, "reviewer_js")
    eid = _found(client, "JS-02")
    for data in (
        {"decision": "approve", "reason": "ok"},
        {"decision": "approve", "reason": "ok", "csrf_token": "x" + token},
    ):
        r = client.post(f"/entitlements/{eid}/review", data=data)
        assert r.status_code == 403 and "页面已失效" in r.text
    # a JSON request on the cookie session needs the header too
    r = client.post(f"/api/v1/entitlements/{eid}/review", json={"decision": "approve", "reason": "ok"})
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/entitlements/{eid}/review",
        json={"decision": "approve", "reason": "ok"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200


def _found(client: Any, policy: str) -> int:
    r = client.get(f"/api/v1/entitlements?policy={policy}&state=found")
    assert r.status_code == 200 and r.json()["rows"], r.text
    return int(r.json()["rows"][0]["id"])


def test_idle_session_expires(client: Any, web_db: str) -> None:
    from jiuye.accounts.models import sessions
    from jiuye.accounts.web import write_session

    headers = api_token(client, "reviewer_js")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with write_session(web_db) as s:
        s.execute(
            sa.update(sessions).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
        )
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and "过期" in r.json()["message"]


def test_disabling_an_account_revokes_its_sessions(client: Any, web_db: str) -> None:
    from jiuye.accounts.service import set_active
    from jiuye.accounts.web import write_session

    headers = api_token(client, "reviewer_js")
    with write_session(web_db) as s:
        set_active(s, "reviewer_js", False, "测试")
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        client.post("/api/v1/login", json={"username": "reviewer_js", "password": PASSWORD}).status_code
        == 401
    )


def test_session_token_is_stored_only_as_a_hash(client: Any, web_db: str) -> None:
    from jiuye.accounts.models import sessions, staff_users
    from jiuye.db import session_scope

    r = client.post("/api/v1/login", json={"username": "reviewer_js", "password": PASSWORD})
    token = r.json()["token"]
    with session_scope(web_db) as s:
        hashes = s.execute(sa.select(sessions.c.token_hash).where(sessions.c.kind == "staff")).scalars().all()
        stored = s.execute(
            sa.select(staff_users.c.password_hash).where(staff_users.c.username == "reviewer_js")
        ).scalar_one()
    assert token not in hashes and all(len(h) == 64 for h in hashes)
    assert stored.startswith("$argon2") and PASSWORD not in stored


def test_login_redirect_stays_on_this_site(client: Any) -> None:
    page = client.get("/login?next=//evil.example/x")
    r = client.post("/login", data={"username": "reviewer_js", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                    "next": "//evil.example/x"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_audit_chain_stays_valid_after_web_actions(client: Any, web_db: str) -> None:
    from jiuye.audit.service import verify
    from jiuye.db import session_scope

    token = login(client, "reviewer_js")
    eid = _found(client, "JS-02")
    client.post(
        f"/entitlements/{eid}/review", data={"decision": "reject", "reason": "材料不全", "csrf_token": token}
    )
    client.post("/api/v1/login", json={"username": "reviewer_js", "password": "bad"})
    with session_scope(web_db) as s:
        assert verify(s).ok


def test_every_form_on_every_page_carries_the_session_csrf_token(client: Any, web_db: str) -> None:
    import re

    from tests.web.conftest import CSRF_RE

    token = login(client, "admin_js")
    eid = _found(client, "JS-02")
    person = client.get(f"/api/v1/entitlements/{eid}").json()["person_id"]
    pages = ["/", "/review", f"/entitlements/{eid}", f"/people/{person}", "/payments", "/supervision", "/settings",
             "/parameters/JS-04", "/imports", "/audit", "/accounts", "/review/bulk?month=2026-10"]  # fmt: skip
    for path in pages:
        html = client.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
        assert forms, path
        for body in forms:
            values = CSRF_RE.findall(body)
            assert values == [token], f"{path}: a form without the session's CSRF token: {body[:200]}"


def test_a_staff_token_is_not_an_applicant_session_and_back(client: Any, web_db: str) -> None:
    """One session table, two kinds: a token opens only the door of its own kind (cookie or bearer)."""
    from tests.web.public_helpers import id_number, register

    staff = client.post("/api/v1/login", json={"username": "reviewer_js", "password": PASSWORD}).json()["token"]
    client.cookies.clear()
    register(client, id_number(60), "王五")
    applicant = client.cookies.get("jiuye_applicant")
    assert applicant and applicant != staff
    client.cookies.clear()

    client.cookies.set("jiuye_applicant", staff)  # a staff token where a resident's session is expected
    r = client.get("/my")
    assert r.status_code == 303 and r.headers["location"].startswith("/my/login")
    client.cookies.clear()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {applicant}"}).status_code == 401
    client.cookies.set("jiuye_session", applicant)  # a resident's token where staff's session is expected
    r = client.get("/review")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()

    # each still works at its own door
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {staff}"}).status_code == 200
    client.cookies.set("jiuye_applicant", applicant)
    assert client.get("/my").status_code == 200


def test_the_session_mechanism_refuses_the_other_kind(web_db: str) -> None:
    from jiuye.accounts import service as staff_service
    from jiuye.accounts import sessions
    from jiuye.accounts.web import read_session, write_session
    from jiuye.applications import service as applicant_service
    from jiuye.errors import UserError

    with write_session(web_db) as s:
        user = staff_service.active_user(s, 1)
        assert user is not None
        opened = sessions.open_session(s, "staff", user.id)
    with read_session(web_db) as s:
        assert staff_service.resolve(s, opened.token).subject == user
        try:
            applicant_service.resolve(s, opened.token)
        except UserError as exc:
            assert exc.http_status == 401 and "请先登录" in str(exc)
        else:
            raise AssertionError("a staff token was accepted as an applicant session")
    with write_session(web_db) as s:
        assert sessions.revoke_all(s, "applicant", user.id) == 0  # the same id of the other kind: untouched
    with read_session(web_db) as s:
        assert staff_service.resolve(s, opened.token).subject == user


def test_upgrade_carries_open_sessions_of_both_kinds_over(db_url: str) -> None:
    """Migration 0013_sessions: the rows of staff_sessions and applicant_sessions become sessions rows."""
    from alembic.script import ScriptDirectory

    from jiuye import db
    from jiuye.accounts.models import sessions
    from jiuye.db.migrate import alembic_config

    before = ScriptDirectory.from_config(alembic_config()).get_revision("0013_sessions").down_revision
    db.upgrade(db_url, revision=str(before))
    now = dt.datetime.now(dt.UTC)
    with db.get_engine(db_url).begin() as c:
        c.execute(sa.text("INSERT INTO staff_users (username, display_name, password_hash, role, district, active, "
                          "failed_logins, created_by) VALUES ('u1', '甲', 'x', 'reviewer', 'jinshan', true, 0, 't')"))
        c.execute(sa.text("INSERT INTO applicants (kind, identifier, name, phone, provider, failed_logins) "
                          "VALUES ('resident', '310116199001011234', '乙', '13812345678', 'local', 0)"))
        uid = c.execute(sa.text("SELECT id FROM staff_users")).scalar_one()
        aid = c.execute(sa.text("SELECT id FROM applicants")).scalar_one()
        c.execute(sa.text("INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, client)"
                          " VALUES ('s1', :u, 'c1', :n, :n, '127.0.0.1')"), {"u": uid, "n": now})
        c.execute(sa.text("INSERT INTO applicant_sessions (token_hash, applicant_id, csrf_token, created_at, "
                          "last_seen_at) VALUES ('a1', :a, 'c2', :n, :n)"), {"a": aid, "n": now})
    db.upgrade(db_url)
    with db.get_engine(db_url).connect() as c:
        rows = {r.token_hash: r for r in c.execute(sa.select(sessions))}
        names = set(sa.inspect(c).get_table_names())
    assert (rows["s1"].kind, rows["s1"].subject_id, rows["s1"].csrf_token, rows["s1"].client) == ("staff", uid, "c1",
                                                                                                  "127.0.0.1")
    assert (rows["a1"].kind, rows["a1"].subject_id, rows["a1"].csrf_token) == ("applicant", aid, "c2")
    assert not {"staff_sessions", "applicant_sessions"} & names


def test_every_change_to_a_session_or_its_account_counts_on_the_very_next_request(client: Any, web_db: str) -> None:
    """The session and its account are read together on every request (one query): a revocation, a disabled
    account or a new role written by another connection (the CLI, another server process) — straight into the
    tables, not through this server — decides the very next request, on the evaluate API's hot path too."""
    import json
    from pathlib import Path

    from jiuye.accounts.models import sessions, staff_users
    from jiuye.accounts.web import write_session

    case = json.loads((Path(__file__).resolve().parents[2] / "examples" / "case-one-person.json").read_text("utf-8"))

    def evaluate(headers: dict[str, str]) -> int:
        return int(client.post("/api/v1/evaluate", json=case, headers=headers).status_code)

    def change(table: Any, **values: Any) -> None:
        with write_session(web_db) as s:
            where = table.c.username == "reviewer_js" if table is staff_users else sa.true()
            s.execute(sa.update(table).where(where).values(**values))

    headers = api_token(client, "reviewer_js")
    assert evaluate(headers) == 200 and evaluate(headers) == 200  # twice: nothing kept from the first
    change(sessions, revoked_at=dt.datetime.now(dt.UTC))
    assert evaluate(headers) == 401

    headers = api_token(client, "reviewer_js")
    assert evaluate(headers) == 200
    change(staff_users, active=False)  # the account disabled, its sessions left open
    assert evaluate(headers) == 401
    change(staff_users, active=True)
    assert evaluate(headers) == 200  # the same session again: it was never revoked, only its account paused

    change(staff_users, role="leader")  # a role without 查看一人一档
    r = client.post("/api/v1/evaluate", json=case, headers=headers)
    assert r.status_code == 403 and "领导" in r.json()["message"]
    change(staff_users, role="reviewer")
    assert evaluate(headers) == 200


def test_an_applicant_session_revoked_elsewhere_ends_at_the_next_request(client: Any, web_db: str) -> None:
    import datetime as dt

    from jiuye.accounts.models import sessions
    from jiuye.accounts.web import write_session
    from jiuye.applications import service
    from jiuye.applications.identity import provider
    from jiuye.rules.identifiers import make_id_number

    with write_session(web_db) as s:
        ident = provider().register(s, "resident", make_id_number("310116", dt.date(1990, 1, 1), 7, "male"),
                                    "会话测试", "13800000007", "applicant-password-1")  # fmt: skip
        token = service.open_session(s, ident).token
    client.cookies.set("jiuye_applicant", token)
    assert client.get("/my").status_code == 200
    with write_session(web_db) as s:
        s.execute(sa.update(sessions).where(sessions.c.kind == "applicant").values(revoked_at=dt.datetime.now(dt.UTC)))
    r = client.get("/my", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/my/login")
    client.cookies.clear()


def test_sqlite_session_read_refuses_a_subject_column_the_driver_would_return_as_text() -> None:
    """The bare-cursor read of a session on SQLite converts only the session's times: a subject column of
    another type (a timestamp, say) would reach the checks as text, so building such a resolver fails."""
    from jiuye.accounts import sessions
    from jiuye.accounts.models import staff_users

    with pytest.raises(TypeError, match="locked_until"):
        sessions.resolver("staff", staff_users, [staff_users.c.id, staff_users.c.locked_until], lambda row: row)
