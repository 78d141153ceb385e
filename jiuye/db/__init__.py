"""The database as infrastructure: engines, sessions, the shared metadata, migrations, bulk frame I/O.

Like Netflix Dispatch's ``database/core.py``: one place for how jiuye talks to its database.

- :mod:`jiuye.db.core` — which database (``JIUYE_DATABASE_URL`` / ``--db`` / SQLite file), engines,
  :func:`session_scope` and :func:`write_session`, :func:`check_ready`;
- :mod:`jiuye.db.metadata` — the one :class:`sqlalchemy.MetaData` every room declares its tables on,
  the id type and the audit columns;
- :mod:`jiuye.db.migrate` — Alembic (``jiuye db upgrade``) and the after-upgrade hooks rooms register;
- :mod:`jiuye.db.frames` — Polars frames in and out (``COPY`` on PostgreSQL, ADBC reads).

``jiuye.db`` is infrastructure: it never imports a domain room (registry, ledger, matching …) and never
the command line; its errors are :class:`jiuye.errors.UserError`.
"""

from __future__ import annotations

from jiuye.db.core import (
    DEFAULT_PATH,
    ENV_PATH,
    ENV_URL,
    DatabaseBusy,
    DatabaseNotReady,
    advisory_xact_lock,
    check_ready,
    database_url,
    dialect,
    display_url,
    exclusive_run,
    exclusive_run_free,
    explain_error,
    get_engine,
    hold_named_lock,
    named_lock_free,
    session_scope,
    sqlite_path,
    write_engine,
    write_session,
)
from jiuye.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    load_models,
    on_upgrade,
    upgrade,
)

__all__ = [
    "DEFAULT_PATH",
    "ENV_PATH",
    "ENV_URL",
    "DatabaseBusy",
    "DatabaseNotReady",
    "advisory_xact_lock",
    "alembic_config",
    "check_ready",
    "current_revision",
    "database_url",
    "dialect",
    "display_url",
    "exclusive_run",
    "exclusive_run_free",
    "explain_error",
    "get_engine",
    "head_revision",
    "hold_named_lock",
    "load_models",
    "named_lock_free",
    "on_upgrade",
    "session_scope",
    "sqlite_path",
    "upgrade",
    "write_engine",
    "write_session",
]
