"""Alembic migrations (``jiuye db upgrade``) and the hooks rooms run after an upgrade.

The migration scripts live in ``jiuye/migrations``; no ``alembic.ini`` is needed.  A room that must
(re)load rows after every upgrade (the registry's districts and towns) registers a function with
:func:`on_upgrade` in its ``models`` module, which :func:`load_models` imports — so this module never
names a domain room.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.core import (
    DatabaseNotReady,
    _connect_problem,
    database_url,
    get_engine,
    session_scope,
    sqlite_path,
)
from jiuye.db.metadata import metadata

UpgradeHook = Callable[[Session], object]
_UPGRADE_HOOKS: dict[str, UpgradeHook] = {}


def on_upgrade(hook: UpgradeHook) -> UpgradeHook:
    """Run ``hook(session)`` after every :func:`upgrade`, in the same transaction as the other hooks."""
    _UPGRADE_HOOKS[f"{hook.__module__}.{hook.__qualname__}"] = hook
    return hook


def load_models() -> sa.MetaData:
    """Import every ``jiuye.<room>.models`` module and return the shared metadata they declare into.

    Alembic's env and the migration/model consistency test use this, so a room's tables are known as
    soon as its ``models`` module exists (declare them on :data:`jiuye.db.metadata.metadata`).
    """
    import jiuye

    for info in pkgutil.iter_modules(jiuye.__path__):
        if info.ispkg and importlib.util.find_spec(f"jiuye.{info.name}.models") is not None:
            importlib.import_module(f"jiuye.{info.name}.models")
    return metadata


def alembic_config(url: str | None = None, connection: sa.Connection | None = None) -> Any:
    """A programmatic Alembic config: scripts from the installed package, no alembic.ini needed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "jiuye:migrations")
    cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must form one chain, found heads {heads}")
    return str(heads[0])


def current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Apply the migrations up to ``revision``, then run every room's :func:`on_upgrade` hook (the
    registry (re)loads its district/town reference rows).

    Returns the revision the database is at afterwards.
    """
    from alembic import command

    resolved = database_url(url)
    path = sqlite_path(resolved)
    if path is not None and not path.parent.exists():
        raise DatabaseNotReady(f"数据库文件所在目录不存在：{path.parent}")
    engine = get_engine(resolved)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(resolved, conn), revision)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise _connect_problem(resolved, exc) from exc
    load_models()
    with session_scope(resolved) as session:
        for hook in _UPGRADE_HOOKS.values():
            hook(session)
        rev = current_revision(session.connection())
    return rev or ""
