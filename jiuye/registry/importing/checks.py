"""Whole-column checks as Polars expressions: each returns a String expression that is null when the
cell is fine and a Chinese reason when it is not.  No Python loop per row.

The identifier checksums are :mod:`jiuye.rules.identifiers`' (one columnar implementation).
"""

from __future__ import annotations

import polars as pl

from jiuye.registry.schema import BOOL_FALSE, BOOL_TRUE
from jiuye.rules import identifiers as ident

TRUE_TEXTS = tuple(sorted({t.lower() for t in BOOL_TRUE} | {"t", "对", "有"}))
FALSE_TEXTS = tuple(sorted({t.lower() for t in BOOL_FALSE} | {"f", "不是", "无"}))

DATE_FORMAT_HINT = "YYYY-MM-DD"


def _null_str() -> pl.Expr:
    return pl.lit(None, dtype=pl.String)


# --- ID numbers (GB 11643) and credit codes (GB 32100): the checks are jiuye.rules.identifiers' --------


def normalize_id_number(col: pl.Expr) -> pl.Expr:
    """The one ID normalisation rule (:func:`jiuye.rules.identifiers.normalize_id_number`), per column."""
    return ident.normalize_id_number_expr(col)


def id_number_valid(col: pl.Expr) -> pl.Expr:
    """True for a valid ID number or an empty cell; cheaper than :func:`id_number_reason`."""
    return col.is_null() | ident.id_number_valid(col)


def id_number_reason(col: pl.Expr) -> pl.Expr:
    """The reasons of :func:`jiuye.rules.identifiers.id_number_reason`, after one of import's own: a masked
    number (exported without ``--unmasked``) cannot be imported."""
    return (
        pl.when(col.str.contains("*", literal=True))
        .then(pl.lit("身份证号码已脱敏（含*），无法导入；请使用 jiuye export --unmasked 导出的完整号码"))
        .otherwise(ident.id_number_reason(col))
    )


def normalize_credit_code(col: pl.Expr) -> pl.Expr:
    return col.str.replace_all(r"\s", "").str.to_uppercase()


def credit_code_valid(col: pl.Expr) -> pl.Expr:
    return col.is_null() | ident.credit_code_valid(col)


credit_code_reason = ident.credit_code_reason


# --- dates, months, booleans, numbers ---------------------------------------------------------------


def _date_text(col: pl.Expr) -> pl.Expr:
    """Accept 2023-07-01, 2023/7/1, 2023.07.01, 20230701 and a trailing ' 00:00:00'."""
    text = col.str.replace(r"[ T]00:00(:00)?(\.0+)?$", "").str.replace_all(r"[/.年月]", "-")
    text = text.str.replace(r"日$", "")
    return (
        pl.when(text.str.contains(r"^[0-9]{8}$"))
        .then(text.str.slice(0, 4) + "-" + text.str.slice(4, 2) + "-" + text.str.slice(6, 2))
        .otherwise(text)
    )


