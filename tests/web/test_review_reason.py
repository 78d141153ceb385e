"""Issue 9 item 5: why a line went back to review (which facts changed, old → new) is readable on the
entitlement page and the person page, with ID numbers in it masked — in the audit trail's reasons too."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jiuye.db import get_engine
from jiuye.ledger.models import entitlements
from jiuye.registry.models import TABLES
from tests.web.conftest import login


def test_review_reason_on_the_entitlement_and_person_pages(client: Any, web_db: str) -> None:
    persons = TABLES["persons"]
    with get_engine(web_db).begin() as c:
        eid, subject = c.execute(
            sa.select(entitlements.c.id, entitlements.c.subject)
            .where(entitlements.c.policy.like("JS-%"), entitlements.c.state == "found").order_by(entitlements.c.id)
        ).first()  # fmt: skip
        why = (f"事实变更后重新匹配，所依据的事实改变：已办理灵活就业登记：灵活就业登记日：2023-01-10 → "
               f"灵活就业登记日：2023-02-01（核对 {subject}）")  # fmt: skip
        c.execute(sa.update(entitlements).where(entitlements.c.id == eid).values(state="review", review_reason=why))
        pid = c.execute(sa.select(persons.c.id).where(persons.c.id_number == subject)).scalar_one()
    from jiuye import db
    from jiuye.audit.service import record

    with db.session_scope(web_db) as s:  # the audit trail's reason names the person too (a reviewer typed it)
        record(s, "测试审核员", "review", "entitlements", eid, "found", "review", f"请核对 {subject} 的登记")
    login(client, "reviewer_js")
    for page in (f"/entitlements/{eid}", f"/people/{pid}"):
        html = client.get(page).text
        assert "灵活就业登记日：2023-01-10 → 灵活就业登记日：2023-02-01" in html, page
        assert subject not in html, page  # the ID number (in the reason too) is masked
    # the audit API shows the same trail with the same masking (a fund auditor reads it as JSON)
    login(client, "auditor_js")
    events = client.get("/api/v1/audit/events", params={"entity": "entitlements", "entity_id": str(eid)}).json()
    assert any("请核对" in (e["reason"] or "") for e in events)
    assert subject not in str(events)
