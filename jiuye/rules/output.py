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

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import polars as pl

from jiuye.rules.dates import format_month
from jiuye.rules.jsonio import dumps
from jiuye.rules.money import fen_to_json_number

if TYPE_CHECKING:
    from jiuye.rules.engine import Result

STEP = "  "
# explanation rows (one per measure and subject, ~2.4 kB of text each) rendered per step by result_chunks: a
# step holds ~12 MB whatever the case's size, never the whole text (~1 GB at 20,000 persons); 5,000 rather than
# 1,000 saves ~12 % of the CPU in per-step overhead (110,000 rows, alternating, load 20)
EXPLANATION_SLICE = 5000


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


def _object(members: list[tuple[str, pl.Expr | list[pl.Expr], pl.Expr | None]], level: int | None) -> pl.Expr:
    """JSON object text at nesting ``level`` (0 = top; None = compact).  ``members``: (key, value text, keep) —
    a member whose ``keep`` is false is left out (``None``: always kept); a value may be given as parts.

    One ``concat_str`` over all parts when the first member is always kept: the large values (explanations'
    condition lists) are copied once, not again by a slice and a wrapping concatenation."""
    sep, close = _separators(level)
    parts: list[pl.Expr] = [pl.lit("{")]
    for i, (key, value, keep) in enumerate(members):
        lead = sep if i else sep[1:] if level is not None else ""  # the first member has no comma before it
        values = value if isinstance(value, list) else [value]
        if keep is None:
            parts += [pl.lit(f'{lead}"{key}": '), *values]
        else:
            parts.append(pl.when(keep).then(pl.concat_str(pl.lit(f'{sep}"{key}": '), *values)).otherwise(pl.lit("")))
    if members and members[0][2] is not None:
        # the first member may be left out: every member starts with its separator; drop the first comma (and,
        # compact, its space)
        body = pl.concat_str(parts[1:]).str.slice(1 if level is not None else len(sep))
        return pl.concat_str(pl.lit("{"), body, pl.lit(close + "}"))
    return pl.concat_str([*parts, pl.lit(close + "}")])


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


def _entitlement_object(level: int | None) -> pl.Expr:
    month = pl.col("month").dt.strftime("%Y-%m")
    return _object([
        ("policy", json_string(pl.col("policy")), None), ("beneficiary", json_string(pl.col("beneficiary")), None),
        ("subject", json_string(pl.col("subject")), None), ("month", json_string(month), None),
        ("amount", json_yuan(pl.col("amount_fen")), None), ("status", json_string(pl.col("status")), None),
    ], level)  # fmt: skip


def entitlement_texts(frame: pl.DataFrame, level: int | None) -> list[str]:
    if frame.is_empty():
        return []
    return frame.select(_entitlement_object(level)).to_series().to_list()


CONDITION_MEMBERS = ("text", "met", "detail", "clause", "hint")  # engine.CONDITION_STRUCT, in its order


def explanation_texts(frame: pl.DataFrame, level: int | None) -> pl.Series:
    """Each explanation row as the UTF-8 bytes of its JSON object text (``reading`` left out when empty, a
    condition's null members left out, as :meth:`Result.to_json` does).  ``level``: of the array holding them
    (None: compact).

    Each distinct condition (text, met, detail, clause, hint) is written once and joined back: the same
    condition recurs for many subjects (130,000 conditions of 20,000 explanations hold ~12,000 distinct
    ones), and writing one costs five JSON string encodings."""
    if frame.is_empty():
        return pl.Series([], dtype=pl.Binary)
    c = pl.col("_c")
    condition = _object([
        (name, (json_bool if name == "met" else json_string)(c.struct.field(name)), c.struct.field(name).is_not_null())
        for name in CONDITION_MEMBERS
    ], _deeper(level, 3))  # fmt: skip
    sep, close = _separators(_deeper(level, 2))
    first = "" if level is None else sep[1:]
    rows = frame.with_row_index("_r")
    # rows with an empty list are left out before exploding: every exploded row is an element of its list
    elements = rows.filter(pl.col("conditions").list.len() > 0).select("_r", _c="conditions").explode("_c")
    distinct = elements.select("_c").unique().with_columns(_j=condition)
    written = (
        elements.join(distinct, on="_c", how="left", nulls_equal=True, maintain_order="left")
        .group_by("_r", maintain_order=True).agg(_conditions=pl.col("_j").str.join(sep))
    )  # fmt: skip
    empty = pl.col("conditions").list.len() == 0
    conditions = [  # as parts: the joined list is copied once, into the object's text
        pl.when(empty).then(pl.lit("[]")).otherwise(pl.lit("[" + first)), pl.col("_conditions").fill_null(""),
        pl.when(empty).then(pl.lit("")).otherwise(pl.lit(close + "]")),
    ]  # fmt: skip
    reading = pl.col("reading")
    text = _object([
        ("policy", json_string(pl.col("policy")), None), ("subject", json_string(pl.col("subject")), None),
        ("eligible", json_bool(pl.col("eligible")), None), ("conditions", conditions, None),
        ("clause", json_string(pl.col("clause")), None),
        ("reading", json_string(reading), reading.is_not_null() & (reading != "")),
    ], _deeper(level, 1))  # fmt: skip
    joined = rows.join(written, on="_r", how="left", maintain_order="left")
    return joined.select(text.cast(pl.Binary)).to_series()


