"""Identifiers: resident ID numbers (GB 11643-1999), unified social credit codes (GB 32100-2015), the one
rule that normalises a typed ID number, and how personal data is masked when shown (the masking policy).

One implementation, columnar (Polars expressions), shared by case validation, registry import, the
demo district and fund supervision: a million ID numbers are checked in a fraction of a second.  The
scalar helpers (``id_number_problem`` …) evaluate the same expressions on one value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import overload

import polars as pl

# --- GB 11643-1999 公民身份号码 --------------------------------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
ID_CHECK = "10X98765432"  # check character for weighted sum mod 11 = 0, 1, 2, …
ID_SHAPE = r"^[0-9]{17}[0-9X]$"

# --- GB 32100-2015 统一社会信用代码 ------------------------------------------------------------------
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
CREDIT_CLASS = "[0-9A-HJ-NP-RTUWXY]"


def _null_str() -> pl.Expr:
    return pl.lit(None, dtype=pl.String)


def _one(expr: pl.Expr, value: object, dtype: pl.DataType | type[pl.DataType] = pl.String) -> object:
    """Evaluate a column expression on a single value (the scalar helpers below)."""
    return pl.DataFrame({"v": [value]}, schema={"v": dtype}).select(expr.alias("r")).item()


def id_check_char(col: pl.Expr) -> pl.Expr:
    """Expected 18th character of an ID number from its first 17 digits (null when they are not digits)."""
    # The weights are 2^(17-i) mod 11 and 13 ≡ 2 (mod 11): read the 17 digits as one base-13 number v
    # (< 13^17 < 2^64); the weighted sum is ≡ 2·v (mod 11).  One pass over the column.
    # the character by position in ID_CHECK (a gather: ``replace_strict`` builds its mapping on every collect,
    # ~0.15 ms of a one-person case's parse, and is slower on a million rows too); a null position gives null
    v = col.str.slice(0, 17).str.to_integer(base=13, strict=False, dtype=pl.UInt64)
    return pl.lit(pl.Series(list(ID_CHECK), dtype=pl.String)).gather((v % 11) * 2 % 11)


def with_id_check(first17: pl.Expr) -> pl.Expr:
    """The full ID number: 17 digits followed by their check character."""
    return first17 + id_check_char(first17)


@overload
def id_birth_date(number: pl.Expr) -> pl.Expr: ...
@overload
def id_birth_date(number: str) -> dt.date: ...
def id_birth_date(number: pl.Expr | str) -> pl.Expr | dt.date:
    """Digits 7–14 as a date (null in a column when they are not a real date)."""
    if isinstance(number, pl.Expr):
        return number.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
    born = _one(id_birth_date(pl.col("v")), number)
    if not isinstance(born, dt.date):
        raise ValueError(f"身份证号码中的出生日期不存在：{number[6:14]}")
    return born


@overload
def id_gender(number: pl.Expr) -> pl.Expr: ...
@overload
def id_gender(number: str) -> str: ...
def id_gender(number: pl.Expr | str) -> pl.Expr | str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    if isinstance(number, pl.Expr):
        return (
            pl.when(number.str.slice(16, 1).cast(pl.Int64, strict=False) % 2 == 1)
            .then(pl.lit("male"))
            .otherwise(pl.lit("female"))
        )
    return str(_one(id_gender(pl.col("v")), number))


def id_number_valid(col: pl.Expr) -> pl.Expr:
    """True for a well-formed ID number (length, digits, real birth date, check character); False else."""
    return (
        col.str.contains(ID_SHAPE)
        & id_birth_date(col).is_not_null()
        & (id_check_char(col) == col.str.slice(17, 1))
    ).fill_null(False)


def id_number_reason(col: pl.Expr) -> pl.Expr:
    """Null for a well-formed ID number (or an empty cell), else the Chinese reason."""
    expected = id_check_char(col)
    return (
        pl.when(col.is_null())
        .then(_null_str())
        .when(col.str.len_chars() != 18)
        .then(pl.lit("身份证号码应为18位"))
        .when(~col.str.contains(ID_SHAPE))
        .then(pl.lit("身份证号码前17位应为数字，末位为数字或X"))
        .when(id_birth_date(col).is_null())
        .then(pl.format("身份证号码中的出生日期不存在：{}", col.str.slice(6, 8)))
        .when(expected != col.str.slice(17, 1))
        .then(pl.format("身份证号码校验位错误（GB 11643，应为 {}）", expected))
        .otherwise(_null_str())
    )


def id_number_problem(number: str) -> str | None:
    """None when ``number`` is a well-formed 18-character ID number, else a Chinese reason."""
    if not isinstance(number, str):
        return "身份证号码应为18位"
    reason = _one(id_number_reason(pl.col("v")), number)
    return None if reason is None else str(reason)


def make_id_number(area: str, birth: dt.date, sequence: int, gender: str) -> str:
    """Build a valid ID number (for demo data and tests): ``sequence`` 0–499 picks the order code."""
    order = sequence * 2 + (1 if gender == "male" else 0)
    if not 0 <= order <= 999:
        raise ValueError("sequence out of range")
    return str(_one(with_id_check(pl.col("v")), f"{area}{birth:%Y%m%d}{order:03d}"))


def credit_check_char(col: pl.Expr) -> pl.Expr:
    """Expected 18th character of a credit code from its first 17 characters (null on illegal ones)."""
    index = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
    total = pl.sum_horizontal(
        col.str.slice(i, 1).replace_strict(index, default=None, return_dtype=pl.Int64) * w
        for i, w in enumerate(CREDIT_WEIGHTS)
    )
    return ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(CREDIT_ALPHABET)), default=None, return_dtype=pl.String
    )


def with_credit_check(first17: pl.Expr) -> pl.Expr:
    return first17 + credit_check_char(first17)


def credit_serial(index: pl.Expr, width: int = 9) -> pl.Expr:
    """A non-negative integer written in ``width`` characters of the GB 32100 alphabet (base 31)."""
    chars = dict(enumerate(CREDIT_ALPHABET))
    return pl.concat_str(
        [((index // (31**p)) % 31).replace_strict(chars, return_dtype=pl.String) for p in range(width - 1, -1, -1)]
    )


def credit_code_valid(col: pl.Expr) -> pl.Expr:
    return (
        col.str.contains(f"^{CREDIT_CLASS}{{18}}$") & (credit_check_char(col) == col.str.slice(17, 1))
    ).fill_null(False)


def credit_code_reason(col: pl.Expr) -> pl.Expr:
    """Null for a valid credit code (or an empty cell), else the Chinese reason."""
    expected = credit_check_char(col)
    illegal = col.str.replace_all(CREDIT_CLASS, "")
    return (
        pl.when(col.is_null())
        .then(_null_str())
        .when(col.str.len_chars() != 18)
        .then(pl.lit("统一社会信用代码应为18位"))
        .when(illegal.str.len_chars() > 0)
        .then(pl.format("统一社会信用代码含非法字符：{}", illegal))
        .when(expected != col.str.slice(17, 1))
        .then(pl.format("统一社会信用代码校验位错误（GB 32100，应为 {}）", expected))
        .otherwise(_null_str())
    )


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid 18-character unified social credit code, else a Chinese reason."""
    if not isinstance(code, str):
        return "统一社会信用代码应为18位"
    reason = _one(credit_code_reason(pl.col("v")), code)
    return None if reason is None else str(reason)


