"""Fixtures of the web tests.

- ``web_db``: the URL of a database (SQLite and PostgreSQL) holding the two demo districts after the main
  job (match → approve up to 2025-06 → pay → supervise) plus one staff account per role.  Built once per
  test run as a template — by the first process that needs it, the other xdist workers wait on a file lock
  and use it too — and copied per test (SQLite: a file copy; PostgreSQL: ``CREATE DATABASE … TEMPLATE``),
  so each test may change it freely.
- ``client``: a FastAPI TestClient on it (jobs run when the test calls :func:`run_jobs`).
- ``login(client, username)``: logs in through the HTML form (cookie + CSRF token) and returns the token.
- ``live_server``: uvicorn in a thread on a free port, with the job worker, for the browser tests.
- ``browser``: Playwright driving Debian's chromium (installed with apt-get when missing).
"""

from __future__ import annotations

import fcntl
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
_counter = iter(range(10**9))
_PREFIX = f"jw_{os.getpid()}_{uuid.uuid4().hex[:4]}"


def build_demo(url: str) -> None:
    from jiuye import db
    from jiuye.accounts.service import create_user
    from jiuye.accounts.web import write_session
    from jiuye.cli import main

    db.upgrade(url)
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


def _copy_audit_folder(source: Path, url: str) -> None:
    """A copied database takes its audit key and anchors along (they live outside the database)."""
    from jiuye.audit.keys import audit_dir

    if source.is_dir():
        shutil.copytree(source, audit_dir(url), dirs_exist_ok=True)


def demo_template(backend: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder of this run's demo template on ``backend``: ``template.db`` (SQLite) or the name of the
    template database on the last line of ``databases`` (PostgreSQL), and ``audit/`` (its audit folder).

    Built by the first process that asks (build_demo takes tens of seconds); the others wait on the lock."""
    from jiuye.audit.keys import audit_dir
    from tests.conftest import close_sqlite, drop_at_run_end, postgres_base_url, run_dir
    from tests.pg_schema import admin_exec, database_url, dispose

    folder = run_dir(tmp_path_factory) / f"web-template-{backend}"
    done = folder / "done"
    if done.exists():
        return folder
    with open(f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return folder
        folder.mkdir(exist_ok=True)
        with monkeypatch.context() as m:
            m.setenv("JIUYE_FILES_DIR", str(folder / "files"))
            if backend == "sqlite":
                url = f"sqlite:///{folder}/template.db"
                build_demo(url)
                close_sqlite(url)
            else:
                name = f"{_PREFIX}_tmpl"
                drop_at_run_end(tmp_path_factory, name)
                with open(folder / "databases", "a") as names:
                    names.write(f"{name}\n")
                admin_exec(postgres_base_url(), f'CREATE DATABASE "{name}"')
                url = database_url(postgres_base_url(), name)
                build_demo(url)
                dispose(url)
        if audit_dir(url).is_dir():
            shutil.copytree(audit_dir(url), folder / "audit")
        done.touch()
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def web_db(request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # fmt: skip
    from tests.conftest import close_sqlite

    os.environ.setdefault("JIUYE_USER", "测试操作员")
    monkeypatch.setenv("JIUYE_FILES_DIR", str(tmp_path / "files"))
    if request.param == "sqlite":
        template = demo_template("sqlite", tmp_path_factory, monkeypatch)
        target = tmp_path / "jiuye.db"
        shutil.copyfile(template / "template.db", target)
        url = f"sqlite:///{target}"
        _copy_audit_folder(template / "audit", url)
        yield url
        close_sqlite(url)
        return
    from tests.conftest import postgres_base_url, postgres_unreachable
    from tests.pg_schema import cloned_database

    problem = postgres_unreachable()
    if problem:
        pytest.skip(problem)
    template = demo_template("postgresql", tmp_path_factory, monkeypatch)
    name = (template / "databases").read_text().split()[-1]
    with cloned_database(postgres_base_url(), name, f"{_PREFIX}_{next(_counter)}") as url:
        _copy_audit_folder(template / "audit", url)
        yield url


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
        ensure_cjk_font()
        return CHROMIUM
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, capture_output=True
        )
    ensure_cjk_font()
    return CHROMIUM if Path(CHROMIUM).exists() else None


def ensure_cjk_font() -> None:
    """A Chinese font for the screenshots (WenQuanYi Micro Hei from Debian), installed when missing."""
    if Path("/usr/share/fonts/truetype/wqy").is_dir() or not (shutil.which("apt-get") and os.geteuid() == 0):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "fonts-wqy-microhei"], check=False, env=env,
                   capture_output=True)  # fmt: skip


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
