"""Transitions, approval, review, payment files, reversal reopening the cap (both databases)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from ledger_helpers import count, give_accounts, match, seed_approved

from jiuye import audit
from jiuye.audit.models import audit_events
from jiuye.db import write_session
from jiuye.errors import UserError
from jiuye.ledger import transitions
from jiuye.ledger.models import ENTITLEMENT_STATES, entitlements, payments
from jiuye.ledger.service import approve_month, pay, reverse, review, set_auto
from jiuye.rules.facts import Facts
from tests.factories.matching import js02_population

MAR, DEC = dt.date(2023, 3, 1), dt.date(2023, 12, 1)


def test_every_illegal_move_raises(migrated_db_url: str) -> None:
    url = migrated_db_url
    pairs = list(itertools.product(ENTITLEMENT_STATES, ENTITLEMENT_STATES))
    with write_session(url) as s:
        rows = [
            {"policy": "JS-02", "beneficiary": f"b{i}", "subject": f"b{i}", "month": MAR, "amount_fen": 100_000,
             "amount_status": "payable", "state": old, "created_by": "t", "updated_by": "t"}
            for i, (old, _new) in enumerate(pairs)
        ]  # fmt: skip
        s.execute(sa.insert(entitlements), rows)
        ids = {r[1]: int(r[0]) for r in s.execute(sa.select(entitlements.c.id, entitlements.c.beneficiary))}
    legal = 0
    for i, (old, new) in enumerate(pairs):
        with write_session(url) as s:
            if transitions.allowed(old, new):
                transitions.move(s, [ids[f"b{i}"]], new, "测试员", "测试")
                legal += 1
            else:
                with pytest.raises(transitions.IllegalTransition, match="不能变为"):
                    transitions.move(s, [ids[f"b{i}"]], new, "测试员", "测试")
    assert legal == sum(len(t) for t in transitions.TRANSITIONS.values())
    assert count(url, audit_events) == legal
    with write_session(url) as s:
        assert audit.verify(s).ok
        with pytest.raises(UserError, match="找不到"):
            transitions.move(s, [999_999], "approved", "测试员", "测试")


def test_approve_review_pay_reverse(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    facts = js02_population(3)
    give_accounts(url, facts.persons["id"].to_list())
    match(url, facts, dt.date(2023, 1, 1), DEC)
    with write_session(url) as s:
        set_auto(s, "JS-02", False, "局长", "先人工审核")
        with pytest.raises(UserError, match="未设为免申即享"):
            approve_month(s, MAR, "测试员", "JS-02")
        assert approve_month(s, MAR, "测试员") == {}
        first = int(s.execute(sa.select(sa.func.min(entitlements.c.id))).scalar_one())
        assert review(s, first, "reject", "审核员", "材料不全") == "rejected"
        set_auto(s, "JS-02", True, "局长")
        # month 2023-03 and earlier: 3 people x 3 months, one rejected
        assert approve_month(s, MAR, "测试员", "JS-02") == {"JS-02": 8}
    with write_session(url) as s:
        batch = pay(s, MAR, "出纳", tmp_path)
    assert batch.lines == 8 and batch.total_fen == 8 * 100_000
    rows = list(csv.reader(batch.files[0].open(encoding="utf-8-sig")))
    assert rows[-3][0] == "校验码" and rows[-3][-1] == batch.checksum
    assert rows[-2][0] == "批次" and rows[-2][3] == str(batch.id) and rows[-2][-1] == batch.token
    assert rows[-1][0] == "审计链" and rows[-1][3] == str(batch.audit_head[0]) and rows[-1][-1] == batch.audit_head[1]
    # one row per person and measure with the months paid: 3 months, or 2 for the person with a rejection
    body = rows[1:4]
    assert sorted(r[-1] for r in body) == ["2000.00", "3000.00", "3000.00"]
    assert "2023-01、2023-02、2023-03" in [r[6] for r in body] and rows[4][0] == "合计"
    assert batch.files[1].stat().st_size > 0
    with write_session(url) as s, pytest.raises(UserError, match="没有已核准"):
        pay(s, MAR, "出纳", tmp_path)
    with write_session(url) as s:
        pid = int(s.execute(sa.select(sa.func.min(payments.c.id))).scalar_one())
        reverse(s, pid, "出纳", "冒领追回")
        with pytest.raises(UserError, match="已追回"):  # 当前状态为“已追回”
            reverse(s, pid, "出纳", "再追一次")
        with pytest.raises(UserError, match="找不到"):
            reverse(s, 999_999, "出纳", "不存在")
        assert audit.verify(s).ok


def test_reversal_reopens_cap(migrated_db_url: str, tmp_path: Path) -> None:
    """12-month cap: after all 12 months are paid nothing more is found; a clawback frees one month."""
    url = migrated_db_url
    facts = js02_population(1, insured_to=dt.date(2024, 6, 1))
    assert seed_approved(url, 1) == 12
    with write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path)
    match(url, facts, dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert count(url, entitlements) == 12  # cap used up by the ledger's payments
    with write_session(url) as s:
        pid = int(s.execute(sa.select(payments.c.id).where(payments.c.month == MAR)).scalar_one())
        reverse(s, pid, "出纳", "2023年3月未实际参保，追回")
    si = facts.social_insurance.with_columns(paid=pl.col("month") != MAR)  # the registry is corrected too
    match(url, Facts(**(facts.tables() | {"social_insurance": si})), dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    new = count(
        url, entitlements, entitlements.c.month == dt.date(2024, 1, 1), entitlements.c.state == "found"
    )
    assert new == 1 and count(url, entitlements) == 13
