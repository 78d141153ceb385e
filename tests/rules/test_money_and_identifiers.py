from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiuye.rules.identifiers import (
    credit_code_problem,
    id_number_problem,
    make_credit_code,
    make_id_number,
    mask_id_number,
)  # fmt: skip
from jiuye.rules.jsonio import dumps
from jiuye.rules.money import MoneyError, fen_to_json_number, percent_of_fen, yuan_to_fen


def test_money_is_exact() -> None:
    assert yuan_to_fen(Decimal("20000.50")) == 2000050
    assert yuan_to_fen(1000) == 100000
    with pytest.raises(MoneyError):
        yuan_to_fen(Decimal("1.005"))
    with pytest.raises(MoneyError):
        yuan_to_fen(0.1)  # type: ignore[arg-type]
    assert percent_of_fen(4000100, 50) == 2000050  # G11: 50 % of 40,001 is 20,000.50
    assert percent_of_fen(3333333, 50) == 1666667  # half up to the fen
    assert dumps([fen_to_json_number(2000050), fen_to_json_number(100000)], indent=None) == "[20000.5, 1000]"


def test_id_numbers() -> None:
    number = make_id_number("310116", dt.date(1995, 4, 1), 12, "female")
    assert id_number_problem(number) is None
    assert int(number[16]) % 2 == 0
    assert "校验位" in (id_number_problem(number[:17] + ("0" if number[17] != "0" else "1")) or "")
    assert "出生日期" in (id_number_problem("310116199502301234") or "")
    assert mask_id_number(number) == number[:6] + "********" + number[-4:]


def test_credit_codes() -> None:
    assert credit_code_problem("91350100M000100Y43") is None  # a published real code
    code = make_credit_code("310151", 4242)
    assert credit_code_problem(code) is None
    assert credit_code_problem(code[:17] + ("0" if code[17] != "0" else "1")) is not None
    assert credit_code_problem("91310116MA1FL4K7IO") is not None  # I and O are not in the alphabet