def result_text(result: Result, indent: int | None = 2, extra: dict[str, Any] | None = None) -> str:
    """``dumps(result.to_json() | extra, indent=indent)``; written from columns when ``indent`` is 2 (the CLI)
    or None (compact: the evaluate API).  ``extra``: members after the result's own (e.g. warnings)."""
    return b"".join(result_chunks(result, indent, extra)).decode()


def write_result(
    result: Result, out: BinaryIO, indent: int | None = 2, extra: dict[str, Any] | None = None
) -> None:
    """Write the UTF-8 bytes of :func:`result_text` to ``out`` step by step: the memory of one step of
    :data:`EXPLANATION_SLICE` explanations, not of the whole text (what lets a large case be explained)."""
    for chunk in result_chunks(result, indent, extra):
        out.write(chunk)


def result_chunks(
    result: Result, indent: int | None = 2, extra: dict[str, Any] | None = None
) -> Iterator[bytes]:
    """The UTF-8 text of :func:`result_text` in pieces; explanations :data:`EXPLANATION_SLICE` at a time, joined
    and encoded inside Polars (no Python string per explanation)."""
    if indent not in (2, None):
        yield dumps(result.to_json() | (extra or {}), indent=indent).encode()
        return
    level = None if indent is None else 1
    key = "" if indent is None else "\n" + STEP
    between = "," if indent is not None else ", "
    yield (
        "{" + f'{key}"entitlements": ' + _array(entitlement_texts(result.entitlements, _deeper(level, 1)), level)
        + between + f'{key}"findings": ' + _reindent(dumps(result.findings.to_dicts(), indent=indent), level)
    ).encode()  # fmt: skip
    if result.explanations is not None:
        yield (between + f'{key}"explanations": ').encode()
        yield from _array_chunks(result.explanations, level)
    for name, value in (extra or {}).items():
        yield (between + f"{key}{dumps(name)}: " + _reindent(dumps(value, indent=indent), level)).encode()
    yield b"\n}" if indent is not None else b"}"


def _array_chunks(frame: pl.DataFrame, level: int | None) -> Iterator[bytes]:
    """The bytes of the explanations array (``_array`` of their texts at ``level``), a slice of rows at a time."""
    if frame.is_empty():
        yield b"[]"
        return
    sep, close = _separators(level)
    yield ("[" + ("" if level is None else sep[1:])).encode()
    # bytes joined in Python: Polars' str.join of a slice costs more than writing the texts themselves
    between = sep.encode()
    for i, part in enumerate(frame.iter_slices(EXPLANATION_SLICE)):
        texts = explanation_texts(part, level).to_list()
        yield between.join(texts) if not i else between + between.join(texts)
    yield (close + "]").encode()


def compact_texts(
    entitlements: pl.DataFrame, findings: Sequence[pl.DataFrame], explanations: pl.DataFrame | None, case: str,
    extras: Sequence[dict[str, Any] | None],
) -> list[bytes]:
    """The texts of many results at once: for case *i* (``0 ≤ i < len(findings)``) the bytes of
    ``result_text(its result, indent=None, extra=extras[i])`` (the evaluate API's compact text).

    ``entitlements`` and ``explanations`` hold the rows of every case, in each case's order, the integer
    column ``case`` naming the case of a row (the micro-batcher's merged result): every line and every
    explanation is written in one query for all cases, then joined per case; ``findings`` (small) are given
    per case.  A test checks the texts against :func:`result_text` of each case's own result."""
    n = len(findings)
    lines = _joined(entitlements, case, entitlements.select(_entitlement_object(None).cast(pl.Binary)).to_series(), n)
    explained = None if explanations is None else _joined(explanations, case, explanation_texts(explanations, None), n)
    out = []
    for i in range(n):
        found = b"[]" if findings[i].is_empty() else dumps(findings[i].to_dicts(), indent=None).encode()  # most: none
        parts = [b'{"entitlements": [', lines[i], b'], "findings": ', found]
        if explained is not None:
            parts += [b', "explanations": [', explained[i], b"]"]
        for name, value in (extras[i] or {}).items():
            parts += [b", ", dumps(name).encode(), b": ", dumps(value, indent=None).encode()]
        parts.append(b"}")
        out.append(b"".join(parts))
    return out


