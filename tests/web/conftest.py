"""Fixtures of the web tests.

- ``web_db``: the URL of a database (SQLite and PostgreSQL) holding the two demo districts after the main
  job (match → approve up to 2025-06 → pay → supervise) plus one staff account per role.  Built once per
  test process as a template and copied per test (SQLite: a file copy; PostgreSQL: ``CREATE DATABASE …
  TEMPLATE``), so each test may change it freely.
- ``client``: a FastAPI TestClient on it (jobs run when the test calls :func:`run_jobs`).
- ``login(client, username)``: logs in through the HTML form (cookie + CSRF token) and returns the token.
- ``live_server``: uvicorn in a thread on a free port, with the job worker, for the browser tests.
- ``browser``: Playwright driving Debian's chromium (installed with apt-get when missing).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "demo-password-123"  # test accounts only; the demo accounts of setup.sh get random passwords
ACCOUNTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("admin_js", "金山管理员", "admin", "jinshan", None),
    ("policy_js", "金山政策经办", "policy_officer", "jinshan", None),
    ("reviewer_js", "金山审核员", "reviewer", "jinshan", None),
    ("auditor_js", "金山稽核员", "fund_auditor", "jinshan", None),
    ("caseworker_js", "朱泾镇经办", "caseworker", "jinshan", "朱泾镇"),
    ("leader_js", "金山领导", "leader", "jinshan", None),
    ("reviewer_cm", "崇明审核员", "reviewer", "chongming", None),
    ("auditor_cm", "崇明稽核员", "fund_auditor", "chongming", None),
)
ROLE_USERS = {role: name for name, _, role, district, _ in ACCOUNTS if district == "jinshan"}
_templates: dict[str, str] = {}
_counter = iter(range(10**9))


def build_demo(url: str) -> None:
    from jiuye import db
    from jiuye.accounts.service import create_user
    from jiuye.accounts.web import write_session
    from jiuye.cli import main

    db.upgrade(url)
    os.environ.setdefault("JIUYE_USER", "测试操作员")
    files = os.environ.get("JIUYE_FILES_DIR") or "/tmp"
    for args in (
        ["demo-data", "--district", "jinshan", "--persons", "320", "--seed", "1", "-q"],
        ["demo-data", "--district", "chongming", "--persons", "320", "--seed", "2", "-q"],
        ["match", "--from", "2023-01", "--to", "2026-10"],
        ["approve", "--month", "2025-06"],
        ["pay", "--month", "2025-06", "--out", f"{files}/payments-template"],
    ):
        assert main([*args, "--db", url]) == 0, args
    plant_flag(url)
    assert main(["supervise", "--db", url]) == 0
    with write_session(url) as s:
        for username, name, role, district, town in ACCOUNTS:
            create_user(s, username, name, PASSWORD, role, district, town, "测试")


def plant_flag(url: str) -> None:
    """A Jinshan person paid for months after their (planted) death: the after_death check flags it."""
    import sqlalchemy as sa

    from jiuye.accounts.web import write_session
    from jiuye.ledger.models import payments
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    with write_session(url) as s:
        subject = s.execute(
            sa.select(payments.c.subject).where(payments.c.policy.like("JS-%"), payments.c.subject == payments.c.beneficiary)
            .order_by(payments.c.month.desc(), payments.c.id).limit(1)
        ).scalar_one()  # fmt: skip
        s.execute(sa.update(p).where(p.c.id_number == subject).values(died_on=sa.func.date("2023-01-15")
                  if s.get_bind().dialect.name == "sqlite" else sa.cast("2023-01-15", sa.Date)))  # fmt: skip


def _copy_audit_folder(template_url: str, url: str) -> None:
    """A copied database takes its audit key and anchors along (they live outside the database)."""
    from jiuye.audit.keys import audit_dir

    source, target = audit_dir(template_url), audit_dir(url)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def _close_sqlite(url: str) -> None:
    """Close every pooled connection and fold the WAL into the file, so that a file copy is complete."""
    import sqlite3

    from jiuye import db
    from jiuye.db import write_engine

    db.get_engine(url).dispose()
    write_engine(url).dispose()
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _pg_admin_url() -> str:
    from tests.conftest import postgres_base_url

    return postgres_base_url()


def _pg_url(dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(_pg_admin_url()).set(database=dbname).render_as_string(hide_password=False)


def _pg_exec(sql: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def web_db(request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # fmt: skip
    from jiuye import db

    files = tmp_path / "files"
    monkeypatch.setenv("JIUYE_FILES_DIR", str(files))
    if request.param == "sqlite":
        if "sqlite" not in _templates:
            base = tmp_path_factory.mktemp("web-template")
            monkeypatch.setenv("JIUYE_FILES_DIR", str(base / "files"))
            url = f"sqlite:///{base}/template.db"
            build_demo(url)
            _close_sqlite(url)
            _templates["sqlite"] = str(base / "template.db")
            _templates["sqlite_url"] = url
            monkeypatch.setenv("JIUYE_FILES_DIR", str(files))
        target = tmp_path / "jiuye.db"
        shutil.copy(_templates["sqlite"], target)
        url = f"sqlite:///{target}"
        _copy_audit_folder(_templates["sqlite_url"], url)
        yield url
        _close_sqlite(url)
        return
    from tests.conftest import postgres_unreachable

    problem = postgres_unreachable()
    if problem:
        pytest.skip(problem)
    prefix = f"jw_{os.getpid()}_{uuid.uuid4().hex[:4]}"
    if "postgresql" not in _templates:
        name = f"{prefix}_tmpl"
        _pg_exec(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
        build_demo(url)
        db.get_engine(url).dispose()
        from jiuye.db import write_engine

        write_engine(url).dispose()
        _templates["postgresql"] = name
        _templates["postgresql_url"] = url
    name = f"{prefix}_{next(_counter)}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{_templates["postgresql"]}"')
    url = _pg_url(name)
    _copy_audit_folder(_templates["postgresql_url"], url)
    try:
        yield url
    finally:
        db.get_engine(url).dispose()
        from jiuye.db import write_engine

        write_engine(url).dispose()
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    name = _templates.get("postgresql")
    if name:
        with contextlib.suppress(Exception):
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def client(web_db: str) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from jiuye.web.app import create_app

    with TestClient(create_app(web_db, start_worker=False), follow_redirects=False) as c:
        yield c


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the CSRF token of the session (cookie kept by the client)."""
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text),
                                    "next": "/"})  # fmt: skip
    assert r.status_code == 303, r.text
    home = client.get("/")
    assert home.status_code == 200
    return csrf_of(home.text)


def api_token(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def run_jobs(url: str) -> int:
    """Run every queued job now (the tests' stand-in for the worker thread)."""
    from jiuye.jobs.worker import run_pending

    return run_pending(url)


# --- browser ---------------------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def ensure_chromium() -> str | None:
    """Path of Debian's chromium, installing it with apt-get when missing (None when that fails)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, capture_output=True
        )
    return CHROMIUM if Path(CHROMIUM).exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(web_db: str) -> Iterator[str]:
    import uvicorn

    from jiuye.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(web_db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    path = ensure_chromium()
    if path is None:
        pytest.skip("chromium 未安装且无法用 apt-get 安装")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, chromium: Any) -> Iterator[Any]:
    size = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}[request.param]
    context = chromium.new_context(viewport=size, locale="zh-CN", is_mobile=request.param == "phone")
    pg = context.new_page()
    pg.viewport_name = request.param  # type: ignore[attr-defined]
    yield pg
    context.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_name}.png"), full_page=False)
