"""Identifier checksums: resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions, shared by case validation, registry import and fund supervision.
"""

from __future__ import annotations

import datetime as dt
import re

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


# --- bank accounts (issue 9) ------------------------------------------------------------------
# Reading: a bank account is 12–19 digits, kept as text.  UnionPay card numbers (BIN 62…, 16–19 digits)
# end in an ISO/IEC 7812 Luhn check digit, so they must pass it; other accounts (passbooks, settlement and
# corporate accounts) have bank-internal formats without a public check digit: digits and length only.
BANK_ACCOUNT_MIN, BANK_ACCOUNT_MAX = 12, 19
UNIONPAY_PREFIX = "62"
# what a number typed into a spreadsheet cell reads back as: 6.222020200112233e+18, 6222020200112233.0
NUMERIC_CELL_RE = r"^[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$|^[0-9]+\.0+$"
NUMERIC_CELL = re.compile(NUMERIC_CELL_RE)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body`` + digit pass the Luhn check."""
    return str((10 - sum(
        (int(c) * 2 - 9 if int(c) > 4 else int(c) * 2) if i % 2 == 0 else int(c)
        for i, c in enumerate(reversed(body))
    ) % 10) % 10)  # fmt: skip


def luhn_applies(account: str) -> bool:
    return account.startswith(UNIONPAY_PREFIX) and 16 <= len(account) <= BANK_ACCOUNT_MAX


def bank_account_problem(account: str) -> str | None:
    """None when ``account`` is a plausible bank account (see the reading above), else a Chinese reason."""
    if not isinstance(account, str) or not account:
        return "银行账号为空"
    if NUMERIC_CELL.match(account):
        return "银行账号在表格中被存成了数字（如 6.22E+18），可能已失真；请将该列设为文本后重新填写"
    if not account.isdigit() or not account.isascii():
        return "银行账号只能是数字"
    if not BANK_ACCOUNT_MIN <= len(account) <= BANK_ACCOUNT_MAX:
        return f"银行账号应为{BANK_ACCOUNT_MIN}–{BANK_ACCOUNT_MAX}位数字"
    if luhn_applies(account) and not luhn_ok(account):
        return "银联卡号校验位错误（Luhn）"
    return None


# --- names (issue 9) --------------------------------------------------------------------------
# A person's name: Chinese characters, the separator dot of minority and foreign names (·•・), Latin
# letters, spaces, apostrophes and dots (foreign names), 1–50 characters, beginning with a letter or a
# Chinese character (so never a formula, an ID number or an account pasted into the wrong column).  Digits
# after the first character are tolerated: registries use placeholder names such as 人员3.  An organisation's name: free text up to 200 characters, but never beginning with a
# formula character and never containing control characters.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # same syntax in re and Polars
PERSON_NAME_RE = rf"^[{_HAN}A-Za-z][{_HAN}A-Za-z0-9\u00b7\u2022\u30fb .']{{0,49}}$"
ORG_NAME_BAD_RE = r"^[=+\-@\t\r]|[\x00-\x1f\x7f]"
ORG_NAME_MAX = 200


def person_name_problem(name: str) -> str | None:
    if not re.match(PERSON_NAME_RE, name):
        return "姓名不像人名：须以汉字或字母开头，只能含汉字、字母、数字、间隔号·和空格，1–50个字符"
    return None


def org_name_problem(name: str) -> str | None:
    if re.search(ORG_NAME_BAD_RE, name):
        return "名称不能以 = + - @ 开头，也不能含控制字符（疑似公式）"
    if len(name) > ORG_NAME_MAX:
        return f"名称超过{ORG_NAME_MAX}个字符"
    return None
