"""Flags in the database: stored once, re-runs idempotent, reviews audited; loading from registry + ledger."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye import db
from jiuye.rules.identifiers import make_credit_code, make_id_number
from jiuye.supervision import service
from jiuye.supervision.frames import Inputs
from jiuye.supervision.models import flags
from tests.factories.supervision import clean_district


def test_migrations_form_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    assert len(script.get_heads()) == 1
    assert "0003_supervision" in {r.revision for r in script.walk_revisions()}


def _planted() -> Inputs:
    inputs = clean_district(n_persons=2_000, n_employers=100, seed=3)
    row = inputs.payments.filter(pl.col("policy") == "JS-11").row(0, named=True)
    other = inputs.employers.filter(pl.col("id") != row["beneficiary"])["id"][0]
    extra = Inputs.from_frames(
        payments=pl.DataFrame(
            {
                "payment_id": ["X1"],
                "policy": ["JS-11"],
                "beneficiary": [other],
                "subject": [row["subject"]],
                "month": [row["month"]],
                "amount_fen": [50_000],
                "state": ["paid"],
            }
        )
    ).payments
    return Inputs.from_frames(
        as_of=inputs.as_of, **{**inputs.tables(), "payments": pl.concat([inputs.payments, extra])}
    )


def _count(session: Session, table: str, where: str = "") -> int:
    return int(session.execute(sa.text(f"SELECT count(*) FROM {table} {where}")).scalar_one())


def test_run_stores_flags_once_and_reviews_are_audited(migrated_db_url: str) -> None:
    inputs = _planted()
    engine = db.get_engine(migrated_db_url)
    with Session(engine) as session, session.begin():
        first = service.run(session, "测试员", inputs=inputs)
    assert first.new == first.flags.height >= 1
    assert first.by_check["double_claim"] == (1, 1)
    with Session(engine) as session, session.begin():
        second = service.run(session, "测试员", inputs=inputs)
        assert second.new == 0 and second.refreshed == first.flags.height
        assert _count(session, "flags") == first.flags.height
        assert _count(session, "audit_events", "WHERE action = 'flag.raise'") == first.flags.height
        flag_id = session.execute(sa.select(flags.c.id).where(flags.c.check == "double_claim")).scalar_one()
    with Session(engine) as session, session.begin():
        service.set_state(session, flag_id, "confirmed", "复核员", "两家单位同月申领，已核实为虚报")
    with Session(engine) as session, session.begin():
        service.run(session, "测试员", inputs=inputs)  # a re-run keeps the reviewer's decision
        row = session.execute(sa.select(flags).where(flags.c.id == flag_id)).mappings().one()
        assert row["state"] == "confirmed" and row["reviewed_by"] == "复核员"
        event = (
            session.execute(sa.text("SELECT * FROM audit_events WHERE action = 'flag.review'"))
            .mappings()
            .one()
        )
        assert (event["old_state"], event["new_state"], event["entity_id"]) == (
            "open",
            "confirmed",
            str(flag_id),
        )
        with pytest.raises(service.FlagError, match="已是"):
            service.set_state(session, flag_id, "confirmed", "复核员", "再次确认")
        with pytest.raises(service.FlagError, match="没有编号"):
            service.set_state(session, 999_999, "dismissed", "复核员", "无")
    from jiuye.audit import verify

    with Session(engine) as session:
        assert verify(session).ok


def _insert_registry_and_ledger(session: Session) -> tuple[str, str, str]:
    from jiuye.ledger.models import entitlements, payment_batches, payments
    from jiuye.registry.models import TABLES, audit_values

    by = audit_values("test")
    worker = make_id_number("310116", dt.date(1995, 5, 5), 1, "male")
    e1, e2 = make_credit_code("310116", 1), make_credit_code("310116", 2)
    p_id = session.execute(
        sa.insert(TABLES["persons"]).values(
            id_number=worker, name="张三", birth_date=dt.date(1995, 5, 5), gender="male",
            hukou_agricultural=False, phone="13900000000", died_on=dt.date(2024, 2, 10), **by,
        ).returning(TABLES["persons"].c.id)
    ).scalar_one()  # fmt: skip
    emp_ids = []
    for code, kind in ((e1, "enterprise"), (e2, "labor_dispatch")):
        emp_ids.append(
            session.execute(
                sa.insert(TABLES["employers"]).values(
                    credit_code=code, name=f"单位{code[-3:]}", type=kind, district="jinshan", size="small",
                    state_owned=False, **by,
                    # planted: e1 deregistered in December 2023 and still paid for March 2024 (G13)
                    deregistered_on=dt.date(2023, 12, 15) if code == e1 else None,
                ).returning(TABLES["employers"].c.id)
            ).scalar_one()
        )  # fmt: skip
    for emp in emp_ids:
        session.execute(
            sa.insert(TABLES["contracts"]).values(
                person_id=p_id, employer_id=emp, start=dt.date(2023, 6, 1), registered=True, **by
            )
        )
        session.execute(
            sa.insert(TABLES["social_insurance"]).values(
                person_id=p_id, month=dt.date(2023, 9, 1), employer_id=emp, scheme="urban_employee",
                base_fen=700_000, paid=True, **by,
            )
        )  # fmt: skip
    batch = session.execute(
        sa.insert(payment_batches)
        .values(month=dt.date(2024, 3, 1), created_by="test", state="paid")
        .returning(payment_batches.c.id)
    ).scalar_one()
    for i, (emp, month) in enumerate(
        ((e1, dt.date(2023, 9, 1)), (e2, dt.date(2023, 9, 1)), (e1, dt.date(2024, 3, 1)))
    ):
        ent = session.execute(
            sa.insert(entitlements).values(
                policy="JS-11", beneficiary=emp, subject=worker, month=month, amount_fen=50_000, amount_status="payable",
                state="paid", created_by="test", updated_by="test",
            ).returning(entitlements.c.id)
        ).scalar_one()  # fmt: skip
        session.execute(
            sa.insert(payments).values(
                batch_id=batch, entitlement_id=ent, policy="JS-11", beneficiary=emp, subject=worker,
                month=month, amount_fen=50_000, state="reversed" if i == 99 else "paid",
            )
        )  # fmt: skip
    return worker, e1, e2


def test_load_inputs_from_registry_and_ledger(migrated_db_url: str) -> None:
    engine = db.get_engine(migrated_db_url)
    with Session(engine) as session, session.begin():
        worker, e1, e2 = _insert_registry_and_ledger(session)
    with Session(engine) as session, session.begin():
        inputs = service.load_inputs(session)
        assert inputs.persons["died_on"].to_list() == [dt.date(2024, 2, 10)]
        assert sorted(inputs.contracts["employer"].to_list()) == sorted([e1, e2])
        assert inputs.payments.height == 3
        result = service.run(session, "测试员")
        found = {(r["check"], r["subject_id"]) for r in result.flags.iter_rows(named=True)}
    assert ("double_claim", worker) in found
    assert ("dual_insurance", worker) in found
    assert ("after_death", worker) in found
    assert ("excluded_employer", e2) in found
    assert ("after_deregistration", e1) in found  # the registry's deregistration date reaches supervision
    assert ("after_deregistration", e2) not in found


def test_supervise_command_prints_a_chinese_summary(
    migrated_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from jiuye.cli import main

    engine = db.get_engine(migrated_db_url)
    with Session(engine) as session, session.begin():
        _insert_registry_and_ledger(session)
    assert main(["supervise", "--db", migrated_db_url, "--by", "测试员"]) == 0
    out = capsys.readouterr().out
    assert "资金监管检查完成" in out and "同一人员同月被多家单位申领按人补贴" in out
    assert main(["supervise", "--db", migrated_db_url]) == 0
    assert "新增 0 条" in capsys.readouterr().out
    assert main(["flag", "12345", "dismissed", "--reason", "误报", "--db", migrated_db_url]) != 0
    assert "没有编号为 12345 的疑点" in capsys.readouterr().err
    assert main(["supervise", "--check", "nonsense", "--db", migrated_db_url]) != 0
    assert "未知的检查项" in capsys.readouterr().err


def test_flags_export_through_the_registry_export(
    migrated_db_url: str, tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    from jiuye.cli import main

    engine = db.get_engine(migrated_db_url)
    with Session(engine) as session, session.begin():
        _insert_registry_and_ledger(session)
        service.run(session, "测试员")
    out = f"{tmp_path}/flags.csv"
    assert main(["export", "flags", "--out", out, "--db", migrated_db_url]) == 0
    frame = pl.read_csv(out, infer_schema=False)
    assert {"检查项", "依据条款", "疑点说明", "状态"} <= set(frame.columns)
    assert "double_claim" in frame["检查项"].to_list()
