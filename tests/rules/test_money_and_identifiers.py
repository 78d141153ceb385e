from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def _textbook_id_check(first17: str) -> str:
    """GB 11643 as the standard writes it: Σ a_i·W_i mod 11, W_i = 2^(17-i) mod 11 (an independent oracle)."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    return "10X98765432"[total % 11]


def _textbook_credit_check(first17: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * (3**i % 31) for i, c in enumerate(first17))
    return alphabet[(31 - total % 31) % 31]


def test_columnar_checksums_agree_with_the_standards_formula() -> None:
    import random

    import polars as pl

    from jiuye.rules.identifiers import CREDIT_ALPHABET, credit_check_char, id_check_char

    rng = random.Random(11)
    ids = ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(500)]
    got = pl.DataFrame({"v": ids}).select(id_check_char(pl.col("v"))).to_series().to_list()
    assert got == [_textbook_id_check(v) for v in ids]
    codes = ["".join(rng.choice(CREDIT_ALPHABET) for _ in range(17)) for _ in range(500)]
    got = pl.DataFrame({"v": codes}).select(credit_check_char(pl.col("v"))).to_series().to_list()
    assert got == [_textbook_credit_check(v) for v in codes]


def test_masking_policy_and_money_text() -> None:
    import polars as pl

    from jiuye.rules.identifiers import MASKS, mask
    from jiuye.rules.money import fen_to_plain_text, yuan_text

    assert MASKS["id_number"].text("310116199001010403") == "310116********0403"
    assert MASKS["id_number"].text("31011619900101") == "31011619900101"  # not an ID number: unchanged
    assert MASKS["phone"].text("13912345678") == "139****5678"
    frame = pl.DataFrame({"v": ["91310116MA1FL4K7XX", None, "abc"]})
    assert frame.select(mask(pl.col("v"))).to_series().to_list() == ["913101********K7XX", None, "abc"]
    fen = [0, 5, 150, -150, 4000050, None]
    assert pl.DataFrame({"f": fen}).select(yuan_text(pl.col("f"), "元")).to_series().to_list() == [
        "0.00元", "0.05元", "1.50元", "-1.50元", "40000.50元", None,
    ]  # fmt: skip
    assert [fen_to_plain_text(f) for f in (0, 5, 150, -150, 4000050)] == ["0.00", "0.05", "1.50", "-1.50", "40000.50"]


def _luhn_by_hand(text: str) -> bool:
    """ISO/IEC 7812 as written: from the right, every second digit doubled (minus 9 above 9); sum ≡ 0 mod 10.
    Positions beyond 19 and non-digit characters count nothing, as the column check reads them."""
    total = 0
    for i, ch in enumerate(reversed(text[-19:] if len(text) > 19 else text)):
        d = int(ch) if ch in "0123456789" else 0
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


ACCOUNT_LIKE = st.text(alphabet="0123456789", min_size=0, max_size=22) | st.text(max_size=6)


@given(st.lists(ACCOUNT_LIKE, min_size=1, max_size=40))
def test_luhn_column_check_agrees_with_the_hand_rule(values: list[str]) -> None:
    import polars as pl

    from jiuye.rules.identifiers import luhn_check_digit, luhn_valid

    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    assert frame.select(luhn_valid(pl.col("v"))).to_series().to_list() == [_luhn_by_hand(v) for v in values]
    bodies = [v for v in values if v.isascii() and v.isdigit() and len(v) <= 18]
    if bodies:
        digits = pl.DataFrame({"v": bodies}).select(luhn_check_digit(pl.col("v"))).to_series().to_list()
        assert all(_luhn_by_hand(b + d) for b, d in zip(bodies, digits, strict=True))
