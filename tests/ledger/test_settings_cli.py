"""``jiuye settings confirm [ID on|off]``: the 意愿确认 switch from the command line (SQLite and PostgreSQL).

Set, listed in Chinese, audited with the old and new value and the reason, independent of the 免申即享
switch, refused in Chinese for an unknown measure or a missing value, and it gates ``pay``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from jiuye.audit.models import audit_events
from jiuye.cli import main
from jiuye.db import get_engine
from jiuye.ledger.models import policy_settings
from tests.matching.test_cli_flow import populate


def run(url: str, *args: str) -> int:
    return main([*args, "--db", url])


def _row(url: str, policy: str) -> sa.Row | None:  # type: ignore[type-arg]
    with get_engine(url).connect() as c:
        return c.execute(sa.select(policy_settings).where(policy_settings.c.policy == policy)).first()


def test_settings_confirm_sets_lists_and_audits(migrated_db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_db_url
    assert run(url, "settings", "confirm") == 0
    listing = capsys.readouterr().out
    assert "JS-02\t无须确认\t（默认设置）" in listing and "CM-10f\t无须确认" in listing

    assert run(url, "settings", "confirm", "JS-02", "on", "--by", "局长", "--reason", "意愿确认试点") == 0
    out = capsys.readouterr().out
    assert out.startswith("JS-02\t须意愿确认\t（局长，") and out.count("\n") == 1  # only the measure set
    row = _row(url, "JS-02")
    assert row is not None and row.confirm and row.auto  # JS-02 stays 免申即享 (its default)
    with get_engine(url).connect() as c:
        event = c.execute(sa.select(audit_events).order_by(audit_events.c.seq.desc())).first()
    assert event is not None
    assert (event.actor, event.action, event.entity, event.entity_id) == ("局长", "setting", "policy_settings", "JS-02")
    assert (event.old_state, event.new_state, event.reason) == ("无须确认", "须意愿确认", "意愿确认试点")
    assert event.payload == {"confirm": True}

    # the two switches are independent: turning 免申即享 off keeps the confirmation, and back
    assert run(url, "settings", "auto", "JS-02", "off", "--by", "局长") == 0
    row = _row(url, "JS-02")
    assert row is not None and row.confirm and not row.auto
    capsys.readouterr()
    assert run(url, "settings", "confirm", "JS-02") == 2  # a measure without on/off is not a listing
    assert "请写明 on（须意愿确认）或 off（无须确认）" in capsys.readouterr().err
    assert run(url, "settings", "confirm", "JS-02", "off", "--by", "局长") == 0
    row = _row(url, "JS-02")
    assert row is not None and not row.confirm and not row.auto
    assert run(url, "audit", "verify") == 0


def test_settings_confirm_refuses_in_chinese(migrated_db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_db_url
    assert run(url, "settings", "confirm", "JS-99", "on") == 4
    out, err = capsys.readouterr()
    assert out == "" and "未知的政策编号：JS-99" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        run(url, "settings", "confirm", "JS-02", "maybe")
    assert exc.value.code == 2
    assert _row(url, "JS-99") is None and _row(url, "JS-02") is None  # nothing written
    with get_engine(url).connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(audit_events)
                         .where(audit_events.c.entity == "policy_settings")).scalar_one() == 0  # fmt: skip


def test_confirm_on_holds_the_measure_back_from_pay(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_db_url
    populate(url)  # four people owed JS-02 for 2023-01 … 2023-03
    assert run(url, "settings", "confirm", "JS-02", "on", "--by", "局长") == 0
    assert run(url, "match", "--from", "2023-03", "--to", "2023-03") == 0
    assert run(url, "approve", "--month", "2023-03", "--by", "科员") == 0
    capsys.readouterr()
    assert run(url, "pay", "--month", "2023-03", "--out", str(tmp_path / "held")) == 6  # nobody confirmed
    assert run(url, "settings", "confirm", "JS-02", "off", "--by", "局长") == 0
    assert run(url, "pay", "--month", "2023-03", "--out", str(tmp_path / "paid")) == 0
    assert "12 笔，合计 12000.00 元" in capsys.readouterr().out
