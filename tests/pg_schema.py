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
