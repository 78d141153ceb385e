"""Supervision sees who a line was actually paid to where a measure pays more than one kind of beneficiary.

CM-10a (catalog rev. 2): the hiring employer is paid for the hired route, the person for the flexible route;
JS-07b: a winning person or organisation.  The kind of one paid line is decided from the line itself
(``jiuye.rules.measure.line_payee_kind``), so the employer checks (G12 district, credit code, per-worker
claims) see the employer lines of CM-10a and never its flexible ones, and the person checks see JS-07b's
winning persons.  The same lines through the database (SQLite and PostgreSQL) in ``test_flags_from_the_database``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye import db
from jiuye.rules.catalog import all_measures
from jiuye.rules.identifiers import make_credit_code, make_id_number
from jiuye.supervision import checks, service
from jiuye.supervision.frames import Inputs, with_measures

MARCH = dt.date(2024, 3, 1)
WORKER = make_id_number("310230", dt.date(1975, 5, 5), 11, "male")  # hired route
FLEXIBLE = make_id_number("310230", dt.date(1972, 6, 6), 12, "female")  # flexible route
GHOST_WORKER = make_id_number("310230", dt.date(1970, 7, 7), 13, "male")
WINNER = make_id_number("310116", dt.date(1990, 1, 1), 14, "female")  # JS-07b, died before the event
OUTSIDE = make_credit_code("310104", 1)  # Xuhui, a labour-dispatch company
INSIDE = make_credit_code("310230", 2)  # Chongming
SECOND = make_credit_code("310230", 3)  # Chongming, claims the same worker under CM-04b
GHOST = make_credit_code("310230", 4)  # in no registry table
BAD_CODE = INSIDE[:17] + ("0" if INSIDE[17] != "0" else "1")  # fails GB 32100
ORG = "ORG-7"


def _payments() -> pl.DataFrame:
    rows = [
        ("CM-10a", OUTSIDE, WORKER), ("CM-10a", FLEXIBLE, FLEXIBLE), ("CM-10a", GHOST, GHOST_WORKER),
        ("CM-10a", INSIDE, FLEXIBLE), ("CM-04b", SECOND, FLEXIBLE), ("CM-10a", BAD_CODE, GHOST_WORKER),
        ("JS-07b", WINNER, WINNER), ("JS-07b", ORG, ORG),
    ]  # fmt: skip
    return pl.DataFrame({
        "payment_id": [str(i) for i in range(len(rows))], "policy": [r[0] for r in rows],
        "beneficiary": [r[1] for r in rows], "subject": [r[2] for r in rows], "month": [MARCH] * len(rows),
        "amount_fen": [50_000] * len(rows), "state": ["paid"] * len(rows),
    })  # fmt: skip


def _inputs() -> Inputs:
    return Inputs.from_frames(
        persons=pl.DataFrame({
            "id": [WORKER, FLEXIBLE, WINNER], "id_number": [WORKER, FLEXIBLE, WINNER],
            "hukou_district": ["chongming", "chongming", "jinshan"], "died_on": [None, None, dt.date(2024, 1, 5)],
        }),
        employers=pl.DataFrame({
            "id": [OUTSIDE, INSIDE, SECOND], "type": ["labor_dispatch", "enterprise", "enterprise"],
            "district": ["xuhui", "chongming", "chongming"], "size": ["small"] * 3,
        }),
        organizations=pl.DataFrame({"id": [ORG], "district": ["jinshan"]}),
        payments=_payments(),
    )  # fmt: skip


def _found(flags: pl.DataFrame) -> set[tuple[str, str]]:
    return {(r["check"], r["subject_id"]) for r in flags.iter_rows(named=True)}


def _expected_flags(flags: pl.DataFrame) -> None:
    found = _found(flags)
    # the hired route: the employer paid must be a Chongming one (G12), registered, with a valid credit code
    assert ("outside_district", OUTSIDE) in found
    assert ("outside_district", GHOST) in found  # an employer line to an unregistered employer
    assert ("invalid_credit_code", BAD_CODE) in found
    # per worker: FLEXIBLE's employer INSIDE (CM-10a) and SECOND (CM-04b) both claim her for March
    assert ("double_claim", FLEXIBLE) in found
    # the flexible route pays the person: no employer check takes her for an employer
    assert flags.filter((pl.col("subject_kind") == "employer") & (pl.col("subject_id") == FLEXIBLE)).is_empty()
    # JS-07b: a winning person is a person (paid after death); the winning organisation is none
    assert ("after_death", WINNER) in found
    assert not {f for f in found if f[1] == ORG}
    assert {f for f in found if f[1] == WINNER} == {("after_death", WINNER)}
    # G3 (JS 七(一)) excludes employer types for Jinshan measures only: a CM-10a dispatch company is not excluded
    assert ("excluded_employer", OUTSIDE) not in found


def test_each_line_has_the_kind_it_was_paid_to() -> None:
    inputs = _inputs()
    lines = with_measures(inputs.paid(), inputs.registered())
    kinds = {(r["policy"], r["beneficiary"], r["subject"]): r["beneficiary_kind"] for r in lines.iter_rows(named=True)}
    assert kinds == {
        ("CM-10a", OUTSIDE, WORKER): "employer_per_worker", ("CM-10a", FLEXIBLE, FLEXIBLE): "person",
        ("CM-10a", GHOST, GHOST_WORKER): "employer_per_worker", ("CM-10a", INSIDE, FLEXIBLE): "employer_per_worker",
        ("CM-04b", SECOND, FLEXIBLE): "employer_per_worker", ("CM-10a", BAD_CODE, GHOST_WORKER): "employer_per_worker",
        ("JS-07b", WINNER, WINNER): "person", ("JS-07b", ORG, ORG): "organization",
    }  # fmt: skip
    district = {(r["policy"], r["beneficiary"]): r["employer_district"] for r in lines.iter_rows(named=True)}
    assert district[("CM-10a", OUTSIDE)] == "chongming" and district[("CM-10a", FLEXIBLE)] is None
    person = {(r["policy"], r["beneficiary"]): r["subject_is_person"] for r in lines.iter_rows(named=True)}
    assert person[("JS-07b", WINNER)] and not person[("JS-07b", ORG)] and person[("CM-10a", OUTSIDE)]


def test_employer_checks_see_the_hired_route_only() -> None:
    _expected_flags(checks.run_checks(_inputs()))


def test_an_employer_applying_for_itself_is_an_employer() -> None:
    """A line granted on an employer's own application names the employer as beneficiary and subject: the
    registry, not the route, says it is an employer (``pays_subject`` alone would call it the person's)."""
    inputs = _inputs()
    own = pl.DataFrame({"payment_id": ["A"], "policy": ["CM-10a"], "beneficiary": [OUTSIDE], "subject": [OUTSIDE],
                        "month": [MARCH], "amount_fen": [50_000], "state": ["paid"]})  # fmt: skip
    lines = with_measures(Inputs.from_frames(payments=own).paid(), inputs.registered())
    assert lines["beneficiary_kind"].to_list() == ["employer_per_worker"]


def test_each_route_is_held_to_its_own_standard(monkeypatch: pytest.MonkeyPatch) -> None:
    """CM-10a's employer and flexible-worker standards differ (two G6 amounts): a flexible line paid the
    employer's standard is above its own, an employer line paid it is not."""
    from jiuye.rules import parameters as rule_parameters

    original = rule_parameters.load_measure_parameters
    set_ = {"CM-10a.monthly_amount_employer": 900, "CM-10a.monthly_amount_flexible": 500}
    monkeypatch.setattr(rule_parameters, "load_measure_parameters",
                        lambda mid: original(mid).with_overrides(set_) if mid == "CM-10a" else original(mid))  # fmt: skip
    inputs = _inputs()
    lines = Inputs.from_frames(payments=_payments().filter(pl.col("policy") == "CM-10a").with_columns(
        amount_fen=pl.lit(90_000, pl.Int64))).payments  # fmt: skip
    flags = checks.CHECKS["amount_above_cap"](Inputs.from_frames(**{**inputs.tables(), "payments": lines}))
    assert flags["subject_id"].to_list() == [f"CM-10a|{FLEXIBLE}"] and "500.00" in flags["detail"][0]


def test_the_declared_routes_are_those_the_catalog_names() -> None:
    several = {m.id: m.meta.payee_kinds for m in all_measures() if len(m.meta.payee_kinds) > 1}
    assert several == {"CM-10a": ("employer_per_worker", "person"), "JS-07b": ("person", "organization")}


def _insert(session: Session) -> None:
    from jiuye.ledger.models import entitlements, payment_batches, payments
    from jiuye.registry.models import TABLES, audit_values

    by = audit_values("test")
    for number, died in ((WORKER, None), (FLEXIBLE, None), (WINNER, dt.date(2024, 1, 5))):
        session.execute(sa.insert(TABLES["persons"]).values(
            id_number=number, name="张三", birth_date=dt.date(1975, 5, 5), gender="male", hukou_agricultural=False,
            died_on=died, **by,
        ))  # fmt: skip
    for code, kind, district in ((OUTSIDE, "labor_dispatch", "xuhui"), (INSIDE, "enterprise", "chongming"),
                                 (SECOND, "enterprise", "chongming")):  # fmt: skip
        session.execute(sa.insert(TABLES["employers"]).values(
            credit_code=code, name=f"单位{code[-3:]}", type=kind, district=district, size="small", state_owned=False,
            **by,
        ))  # fmt: skip
    session.execute(sa.insert(TABLES["organizations"]).values(org_id=ORG, name="创业团队", kind="other",
                                                              district="jinshan", **by))  # fmt: skip
    batch = session.execute(
        sa.insert(payment_batches).values(month=MARCH, created_by="test", state="paid").returning(payment_batches.c.id)
    ).scalar_one()
    for r in _payments().iter_rows(named=True):
        key = {k: r[k] for k in ("policy", "beneficiary", "subject", "month", "amount_fen")}
        ent = session.execute(
            sa.insert(entitlements).values(**key, amount_status="payable", state="paid", created_by="test",
                                           updated_by="test").returning(entitlements.c.id)
        ).scalar_one()  # fmt: skip
        session.execute(sa.insert(payments).values(batch_id=batch, entitlement_id=ent, state="paid", **key))


def test_flags_from_the_database(migrated_db_url: str) -> None:
    engine = db.get_engine(migrated_db_url)
    with Session(engine) as session, session.begin():
        _insert(session)
    with Session(engine) as session, session.begin():
        result = service.run(session, "测试员")
    _expected_flags(result.flags)
