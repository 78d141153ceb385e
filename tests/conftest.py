"""Shared fixtures.

Database fixtures (every DB test runs on SQLite and on PostgreSQL):

- ``db_url``: the URL of a fresh, empty (not migrated) database, parametrised ``sqlite`` (a file in the
  test's tmp dir) and ``postgresql`` (a fresh schema selected through ``search_path``, dropped after the
  test; schema names carry a per-session prefix so parallel runs never collide).  PostgreSQL comes from
  ``$JIUYE_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``); when it
  cannot be reached the ``postgresql`` variants skip with the reason.
- ``migrated_db_url``: the same after ``jiuye db upgrade`` (migrations + district/town reference rows),
  copied from a database migrated once per test process (SQLite: a file copy; PostgreSQL: ``CREATE DATABASE
  … TEMPLATE``, the deployment in its own schema as above) and upgraded again — a no-op for the tables that
  gives the copy its own audit chain key, as upgrading a new database does.  Migrating every test's database
  cost ~1–2 s a PostgreSQL test; the copy ~0.1 s.

Tests that use them are marked ``db`` automatically.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_SESSION_PREFIX = f"jt_{os.getpid()}_{uuid.uuid4().hex[:6]}"
_counter = itertools.count()
_pg_problem: list[str | None] = []
_migrated_templates: dict[str, str] = {}  # backend → the migrated template of this process (file / database)
MIGRATED_SCHEMA = "jiuye_test"  # the deployment's schema inside each copied PostgreSQL database


def postgres_base_url() -> str:
    from jiuye.db import database_url

    return database_url(os.environ.get("JIUYE_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL)


def postgres_unreachable() -> str | None:
    """None when the test PostgreSQL answers, else why not (checked once per session)."""
    if not _pg_problem:
        import sqlalchemy as sa

        url = postgres_base_url()
        try:
            engine = sa.create_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.pool.NullPool)
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            _pg_problem.append(None)
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            _pg_problem.append(f"PostgreSQL {url} unreachable ({first}); set JIUYE_TEST_POSTGRES_URL")
    return _pg_problem[0]


@pytest.fixture(autouse=True, scope="session")
def _audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Audit keys and anchors of the test databases go to the session's temp dir (not the home folder)."""
    from jiuye.audit.keys import ENV_AUDIT_DIR

    if os.environ.get(ENV_AUDIT_DIR):
        yield
        return
    os.environ[ENV_AUDIT_DIR] = str(tmp_path_factory.mktemp("audit"))
    try:
        yield
    finally:
        os.environ.pop(ENV_AUDIT_DIR, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "db_url" in names or "migrated_db_url" in names:
            item.add_marker(pytest.mark.db)
    # slow tests first (stable: file order otherwise): with ``-n 2`` the long ones then run beside the short
    # ones instead of trailing alone at the end of the run
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp folder shared by every process of this run (an xdist worker's own sits inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def drop_at_run_end(tmp_path_factory: pytest.TempPathFactory, database: str) -> None:
    """Drop the PostgreSQL ``database`` when the whole run ends (a template other workers may still copy)."""
    with open(run_dir(tmp_path_factory) / "drop-databases", "a") as names:
        names.write(f"{database}\n")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    from jiuye import db

    if request.param == "sqlite":
        url = f"sqlite:///{os.fspath(tmp_path)}/jiuye.db"
        yield url
        db.get_engine(url).dispose()
        return

    problem = postgres_unreachable()
    if problem:
        pytest.skip(problem)
    from tests.pg_schema import schema_url

    with schema_url(postgres_base_url(), f"{_SESSION_PREFIX}_{next(_counter)}") as url:
        yield url


def close_sqlite(url: str) -> None:
    """Close every pooled connection and fold the WAL into the file, so that a file copy is complete."""
    import sqlite3

    from tests.pg_schema import dispose

    dispose(url)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_db_url(request: pytest.FixtureRequest, tmp_path: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # fmt: skip
    from jiuye import db
    from tests.pg_schema import admin_exec, cloned_database, database_url, dispose

    if request.param == "sqlite":
        if "sqlite" not in _migrated_templates:
            built = tmp_path_factory.mktemp("migrated-template") / "jiuye.db"
            db.upgrade(f"sqlite:///{built}")
            close_sqlite(f"sqlite:///{built}")
            _migrated_templates["sqlite"] = str(built)
        shutil.copyfile(_migrated_templates["sqlite"], tmp_path / "jiuye.db")
        url = f"sqlite:///{tmp_path}/jiuye.db"
        db.upgrade(url)
        yield url
        dispose(url)
        return

    problem = postgres_unreachable()
    if problem:
        pytest.skip(problem)
    base = postgres_base_url()
    if "postgresql" not in _migrated_templates:
        template = _migrated_templates["postgresql"] = f"{_SESSION_PREFIX}_mtmpl"  # dropped at session end
        admin_exec(base, f'CREATE DATABASE "{template}"')
        admin_exec(database_url(base, template), f'CREATE SCHEMA "{MIGRATED_SCHEMA}"')
        db.upgrade(database_url(base, template, MIGRATED_SCHEMA))
        dispose(database_url(base, template, MIGRATED_SCHEMA))
    with cloned_database(base, _migrated_templates["postgresql"], f"{_SESSION_PREFIX}_m{next(_counter)}",
                         MIGRATED_SCHEMA) as url:  # fmt: skip
        db.upgrade(url)
        yield url


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.pg_schema import admin_exec

    names = [_migrated_templates.get("postgresql")]
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the xdist controller (or the only process): the run ends
        listed = Path(session.config._tmp_path_factory.getbasetemp()) / "drop-databases"  # type: ignore[attr-defined]
        names += listed.read_text().split() if listed.exists() else []
    for name in filter(None, names):
        admin_exec(postgres_base_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# No timed assertions: Hypothesis' per-example deadline fails tests on a loaded machine, not on wrong code.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("jiuye", deadline=None)
_hypothesis_settings.load_profile("jiuye")