def parse_date(col: pl.Expr) -> pl.Expr:
    return _date_text(col).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def date_reason(col: pl.Expr, parsed: pl.Expr | None = None) -> pl.Expr:
    """``parsed``: the already computed :func:`parse_date` of ``col`` (saves parsing again)."""
    text = _date_text(col)
    day = parse_date(col) if parsed is None else parsed
    return (
        pl.when(col.is_null())
        .then(_null_str())
        .when(~text.str.contains(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"))
        .then(pl.lit(f"不是日期（应为 {DATE_FORMAT_HINT}）"))
        .when(day.is_null())
        .then(pl.lit("日期不存在"))
        .when(day < pl.date(1900, 1, 1))
        .then(pl.lit("日期早于1900年，不合理"))
        .when(day > pl.date(2100, 12, 31))
        .then(pl.lit("日期晚于2100年，不合理"))
        .otherwise(_null_str())
    )


def _month_text(col: pl.Expr) -> pl.Expr:
    text = col.str.replace_all(r"[/.年]", "-").str.replace(r"月$", "")
    # A full date on the first of a month (as Excel shows a month cell) is accepted.
    text = text.str.replace(r"^([0-9]{4}-[0-9]{1,2})-0?1( 00:00(:00)?)?$", "$1")
    return (
        pl.when(text.str.contains(r"^[0-9]{6}$"))
        .then(text.str.slice(0, 4) + "-" + text.str.slice(4, 2))
        .otherwise(text)
    )


def parse_month(col: pl.Expr) -> pl.Expr:
    return (_month_text(col) + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def month_reason(col: pl.Expr, parsed: pl.Expr | None = None) -> pl.Expr:
    text = _month_text(col)
    month = parse_month(col) if parsed is None else parsed
    return (
        pl.when(col.is_null())
        .then(_null_str())
        .when(~text.str.contains(r"^[0-9]{4}-[0-9]{1,2}$"))
        .then(pl.lit("不是月份（应为 YYYY-MM）"))
        .when(month.is_null())
        .then(pl.lit("月份不存在"))
        .when(month < pl.date(1900, 1, 1))
        .then(pl.lit("月份早于1900年，不合理"))
        .otherwise(_null_str())
    )


def parse_bool(col: pl.Expr) -> pl.Expr:
    low = col.str.to_lowercase()
    return (
        pl.when(low.is_in(TRUE_TEXTS))
        .then(pl.lit(True))
        .when(low.is_in(FALSE_TEXTS))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def bool_reason(col: pl.Expr, parsed: pl.Expr | None = None) -> pl.Expr:
    value = parse_bool(col) if parsed is None else parsed
    return (
        pl.when(col.is_not_null() & value.is_null())
        .then(pl.lit("应为“是”或“否”（true/false）"))
        .otherwise(_null_str())
    )


def _int_text(col: pl.Expr) -> pl.Expr:
    return col.str.replace_all(r"[,，\s]", "").str.replace(r"\.0+$", "")


def parse_int(col: pl.Expr) -> pl.Expr:
    return _int_text(col).cast(pl.Int64, strict=False)


def int_reason(col: pl.Expr, parsed: pl.Expr | None = None) -> pl.Expr:
    value = parse_int(col) if parsed is None else parsed
    return (
        pl.when(col.is_not_null() & value.is_null())
        .then(pl.lit("应为整数"))
        .otherwise(_null_str())
    )


def _bare_amount(col: pl.Expr) -> pl.Expr:
    return col.str.replace_all(r"[,，\s元¥￥]", "")


# At most 15 digits of whole yuan: ×100 stays far inside Int64 (no overflow, no wrap to a negative amount);
# each money column declares its own, much smaller plausible maximum (``Column.max_yuan``).
MAX_YUAN_DIGITS = 15
_YUAN_RE = rf"^(-?[0-9]{{1,{MAX_YUAN_DIGITS}}})(?:\.([0-9]{{1,2}}))?$"


def parse_yuan_to_fen(col: pl.Expr) -> pl.Expr:
    """'1234.5' yuan → 123450 fen, exactly (string arithmetic, never a float); null when not an amount of at
    most 15 whole digits and two decimals."""
    text = _bare_amount(col)
    whole = text.str.extract(_YUAN_RE, 1).cast(pl.Int64, strict=False)
    frac = text.str.extract(_YUAN_RE, 2).str.pad_end(2, "0")
    frac_fen = frac.cast(pl.Int64, strict=False).fill_null(0)
    sign = pl.when(text.str.starts_with("-")).then(-1).otherwise(1)
    return whole * 100 + sign * frac_fen


def money_reason(col: pl.Expr, unit: str, max_yuan: int | None = None) -> pl.Expr:
    if unit == "fen":
        return (
            pl.when(col.is_not_null() & parse_int(col).is_null())
            .then(pl.lit("金额应为整数（分）"))
            .when(parse_int(col) < 0)
            .then(pl.lit("金额不能为负数"))
            .otherwise(_null_str())
        )
    text = _bare_amount(col)
    return (
        pl.when(col.is_null())
        .then(_null_str())
        .when(~text.str.contains(r"^-?[0-9]+(\.[0-9]{1,2})?$"))
        .then(pl.lit("金额应为数字（元），最多两位小数"))
        .when(text.str.starts_with("-"))
        .then(pl.lit("金额不能为负数"))
        .when(~text.str.contains(_YUAN_RE))
        .then(pl.lit("金额超出范围（整数部分超过15位），疑似误填了卡号或账号"))
        .when(pl.lit(max_yuan is not None) & (parse_yuan_to_fen(col) > (max_yuan or 0) * 100))
        .then(pl.lit(f"金额超过该列的合理上限 {max_yuan or 0:,} 元"))
        .otherwise(_null_str())
    )


def parse_money(col: pl.Expr, unit: str) -> pl.Expr:
    return parse_int(col) if unit == "fen" else parse_yuan_to_fen(col)


# --- plausibility: bank accounts and names (issue 9; the checks are jiuye.rules.identifiers') ----------


PLAUSIBLE_REASONS = {"bank_account": ident.bank_account_reason, "person_name": ident.person_name_reason,
                     "org_name": ident.org_name_reason}  # fmt: skip


# --- towns -----------------------------------------------------------------------------------------


def town_reason(town: pl.Expr, district: pl.Expr | None, towns: dict[str, frozenset[str]]) -> pl.Expr:
    """``towns``: district code → its 街镇 names (the ``towns`` reference table)."""
    all_towns = sorted({t for ts in towns.values() for t in ts})
    pairs = [f"{d}|{t}" for d, ts in towns.items() for t in ts]
    unknown = pl.when(town.is_not_null() & ~town.is_in(all_towns)).then(
        pl.lit("未知的街镇（须为金山区、崇明区的街道/镇/乡名称，见 jiuye tables towns）")
    )
    if district is None:
        return unknown.otherwise(_null_str())
    return (
        unknown.when(town.is_not_null() & district.is_null())
        .then(pl.lit("填写了街镇但未填写所属区"))
        .when(town.is_not_null() & ~(district + "|" + town).is_in(pairs))
        .then(pl.lit("街镇不属于该区"))
        .otherwise(_null_str())
    )


# --- enums -----------------------------------------------------------------------------------------


def enum_mapping(
    allowed: tuple[str, ...], labels: dict[str, str], aliases: dict[str, str] | None = None
) -> dict[str, str]:
    """Accepted text (case-folded) → stored code: the code itself and its Chinese label; for districts
    also the label without 区/新区 (金山, 浦东)."""
    mapping: dict[str, str] = {}
    for value in allowed:
        mapping[value.casefold()] = value
    for value, label in labels.items():
        mapping[label.casefold()] = value
        for suffix in ("新区", "区"):
            if label.endswith(suffix) and len(label) > len(suffix) + 1:
                mapping.setdefault(label.removesuffix(suffix).casefold(), value)
    for alias, value in (aliases or {}).items():
        mapping.setdefault(alias.casefold(), value)
    return mapping


def parse_enum(
    col: pl.Expr, allowed: tuple[str, ...], labels: dict[str, str], aliases: dict[str, str] | None = None
) -> pl.Expr:
    mapping = enum_mapping(allowed, labels, aliases)
    return col.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.String)


def enum_reason(
    col: pl.Expr, allowed: tuple[str, ...], labels: dict[str, str], parsed: pl.Expr | None = None
) -> pl.Expr:
    shown = "、".join(labels.get(v, v) for v in allowed)
    value = parse_enum(col, allowed, labels) if parsed is None else parsed
    return (
        pl.when(col.is_not_null() & value.is_null())
        .then(pl.lit(f"不是允许的取值（可选：{shown}）"))
        .otherwise(_null_str())
    )
