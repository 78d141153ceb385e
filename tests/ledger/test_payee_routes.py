"""The payment file of CM-10a's two routes (catalog rev. 2: the employer is paid for a hire, the person for
flexible work): each line names, pays and masks the beneficiary it went to — the employer's name, account
and credit code for the hired route with the worker shown masked as the subject; the person's own for the
flexible route (both databases)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from ledger_helpers import account_for

from jiuye.db import write_session
from jiuye.ledger.service import grant, pay, payment_lines
from jiuye.rules.identifiers import make_credit_code, make_id_number, mask_id_number

MARCH = dt.date(2024, 3, 1)
WORKER = make_id_number("310230", dt.date(1975, 5, 5), 21, "male")
FLEXIBLE = make_id_number("310230", dt.date(1972, 6, 6), 22, "female")
EMPLOYER = make_credit_code("310230", 31)


def test_both_routes_pay_and_mask_their_own_beneficiary(migrated_db_url: str, tmp_path: Path) -> None:
    from jiuye.registry.models import TABLES, audit_values

    url = migrated_db_url
    with write_session(url) as s:
        by = audit_values("测试")
        for i, (number, name) in enumerate(((WORKER, "王工"), (FLEXIBLE, "李灵"))):
            s.execute(sa.insert(TABLES["persons"]).values(
                id_number=number, name=name, birth_date=dt.date(1975, 5, 5), gender="male", hukou_agricultural=False,
                bank_account=account_for(i), **by))  # fmt: skip
        s.execute(sa.insert(TABLES["employers"]).values(
            credit_code=EMPLOYER, name="崇明某公司", type="enterprise", district="chongming", size="small",
            state_owned=False, bank_account=account_for(9), **by))  # fmt: skip
        grant(s, "CM-10a", EMPLOYER, WORKER, MARCH, 60_000, "审核员", "单位招用")
        grant(s, "CM-10a", FLEXIBLE, FLEXIBLE, MARCH, 40_000, "审核员", "灵活就业")
    with write_session(url) as s:
        batch = pay(s, MARCH, "出纳", tmp_path / "out")
        assert batch.lines == 2
        rows = {r["beneficiary"]: r for r in payment_lines(s, batch.id).iter_rows(named=True)}
    hired, flexible = rows[EMPLOYER], rows[FLEXIBLE]
    assert (hired["name"], hired["bank_account"], hired["amount_fen"]) == ("崇明某公司", account_for(9), 60_000)
    assert hired["masked_id"] == mask_id_number(EMPLOYER) and hired["masked_subject"] == mask_id_number(WORKER)
    assert (flexible["name"], flexible["bank_account"], flexible["amount_fen"]) == ("李灵", account_for(1), 40_000)
    assert flexible["masked_id"] == mask_id_number(FLEXIBLE) and flexible["masked_subject"] == "本人/本单位"