def make_credit_code(admin_code: str, serial: int, registrar: str = "9", kind: str = "1") -> str:
    """Build a valid credit code: registrar 9 (市场监管) / kind 1 (企业), area code, organisation code."""
    if not 0 <= serial < 31**9:
        raise ValueError("serial out of range")
    first17 = pl.lit(f"{registrar}{kind}{admin_code}") + credit_serial(pl.col("v"))
    return str(_one(with_credit_check(first17), serial, pl.Int64))


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


def normalize_bank_account_expr(col: pl.Expr) -> pl.Expr:
    """A bank account as typed or imported → its digits: spaces between digit groups (6222 0202 …, also the
    full-width and no-break space) and hyphens (ASCII and full-width) are dropped and full-width digits (a
    Chinese input method's) become half-width.  Anything else stays and is reported by the plausibility check."""
    out = col.str.replace_all(r"[\s\u3000\u00a0\-\uff0d]", "")
    digits = [chr(0xFF10 + i) for i in range(10)]
    return out.str.replace_many(digits, [str(i) for i in range(10)])


def normalize_bank_account(account: str) -> str:
    """:func:`normalize_bank_account_expr` on one value (a web form's field)."""
    return str(_one(normalize_bank_account_expr(pl.col("v")), account))


# --- masking: how personal data is shown outside the registry (docs/personal-data.md) ----------------


