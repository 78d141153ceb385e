"""A deployment of its own in the test PostgreSQL database: a fresh schema, reached through a URL whose
``search_path`` is that schema, dropped afterwards.  Shared by the ``db_url`` fixture (tests/conftest.py)
and the tests that need a second deployment beside it (tests/ledger/test_locks.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url


@contextmanager
def schema_url(base: str, schema: str) -> Iterator[str]:
    """Create ``schema`` in the database of ``base`` (a ``search_path`` option of it is left out), yield
    the URL of a deployment in it, then dispose its engine and drop the schema with everything in it."""
    from jiuye import db

    admin = sa.create_engine(make_url(base).difference_update_query(["options"]), poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    text = url.render_as_string(hide_password=False)
    try:
        yield text
    finally:
        db.get_engine(text).dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def admin_exec(base: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server of ``base``."""
    admin = sa.create_engine(make_url(base).difference_update_query(["options"]), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)  # fmt: skip
    with admin.connect() as conn:
        conn.execute(sa.text(sql))
    admin.dispose()


def database_url(base: str, database: str, schema: str | None = None) -> str:
    """``base`` pointed at ``database`` (and, when given, at ``schema`` through ``search_path``)."""
    url = make_url(base).difference_update_query(["options"]).set(database=database)
    if schema is not None:
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def dispose(url: str) -> None:
    """Close this process's pooled connections to ``url`` (a database can only be cloned or dropped
    without connections)."""
    from jiuye import db

    db.get_engine(url).dispose()
    db.write_engine(url).dispose()


@contextmanager
def cloned_database(base: str, template: str, name: str, schema: str | None = None) -> Iterator[str]:
    """A new database ``name`` copied from the database ``template`` (``CREATE DATABASE … TEMPLATE``: a
    file-level copy, far cheaper than building it again); yields its URL, then drops it."""
    admin_exec(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = database_url(base, name, schema)
    try:
        yield url
    finally:
        dispose(url)
        admin_exec(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
