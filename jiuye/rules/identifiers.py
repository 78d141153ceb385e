"""Identifier checksums: resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions, shared by case validation, registry import and fund supervision.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_problem(number: str) -> str | None:
    """None when ``number`` is a well-formed 18-character ID number, else a Chinese reason."""
    if not isinstance(number, str) or len(number) != 18:
        return "身份证号码应为18位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号码前17位应为数字，末位为数字或X"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"身份证号码中的出生日期不存在：{number[6:14]}"
    if id_check_digit(number[:17]) != number[17]:
        return f"身份证号码校验位错误（GB 11643，应为 {id_check_digit(number[:17])}）"
    return None


def id_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_gender(number: str) -> str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return "male" if int(number[16]) % 2 == 1 else "female"


def make_id_number(area: str, birth: dt.date, sequence: int, gender: str) -> str:
    """Build a valid ID number (for demo data and tests): ``sequence`` 0–499 picks the order code."""
    order = sequence * 2 + (1 if gender == "male" else 0)
    if not 0 <= order <= 999:
        raise ValueError("sequence out of range")
    first17 = f"{area}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_digit(first17)


def mask_id_number(number: str) -> str:
    """310116********1234 — first six and last four shown."""
    if len(number) != 18:
        return number
    return number[:6] + "*" * 8 + number[-4:]


# --- GB 32100-2015 统一社会信用代码 ---------------------------------------------------------
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid 18-character unified social credit code, else a Chinese reason."""
    if not isinstance(code, str) or len(code) != 18:
        return "统一社会信用代码应为18位"
    bad = [c for c in code if c not in CREDIT_ALPHABET]
    if bad:
        return f"统一社会信用代码含非法字符：{''.join(bad)}"
    if credit_check_char(code[:17]) != code[17]:
        return f"统一社会信用代码校验位错误（GB 32100，应为 {credit_check_char(code[:17])}）"
    return None


def make_credit_code(admin_code: str, serial: int, registrar: str = "9", kind: str = "1") -> str:
    """Build a valid credit code: registrar 9 (市场监管) / kind 1 (企业), area code, organisation code."""
    body = ""
    n = serial
    for _ in range(9):
        n, r = divmod(n, 31)
        body = CREDIT_ALPHABET[r] + body
    first17 = f"{registrar}{kind}{admin_code}{body}"
    return first17 + credit_check_char(first17)


# --- normalisation: one rule for every entry point (case JSON, import, web forms, search) ------------
# Full-width digits and letters (０-９, Ｘ, ｘ) become half-width, spaces (also the full-width space and
# the no-break space) are dropped, and a lower-case check character x becomes X.  Nothing else is
# changed: a value that is still wrong after this is reported as it stands.
_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X", "x": "X"}
_SPACES = "\u0020\u3000\u00a0\t\r\n"
_NORMALIZE_TABLE = str.maketrans({**_FULL_WIDTH, **dict.fromkeys(_SPACES, None)})


def normalize_id_number(number: str) -> str:
    """``'３１０１１６１９９５０４０１１２３ｘ'`` → ``'31011619950401123X'`` (see the rule above)."""
    return number.translate(_NORMALIZE_TABLE)


def normalize_id_number_expr(col: pl.Expr) -> pl.Expr:
    """:func:`normalize_id_number` over a whole column."""
    out = col.str.replace_all(r"[\s\u3000\u00a0]", "")
    return out.str.replace_many(list(_FULL_WIDTH), list(_FULL_WIDTH.values()))