@dataclass(frozen=True)
class Mask:
    """Show the first ``head`` and the last ``tail`` characters and hide the rest: one ``*`` per hidden
    character, or ``stars`` of them whatever the length.  With ``length`` given, a value of another
    length is shown unchanged (it is not this kind of identifier)."""

    head: int
    tail: int
    length: int | None = None
    stars: int | None = None

    def expr(self, col: pl.Expr) -> pl.Expr:
        if self.stars is not None:
            hidden = pl.lit("*" * self.stars)
        else:
            n = col.str.len_chars()
            hidden = col.str.slice(self.head, n - self.head - self.tail).str.replace_all(".", "*")
        tail = col.str.tail(self.tail) if self.tail else pl.lit("")
        masked = pl.concat_str([col.str.head(self.head), hidden, tail])
        if self.length is None:
            return pl.when(col.is_null()).then(None).otherwise(masked)
        return pl.when(col.str.len_chars() == self.length).then(masked).otherwise(col)

    def text(self, value: str) -> str:
        return str(_one(self.expr(pl.col("v")), value))


@dataclass(frozen=True)
class TownMask:
    """An address shown down to its town (街道 / 镇 / 乡), the rest hidden: 上海市金山区朱泾镇***."""

    def expr(self, col: pl.Expr) -> pl.Expr:
        town = col.str.extract(r"^(.*?(?:街道|镇|乡))", 1)
        return (
            pl.when(col.is_null()).then(None)
            .when(town.is_not_null()).then(town + pl.lit("***"))
            .otherwise(col.str.head(3) + pl.lit("***"))
        )  # fmt: skip

    def text(self, value: str) -> str:
        return str(_one(self.expr(pl.col("v")), value))


# Free text that may quote personal data (supervision flags' 关联对象 and 疑点键, audit payloads, messages):
# every ID-number-shaped token, mobile number and long digit run (bank account) inside it is masked.
_TEXT_ID = r"(\d{6})\d{8}(\d{3}[0-9Xx])"
_TEXT_MOBILE = r"(1[3-9]\d)\d{4}(\d{4})"
_TEXT_DIGITS = r"\d{8,}(\d{4})"


@dataclass(frozen=True)
class TextMask:
    """Mask what looks like an ID number, a mobile number or a bank account anywhere in a text."""

    def expr(self, col: pl.Expr) -> pl.Expr:
        edge = "(^|[^0-9A-Za-z])"
        end = "([^0-9A-Za-z]|$)"
        out = col
        for _ in range(2):  # twice: a match consumes its right edge, so "a,b" needs a second pass for b
            out = out.str.replace_all(edge + _TEXT_ID + end, "${1}${2}********${3}${4}")
        out = out.str.replace_all(edge + _TEXT_MOBILE + end, "${1}${2}****${3}${4}")
        return out.str.replace_all(edge + _TEXT_DIGITS + end, "${1}****${2}${3}")

    def text(self, value: str) -> str:
        return mask_text(value)