def _joined(frame: pl.DataFrame, case: str, texts: pl.Series, n: int) -> list[bytes]:
    """``texts`` (UTF-8 bytes, one per row of ``frame``) joined with ``", "`` per case, in row order; b"" for a
    case with none.  Bytes throughout: no decoding to Python strings and encoding back (~1 ms per case)."""
    out = [b""] * n
    if frame.is_empty():
        return out
    grouped = pl.DataFrame({"_k": frame[case], "_t": texts}).group_by("_k", maintain_order=True).agg(pl.col("_t"))
    between = b", "
    for k, items in zip(grouped["_k"].to_list(), grouped["_t"].to_list(), strict=True):
        out[k] = between.join(items)
    return out


# --------------------------------------------------------------------------- dicts (Result.to_json)
def result_dicts(
    entitlements: pl.DataFrame, findings: Sequence[pl.DataFrame], explanations: pl.DataFrame | None,
    case: str | None = None,
) -> list[dict[str, Any]]:
    """``Result.to_json()`` of each case, read by columns: for case *i* (``0 ≤ i < len(findings)``) the dict of
    its entitlement lines, ``findings[i]`` and its explanations.  With ``case`` (the integer column naming each
    row's case, the micro-batcher's merged result) the rows of every case are read at once and dealt out by
    it; without, every row is the one case's.

    Each column is converted to Python values in one call, the explanations' conditions unnested first: the
    row-by-row reading converted every condition struct on its own (most of the time of a one-person case's
    dicts)."""
    n = len(findings)
    lines = _dealt(entitlements, case, n, _entitlement_dicts(entitlements))
    out: list[dict[str, Any]] = [
        {"entitlements": lines[i], "findings": findings[i].to_dicts()} for i in range(n)
    ]
    if explanations is not None:
        for i, explained in enumerate(_dealt(explanations, case, n, _explanation_dicts(explanations, case))):
            out[i]["explanations"] = explained
    return out


def _dealt(frame: pl.DataFrame, case: str | None, n: int, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``rows`` (one per row of ``frame``) as one list per case, in row order."""
    if case is None:
        return [rows]
    out: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for k, row in zip(frame[case].to_list(), rows, strict=True):
        out[k].append(row)
    return out


def _entitlement_dicts(frame: pl.DataFrame) -> list[dict[str, Any]]:
    names = ("policy", "beneficiary", "subject", "month", "amount_fen", "status")
    return [
        {"policy": policy, "beneficiary": beneficiary, "subject": subject, "month": format_month(month),
         "amount": None if fen is None else fen_to_json_number(fen), "status": status}
        for policy, beneficiary, subject, month, fen, status in zip(*(frame[c].to_list() for c in names), strict=True)
    ]  # fmt: skip


def _explanation_dicts(frame: pl.DataFrame, case: str | None) -> list[dict[str, Any]]:
    """Each explanation row as a dict of its columns in their order (``reading`` left out when empty), its
    conditions without their null members."""
    names = [c for c in frame.columns if c != case]
    conditions = frame["conditions"]
    counts = conditions.list.len()
    flat = (conditions if bool(counts.min()) else conditions.filter(counts > 0)).explode().struct.unnest()
    members = flat.columns
    # zip not strict: every column has the rows of ``flat`` (a strict zip costs half the time of these dicts)
    every = [
        {k: v for k, v in zip(members, values, strict=False) if v is not None}
        for values in zip(*(flat[m].to_list() for m in members), strict=False)
    ]
    listed, at = [], 0
    for count in counts.to_list():
        listed.append(every[at : at + count])
        at += count
    columns = [listed if name == "conditions" else frame[name].to_list() for name in names]
    out = []
    for values in zip(*columns, strict=True):
        row = dict(zip(names, values, strict=True))
        if "reading" in row and not row["reading"]:
            del row["reading"]
        out.append(row)
    return out
