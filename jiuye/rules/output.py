"""Case-format output written from columns (issue 11): the text of ``dumps(result.to_json(), indent=2)`` (the
CLI) or ``indent=None`` (the evaluate API, compact) without building one Python dict per line, explanation
and condition.

Every explanation (and every entitlement line) becomes its JSON text inside Polars: string values are
escaped by Polars' JSON encoder (``struct.json_encode``), booleans, numbers and nulls are written as JSON
literals, and the indentation is the one Python's ``json.dumps(..., indent=2)`` gives at that depth.  The
small parts (findings) go through :func:`jiuye.rules.jsonio.dumps` and are re-indented.  A test checks that the
text equals the dict path's on random results, including strings with quotes, backslashes, control
characters and non-ASCII text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from jiuye.rules.jsonio import dumps

if TYPE_CHECKING:
    from jiuye.rules.engine import Result

STEP = "  "


def json_string(expr: pl.Expr) -> pl.Expr:
    """A string column as JSON text (escaped and quoted); null → ``null``."""
    encoded = pl.struct(expr.cast(pl.String).alias("v")).struct.json_encode()
    return pl.when(expr.is_null()).then(pl.lit("null")).otherwise(encoded.str.slice(5, encoded.str.len_chars() - 6))


def json_bool(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.is_null()).then(pl.lit("null")).when(expr).then(pl.lit("true")).otherwise(pl.lit("false"))


def json_yuan(fen: pl.Expr) -> pl.Expr:
    """Integer fen as the JSON number :func:`jiuye.rules.money.fen_to_json_number` writes: 100000 → ``1000``,
    2000050 → ``20000.5``, 2000001 → ``20000.01``; null → ``null``."""
    magnitude = fen.abs()
    whole = (magnitude // 100).cast(pl.String)
    cents = (magnitude % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    text = pl.when(cents == "").then(whole).otherwise(pl.concat_str(whole, pl.lit("."), cents))
    signed = pl.when(fen < 0).then(pl.concat_str(pl.lit("-"), text)).otherwise(text)
    return pl.when(fen.is_null()).then(pl.lit("null")).otherwise(signed)


def _separators(level: int | None) -> tuple[str, str]:
    """(between members, before the closing bracket) at nesting ``level``; ``None``: compact, as
    ``json.dumps(indent=None)`` writes (``", "`` between members, nothing before the bracket)."""
    if level is None:
        return ", ", ""
    return ",\n" + STEP * (level + 1), "\n" + STEP * level


def _object(members: list[tuple[str, pl.Expr, pl.Expr | None]], level: int | None) -> pl.Expr:
    """JSON object text at nesting ``level`` (0 = top; None = compact).  ``members``: (key, value text, keep) —
    a member whose ``keep`` is false is left out (``None``: always kept)."""
    sep, close = _separators(level)
    parts: list[pl.Expr] = []
    for key, value, keep in members:
        member = pl.concat_str(pl.lit(f'{sep}"{key}": '), value)
        parts.append(member if keep is None else pl.when(keep).then(member).otherwise(pl.lit("")))
    # every member starts with its separator: drop the first one's comma (and, compact, its space)
    body = pl.concat_str(parts).str.slice(1 if level is not None else len(sep))
    return pl.concat_str(pl.lit("{"), body, pl.lit(close + "}"))


def _array(items: list[str], level: int | None) -> str:
    if not items:
        return "[]"
    sep, close = _separators(level)
    first = "" if level is None else sep[1:]
    return "[" + first + sep.join(items) + close + "]"


def _reindent(text: str, level: int | None) -> str:
    return text if level is None else text.replace("\n", "\n" + STEP * level)


def _deeper(level: int | None, by: int) -> int | None:
    return None if level is None else level + by


def entitlement_texts(frame: pl.DataFrame, level: int | None) -> list[str]:
    if frame.is_empty():
        return []
    month = pl.col("month").dt.strftime("%Y-%m")
    return frame.select(_object([
        ("policy", json_string(pl.col("policy")), None), ("beneficiary", json_string(pl.col("beneficiary")), None),
        ("subject", json_string(pl.col("subject")), None), ("month", json_string(month), None),
        ("amount", json_yuan(pl.col("amount_fen")), None), ("status", json_string(pl.col("status")), None),
    ], level)).to_series().to_list()  # fmt: skip


CONDITION_MEMBERS = ("text", "met", "detail", "clause", "hint")  # engine.CONDITION_STRUCT, in its order


def explanation_texts(frame: pl.DataFrame, level: int | None) -> list[str]:
    """Each explanation row as its JSON object text (``reading`` left out when empty, a condition's null
    members left out, as :meth:`Result.to_json` does).  ``level``: of the array holding them (None: compact)."""
    if frame.is_empty():
        return []
    e = pl.element()
    condition = _object([
        (name, (json_bool if name == "met" else json_string)(e.struct.field(name)), e.struct.field(name).is_not_null())
        for name in CONDITION_MEMBERS
    ], _deeper(level, 3))  # fmt: skip
    sep, close = _separators(_deeper(level, 2))
    first = "" if level is None else sep[1:]
    conditions = (
        pl.when(pl.col("conditions").list.len() == 0).then(pl.lit("[]"))
        .otherwise(pl.concat_str(pl.lit("[" + first), pl.col("conditions").list.eval(condition).list.join(sep),
                                 pl.lit(close + "]")))
    )  # fmt: skip
    reading = pl.col("reading")
    return frame.select(_object([
        ("policy", json_string(pl.col("policy")), None), ("subject", json_string(pl.col("subject")), None),
        ("eligible", json_bool(pl.col("eligible")), None), ("conditions", conditions, None),
        ("clause", json_string(pl.col("clause")), None),
        ("reading", json_string(reading), reading.is_not_null() & (reading != "")),
    ], _deeper(level, 1))).to_series().to_list()  # fmt: skip


def result_text(result: Result, indent: int | None = 2, extra: dict[str, Any] | None = None) -> str:
    """``dumps(result.to_json() | extra, indent=indent)``; written from columns when ``indent`` is 2 (the CLI)
    or None (compact: the evaluate API).  ``extra``: members after the result's own (e.g. warnings)."""
    if indent not in (2, None):
        return dumps(result.to_json() | (extra or {}), indent=indent)
    level = None if indent is None else 1
    key = "" if indent is None else "\n" + STEP
    members = [
        f'{key}"entitlements": ' + _array(entitlement_texts(result.entitlements, _deeper(level, 1)), level),
        f'{key}"findings": ' + _reindent(dumps(result.findings.to_dicts(), indent=indent), level),
    ]
    if result.explanations is not None:
        members.append(f'{key}"explanations": ' + _array(explanation_texts(result.explanations, level), level))
    for name, value in (extra or {}).items():
        members.append(f"{key}{dumps(name)}: " + _reindent(dumps(value, indent=indent), level))
    return "{" + ("," if indent is not None else ", ").join(members) + ("\n}" if indent is not None else "}")
