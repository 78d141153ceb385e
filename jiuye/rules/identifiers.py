"""Identifier checksums: resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions, shared by case validation, registry import and fund supervision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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
        return str(pl.DataFrame({"v": [value]}, schema={"v": pl.String}).select(self.expr(pl.col("v"))).item())


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
        return str(pl.DataFrame({"v": [value]}, schema={"v": pl.String}).select(self.expr(pl.col("v"))).item())


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


def mask_text(text: str) -> str:
    """``text`` with every ID number, mobile number and bank-account-like digit run masked (messages)."""
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