_TEXT_PATTERNS = (
    (re.compile(r"(?<![0-9A-Za-z])" + _TEXT_ID + r"(?![0-9A-Za-z])"), r"\1********\2"),
    (re.compile(r"(?<![0-9A-Za-z])" + _TEXT_MOBILE + r"(?![0-9A-Za-z])"), r"\1****\2"),
    (re.compile(r"(?<![0-9A-Za-z])" + _TEXT_DIGITS + r"(?![0-9A-Za-z])"), r"****\1"),
)


@overload
def mask_text(text: str) -> str: ...
@overload
def mask_text(text: None) -> None: ...
def mask_text(text: str | None) -> str | None:
    """``text`` with every ID number, mobile number and bank-account-like digit run masked (messages); a text
    never written (``None``, ``""``: no reason, no detail) comes back as it is, so no caller tests it first."""
    if not text:
        return text
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# The declared masking policy: one entry per kind of personal data.  Which column holds which kind is
# declared with the registry schema (``Column.mask``); every export, command output, message and page
# shows personal data through these.
MASKS: dict[str, Mask | TownMask | TextMask] = {
    "id_number": Mask(head=6, tail=4, length=18),  # 310116********0403 (credit codes in the same columns too)
    "phone": Mask(head=3, tail=4, stars=4),  # 159****6236
    "bank_account": Mask(head=0, tail=4, stars=4),  # ****1234 — the last four digits only
    "name": Mask(head=1, tail=0, stars=1),  # 张*
    "address": TownMask(),  # 上海市金山区朱泾镇***
    "text": TextMask(),  # free text quoting any of the above
}


def mask(col: pl.Expr, kind: str = "id_number") -> pl.Expr:
    """``col`` as shown under the masking policy for ``kind``."""
    return MASKS[kind].expr(col)


def mask_id_number(number: str) -> str:
    """310116********1234 — first six and last four shown."""
    return MASKS["id_number"].text(number)


# --- bank accounts (issue 9) ------------------------------------------------------------------------
# Reading: a bank account is 12–19 digits, kept as text.  UnionPay card numbers (BIN 62…, 16–19 digits)
# end in an ISO/IEC 7812 Luhn check digit, so they must pass it; other accounts (passbooks, settlement and
# corporate accounts) have bank-internal formats without a public check digit: digits and length only.
BANK_ACCOUNT_MIN, BANK_ACCOUNT_MAX = 12, 19
UNIONPAY_PREFIX = "62"
# what a number typed into a spreadsheet cell reads back as: 6.222020200112233e+18, 6222020200112233.0
NUMERIC_CELL_RE = r"^[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$|^[0-9]+\.0+$"


def _luhn_sum(rev: pl.Expr, doubled_parity: int, width: int) -> pl.Expr:
    """Luhn sum of the first ``width`` characters of ``rev`` (a reversed digit string); a non-digit or a
    missing position counts 0.  One list of digits per row, halves taken by position: slicing the string
    once per position repeated the reversal and a cast 19 times (≈ 1.4 s of a 100,000-line pay)."""
    digits = rev.str.slice(0, width).str.split("").cast(pl.List(pl.Int64), strict=False)
    doubled = digits.list.gather_every(2, doubled_parity).list.eval(
        pl.when(pl.element() > 4).then(pl.element() * 2 - 9).otherwise(pl.element() * 2)
    )
    plain = digits.list.gather_every(2, 1 - doubled_parity)
    return (plain.list.sum().fill_null(0) + doubled.list.sum().fill_null(0)).cast(pl.Int64)


def luhn_valid(col: pl.Expr) -> pl.Expr:
    """ISO/IEC 7812 Luhn check of a digit string of at most 19 digits."""
    return _luhn_sum(col.str.reverse(), 1, BANK_ACCOUNT_MAX) % 10 == 0


