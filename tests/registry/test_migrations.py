from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jiuye import db
from jiuye.registry import schema
from jiuye.registry.models import TABLES
from jiuye.registry.reference import load_reference_data


def test_upgrade_creates_every_table_and_reference_rows(db_url: str) -> None:
    assert db.upgrade(db_url) == db.head_revision()
    engine = db.check_ready(db_url)
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        assert set(schema.TABLES) | {"change_log", "import_runs", "alembic_version"} <= names
        assert conn.execute(sa.select(sa.func.count()).select_from(TABLES["districts"])).scalar() == 16
        towns = conn.execute(
            sa.select(TABLES["towns"].c.district, sa.func.count()).group_by(TABLES["towns"].c.district)
        ).all()
        assert dict(towns) == {"jinshan": 11, "chongming": 18}


def test_upgrade_twice_changes_nothing(db_url: str) -> None:
    db.upgrade(db_url)
    db.upgrade(db_url)
    with db.session_scope(db_url) as session:
        assert load_reference_data(session) == 0


def test_migrations_match_models(migrated_db_url: str) -> None:
    with db.get_engine(migrated_db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.load_models())
    assert diff == []


def test_foreign_keys_are_enforced(migrated_db_url: str) -> None:
    from jiuye.registry.models import audit_values

    engine = db.get_engine(migrated_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(TABLES["statuses"]).values(
                    person_id=999, kind="disabled", start=sa.func.current_date(), **audit_values("test")
                )
            )
    except sa.exc.IntegrityError:
        pass
    else:
        raise AssertionError("a status of an unknown person was accepted")


def test_not_migrated_database_is_reported_in_chinese(db_url: str) -> None:
    with pytest.raises(db.DatabaseNotReady, match="jiuye db upgrade"):
        db.check_ready(db_url)


def test_unreachable_database_is_reported_in_chinese() -> None:
    with pytest.raises(db.DatabaseNotReady, match="无法连接数据库"):
        db.check_ready("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_database_url_defaults_to_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db.ENV_URL, raising=False)
    monkeypatch.delenv(db.ENV_PATH, raising=False)
    assert db.database_url() == "sqlite:///jiuye.db"
    monkeypatch.setenv(db.ENV_URL, "postgresql://postgres@127.0.0.1:5432/test")
    assert db.database_url() == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
