"""Catalog revision 2 through the real commands, on SQLite and PostgreSQL: a once-only subsidy is never
paid twice when late facts move its month (G5), and a bureau matches only its own district's document (G12)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from jiuye.cli import main
from jiuye.db import get_engine
from jiuye.ledger.models import entitlements, payments
from jiuye.registry.models import TABLES
from jiuye.registry.store import insert_frame, polars_schema
from jiuye.rules.identifiers import luhn_check_digit, make_credit_code, make_id_number

WORKER = make_id_number("510101", dt.date(1990, 3, 1), 7, "male")  # a paired-region worker (Sichuan hukou)
YOUTH = make_id_number("310116", dt.date(1995, 1, 1), 8, "female")  # a Jinshan long-term unemployed youth
EMPLOYER = make_credit_code("310116", 4711)
ACCOUNTS = {p: body + luhn_check_digit(body) for p, body in ((WORKER, "622200000000000"), (YOUTH, "622200000000001"))}


def _frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    types = polars_schema(table)
    return pl.DataFrame([{c: r.get(c) for c in types} for r in rows], schema=types, orient="row")


def _insurance(months: list[dt.date]) -> list[dict[str, object]]:
    return [{"person": WORKER, "month": m, "employer": EMPLOYER, "scheme": "urban_employee", "base_fen": 731_000,
             "paid": True} for m in months]  # fmt: skip


def populate(url: str) -> None:
    tables = {
        "persons": [
            {"id_number": WORKER, "name": "对口务工", "birth_date": dt.date(1990, 3, 1), "gender": "male",
             "hukou_district": None, "hukou_agricultural": True, "bank_account": ACCOUNTS[WORKER]},
            {"id_number": YOUTH, "name": "金山青年", "birth_date": dt.date(1995, 1, 1), "gender": "female",
             "hukou_district": "jinshan", "hukou_agricultural": False, "bank_account": ACCOUNTS[YOUTH]},
        ],
        "employers": [{"credit_code": EMPLOYER, "name": "金山某制造有限公司", "type": "enterprise",
                       "district": "jinshan", "size": "small", "state_owned": False}],
        "statuses": [{"person": WORKER, "kind": "paired_region_rural_labor", "start": dt.date(2022, 1, 1)}],
        "contracts": [{"person": WORKER, "employer": EMPLOYER, "start": dt.date(2024, 1, 1), "registered": True}],
        "social_insurance": _insurance([dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1)])
        + [{"person": YOUTH, "month": dt.date(2023, m, 1), "scheme": "flexible", "base_fen": 731_000, "paid": True}
           for m in (1, 2, 3)],
        "unemployment_registrations": [{"person": YOUTH, "start": dt.date(2022, 1, 5), "end": dt.date(2023, 1, 9)}],
        "flexible_employment": [{"person": YOUTH, "registered_on": dt.date(2023, 1, 10)}],
    }  # fmt: skip
    with get_engine(url).begin() as conn:
        for name, rows in tables.items():
            insert_frame(conn, name, _frame(name, rows), "test")


def run(url: str, *args: str) -> int:
    return main([*args, "--db", url])


def _paid(url: str, policy: str, subject: str) -> list[tuple[str, dt.date, int]]:
    with get_engine(url).connect() as c:
        rows = c.execute(
            sa.select(payments.c.beneficiary, payments.c.month, payments.c.amount_fen)
            .where(payments.c.policy == policy, payments.c.subject == subject, payments.c.state == "paid")
        ).all()  # fmt: skip
    return sorted((r[0], r[1] if isinstance(r[1], dt.date) else dt.date.fromisoformat(str(r[1])[:10]), r[2])
                  for r in rows)  # fmt: skip


def test_late_insurance_record_does_not_pay_js13_twice(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_db_url
    populate(url)
    # JS-11 (the employer's monthly subsidy for the same worker) needs a reviewer: only JS-13 is paid for him
    assert run(url, "settings", "auto", "JS-11", "off", "--by", "局长") == 0
    assert run(url, "match", "--from", "2024-05", "--to", "2024-05") == 0
    assert run(url, "approve", "--month", "2024-05", "--by", "科员") == 0
    assert run(url, "pay", "--month", "2024-05", "--out", str(tmp_path / "pay1")) == 0
    assert _paid(url, "JS-13", WORKER) == [(WORKER, dt.date(2024, 5, 1), 120_000)]
    before = {p: _paid(url, p, WORKER) for p in ("JS-11", "JS-12", "JS-13")}

    # a late record: January and February were insured too, so the 3rd insured month is now 2024-03
    late = tmp_path / "social_insurance.csv"
    late.write_text("身份证号码,缴费月份,缴费单位统一社会信用代码,险种,缴费基数（元）,已缴费\n"
                    f"{WORKER},2024-01,{EMPLOYER},urban_employee,7310,是\n"
                    f"{WORKER},2024-02,{EMPLOYER},urban_employee,7310,是\n", encoding="utf-8")  # fmt: skip
    assert main(["import", "--db", url, "-q", str(late)]) == 0
    case = tmp_path / "case.json"
    assert run(url, "export-case", "--person", WORKER, "--out", str(case), "--from", "2024-01", "--to", "2024-06",
               "--unmasked", "--reason", "测算核对") == 0  # the payments below name the worker in full
    capsys.readouterr()
    assert main(["evaluate", str(case), "--no-explain"]) == 0
    assert '"month": "2024-03"' in capsys.readouterr().out  # the registry's facts alone now date JS-13 to 2024-03
    data = json.loads(case.read_text(encoding="utf-8"))  # with the ledger's payment, evaluate prints nothing
    data["payments"] = [{"policy": "JS-13", "beneficiary": WORKER, "subject": WORKER, "month": "2024-05",
                         "amount": 1200}]  # fmt: skip
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["evaluate", str(case), "--no-explain"]) == 0
    assert '"JS-13"' not in capsys.readouterr().out

    assert run(url, "match", "--from", "2024-01", "--to", "2024-06") == 0
    assert run(url, "approve", "--month", "2024-06", "--by", "科员") == 0
    assert run(url, "pay", "--month", "2024-06", "--out", str(tmp_path / "pay2")) in (0, 6)  # 6: nothing to pay
    assert {p: _paid(url, p, WORKER) for p in ("JS-11", "JS-12", "JS-13")} == before  # nothing new paid
    with get_engine(url).connect() as c:
        open_js13 = c.execute(
            sa.select(sa.func.count()).select_from(entitlements)
            .where(entitlements.c.policy == "JS-13", entitlements.c.state != "paid",
                   entitlements.c.state != "withdrawn")
        ).scalar_one()  # fmt: skip
    assert open_js13 == 0, "no second JS-13 line waits for approval either"
    assert run(url, "supervise", "--by", "监管员") == 0
    with get_engine(url).connect() as c:
        flags = TABLES["flags"]
        above = c.execute(
            sa.select(sa.func.count()).select_from(flags).where(flags.c.check == "months_above_cap")
        ).scalar_one()
    assert above == 0


def test_a_chongming_bureau_never_matches_jinshan_measures(
    migrated_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_db_url
    populate(url)
    assert run(url, "settings", "district") == 0
    assert "全部" in capsys.readouterr().out  # the default until the bureau sets it
    assert run(url, "settings", "district", "chongming", "--by", "局长") == 0
    assert "崇明区" in capsys.readouterr().out
    assert run(url, "policies") == 0
    out = capsys.readouterr().out
    assert "本局所在区：崇明区" in out
    js02 = next(line for line in out.splitlines() if line.startswith("JS-02 "))
    cm09 = next(line for line in out.splitlines() if line.startswith("CM-09 "))
    assert "〔不匹配〕" in js02 and "〔不匹配〕" not in cm09
    assert run(url, "match", "--from", "2023-01", "--to", "2024-06") == 0
    with get_engine(url).connect() as c:
        policies = {r[0] for r in c.execute(sa.select(entitlements.c.policy).distinct())}
    assert (policies and all(p.startswith("CM") for p in policies)) or not policies
    assert not any(p.startswith("JS") for p in policies)
    assert run(url, "match", "--from", "2023-01", "--to", "2024-06", "--policy", "JS-02") == 4
    assert "不匹配其他区文件的政策" in capsys.readouterr().err
    # the same registry under a Jinshan bureau finds the Jinshan lines
    assert run(url, "settings", "district", "jinshan", "--by", "局长") == 0
    assert run(url, "match", "--from", "2023-01", "--to", "2024-06") == 0
    with get_engine(url).connect() as c:
        policies = {r[0] for r in c.execute(sa.select(entitlements.c.policy).distinct())}
    assert {"JS-02", "JS-13"} <= policies and not any(p.startswith("CM") for p in policies)
    with pytest.raises(SystemExit):  # argparse refuses an unknown district
        run(url, "settings", "district", "nowhere")


GRADUATE = make_id_number("310230", dt.date(2001, 2, 1), 9, "female")  # a Chongming graduate from a 低保 family


def test_a_jinshan_bureau_never_matches_chongming_measures(
    migrated_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """G12 the other way round, and not vacuously: the registry holds a Chongming subject that a Chongming
    bureau does match (CM-10c), yet a Jinshan bureau's matching writes no line of any CM measure."""
    url = migrated_db_url
    populate(url)
    tables = {
        "persons": [{"id_number": GRADUATE, "name": "崇明毕业生", "birth_date": dt.date(2001, 2, 1), "gender": "female",
                     "hukou_district": "chongming", "hukou_agricultural": False}],
        "education": [{"person": GRADUATE, "level": "bachelor", "full_time": True,
                       "graduation_date": dt.date(2023, 6, 30), "school_district": "songjiang"}],
        "statuses": [{"person": GRADUATE, "kind": "min_living_allowance_family", "start": dt.date(2020, 1, 1)}],
    }  # fmt: skip
    with get_engine(url).begin() as conn:
        for name, rows in tables.items():
            insert_frame(conn, name, _frame(name, rows), "test")

    def matched() -> set[str]:
        with get_engine(url).connect() as c:
            return {r[0] for r in c.execute(sa.select(entitlements.c.policy).distinct())}

    assert run(url, "settings", "district", "jinshan", "--by", "局长") == 0
    assert run(url, "match", "--from", "2023-01", "--to", "2024-06") == 0
    jinshan = matched()
    assert {"JS-02", "JS-13"} <= jinshan and not any(p.startswith("CM") for p in jinshan)
    assert run(url, "match", "--from", "2023-01", "--to", "2024-06", "--policy", "CM-10c") == 4
    assert "不匹配其他区文件的政策" in capsys.readouterr().err
    assert run(url, "settings", "district", "chongming", "--by", "局长") == 0
    assert run(url, "match", "--from", "2023-01", "--to", "2024-06") == 0
    assert matched() - jinshan == {"CM-10c"}  # the Chongming subject was there to be matched all along