@overload
def luhn_check_digit(body: pl.Expr) -> pl.Expr: ...
@overload
def luhn_check_digit(body: str) -> str: ...
def luhn_check_digit(body: pl.Expr | str) -> pl.Expr | str:
    """The digit that makes ``body`` + digit pass :func:`luhn_valid` (demo data, tests)."""
    if isinstance(body, pl.Expr):
        return ((10 - _luhn_sum(body.str.reverse(), 0, BANK_ACCOUNT_MAX - 1) % 10) % 10).cast(pl.String)
    return str(_one(luhn_check_digit(pl.col("v")), body))


def luhn_ok(digits: str) -> bool:
    return bool(_one(luhn_valid(pl.col("v")), digits, pl.String))


def bank_account_reason(col: pl.Expr) -> pl.Expr:
    """Null for a plausible bank account (or an empty cell), else the Chinese reason."""
    length = col.str.len_chars()
    unionpay = col.str.starts_with(UNIONPAY_PREFIX) & (length >= 16) & (length <= BANK_ACCOUNT_MAX)
    return (
        pl.when(col.is_null())
        .then(_null_str())
        .when(col.str.contains(NUMERIC_CELL_RE))
        .then(pl.lit("银行账号在表格中被存成了数字（如 6.22E+18），可能已失真；请将该列设为文本后重新填写"))
        .when(~col.str.contains(r"^[0-9]+$"))
        .then(pl.lit("银行账号只能是数字"))
        .when((length < BANK_ACCOUNT_MIN) | (length > BANK_ACCOUNT_MAX))
        .then(pl.lit(f"银行账号应为{BANK_ACCOUNT_MIN}–{BANK_ACCOUNT_MAX}位数字"))
        .when(unionpay & ~luhn_valid(col))
        .then(pl.lit("银联卡号校验位不对，请核对卡号"))
        .otherwise(_null_str())
    )


def bank_account_problem(account: str | None) -> str | None:
    """None when ``account`` is a plausible bank account (see the reading above), else a Chinese reason."""
    if not isinstance(account, str) or not account:
        return "银行账号为空"
    reason = _one(bank_account_reason(pl.col("v")), account)
    return None if reason is None else str(reason)


# --- names (issue 9) ----------------------------------------------------------------------------------
# A person's name: Chinese characters, the separator dot of minority and foreign names (·•・), Latin
# letters, spaces, apostrophes and dots (foreign names), 1–50 characters, beginning with a letter or a
# Chinese character (so never a formula, an ID number or an account pasted into the wrong column).  Digits
# after the first character are tolerated: registries use placeholder names such as 人员3.
# An organisation's name: free text up to 200 characters, but never beginning with a formula character and
# never containing control characters.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
PERSON_NAME_RE = rf"^[{_HAN}A-Za-z][{_HAN}A-Za-z0-9\u00b7\u2022\u30fb .']{{0,49}}$"
ORG_NAME_BAD_RE = r"^[=+\-@\t\r]|[\x00-\x1f\x7f]"
ORG_NAME_MAX = 200


def person_name_reason(col: pl.Expr) -> pl.Expr:
    return (
        pl.when(col.is_not_null() & ~col.str.contains(PERSON_NAME_RE))
        .then(pl.lit("姓名不像人名：须以汉字或字母开头，只能含汉字、字母、数字、间隔号·和空格，1–50个字符"))
        .otherwise(_null_str())
    )


def org_name_reason(col: pl.Expr) -> pl.Expr:
    return (
        pl.when(col.is_not_null() & col.str.contains(ORG_NAME_BAD_RE))
        .then(pl.lit("名称不能以 = + - @ 开头，也不能含控制字符（疑似公式）"))
        .when(col.str.len_chars() > ORG_NAME_MAX)
        .then(pl.lit(f"名称超过{ORG_NAME_MAX}个字符"))
        .otherwise(_null_str())
    )


def person_name_problem(name: str) -> str | None:
    reason = _one(person_name_reason(pl.col("v")), name)
    return None if reason is None else str(reason)


def org_name_problem(name: str) -> str | None:
    reason = _one(org_name_reason(pl.col("v")), name)
    return None if reason is None else str(reason)
