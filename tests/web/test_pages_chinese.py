"""Staff pages in Chinese only (session 9's browser walk): audit trails named their actions, tables and states
by codes ("match", "found", "staff_users") and showed raw UTC timestamps."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.conftest import login

ROOT = Path(__file__).resolve().parents[2] / "jiuye"


def _table_text(html: str, table_id: str) -> str:
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert found, f"no table {table_id}"
    return re.sub(r"<[^>]+>", " ", found.group(1))


def _english(text: str) -> list[str]:
    """English words outside the actor column's login names (金山审核员（reviewer_js）)."""
    return re.findall(r"[A-Za-z_]{3,}", re.sub(r"（[a-z0-9_]+）", "", text))


def test_every_audited_action_has_a_chinese_name() -> None:
    import importlib

    from jiuye.audit.labels import ACTION_LABELS, state_labels
    from jiuye.web.app import VIEW_MODULES

    for name in VIEW_MODULES:  # as the app does: every room declares its states' names on import
        importlib.import_module(name)

    actions: set[str] = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                args = {"record": node.args[2:3], "AuditEvent": node.args[1:2], "audit_set": node.args[6:7]}.get(name, [])
                args += [k.value for k in node.keywords if k.arg == "action" and name == "move"]
                args += [b for a in args if isinstance(a, ast.IfExp) for b in (a.body, a.orelse)]
                actions.update(a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            constant = isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            if constant and any(getattr(t, "id", "").startswith("ACTION_") for t in node.targets):  # type: ignore[union-attr]
                actions.add(str(node.value.value))  # type: ignore[union-attr]
    assert {"match", "login", "flag.raise", "unmask"} <= actions
    missing = sorted(actions - ACTION_LABELS.keys())
    assert not missing, f"no Chinese name for the audit actions {missing}"
    # an entitlement's or application's move without an action is recorded under its new state
    assert state_labels("entitlements")["found"] and state_labels("applications")["submitted"]


@pytest.mark.parametrize("web_db", ["sqlite", "postgresql"], indirect=True)
def test_audit_trails_name_actions_tables_and_states_in_chinese(client: Any, web_db: str) -> None:
    from jiuye import db
    from jiuye.ledger.models import entitlements as e

    with db.session_scope(web_db) as s:
        eid, subject = s.execute(sa.select(e.c.id, e.c.subject).where(e.c.state == "paid", e.c.policy.like("JS-%"))
                                 .order_by(e.c.id).limit(1)).one()  # fmt: skip
    login(client, "admin_js")
    trail = _table_text(client.get(f"/entitlements/{eid}").text, "events")
    assert "主动匹配" in trail and "已发现" in trail and "已发放" in trail, trail
    assert not _english(trail), trail
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", trail), trail  # no raw microseconds
    page = client.get("/audit").text
    audit = _table_text(page, "audit-events")
    assert "登录" in audit and "工作人员账号" in audit and not _english(audit), audit
    assert '<option value="staff_users">工作人员账号</option>' in page  # the filter offers tables by name
    people = client.get(f"/people?q={subject}").text
    person_id = re.search(r'href="/people/(\d+)"', people).group(1)  # type: ignore[union-attr]
    person = _table_text(client.get(f"/people/{person_id}").text, "person-events")
    assert "→" in person and not _english(person), person


def _visible_words(html: str) -> list[str]:
    """English words a reader sees: outside scripts, styles and <code> (identifiers such as a parameter's name)."""
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    words = re.findall(r"(?<![A-Za-z0-9-])[A-Za-z][A-Za-z_]{2,}", text)
    return sorted(set(words) - {"PDF", "JPG", "PNG", "jiuye"})


@pytest.mark.parametrize("web_db", ["sqlite"], indirect=True)
def test_policy_pages_and_parameter_sources_are_chinese(client: Any) -> None:
    from jiuye.rules.catalog import all_measures

    ids = [m.id for m in all_measures()]
    public = set(re.findall(r'href="/policies/([A-Za-z0-9-]+)"', client.get("/policies").text))
    assert len(public) >= 30
    for pid in sorted(public):
        page = client.get(f"/policies/{pid}")
        assert page.status_code == 200 and not _visible_words(page.text), (pid, _visible_words(page.text))
    login(client, "policy_js")
    for pid in (i for i in ids if i.startswith("JS-")):
        page = client.get(f"/parameters/{pid}")
        assert page.status_code == 200 and not _visible_words(page.text), (pid, _visible_words(page.text))


def test_every_parameter_label_and_source_is_chinese() -> None:
    """What the parameters page shows of each value (Chongming's too, which no test account of Jinshan sees)."""
    import yaml

    def texts(node: Any, key: str = "") -> list[str]:
        if isinstance(node, dict):
            return [t for k, v in node.items() for t in texts(v, str(k))]
        if isinstance(node, list):
            return [t for v in node for t in texts(v, key)]
        return [node] if key in ("label", "source") and isinstance(node, str) else []

    for path in sorted((ROOT / "rules" / "params").glob("*.yaml")):
        for text in texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            assert not _visible_words(text), (path.name, text)


@pytest.mark.parametrize("web_db", ["sqlite", "postgresql"], indirect=True)
def test_a_batch_offers_its_file_only_to_whom_may_download_it(client: Any, web_db: str) -> None:
    """setup.sh's batch pays both districts: its file (bank accounts of both) was offered to a district's
    reviewer, whose click ended on 403; now the page says why instead of offering it."""
    from jiuye.accounts.web import write_session
    from jiuye.ledger.models import payments

    login(client, "auditor_js")
    assert "file.csv" in client.get("/payments/batches/1").text  # one district's batch: its auditor downloads it
    with write_session(web_db) as s:  # one of its lines a Chongming measure's, as when both districts are paid at once
        first = s.execute(sa.select(sa.func.min(payments.c.id)).where(payments.c.batch_id == 1)).scalar_one()
        s.execute(sa.update(payments).where(payments.c.id == first).values(policy="CM-10c"))
    login(client, "reviewer_js")
    page = client.get("/payments/batches/1").text
    assert "file.xlsx" not in page and "file.csv" not in page and 'id="no-download"' in page and "其他辖区" in page
    assert client.get("/payments/batches/1/file.csv").status_code == 403
