"""Validation of import files, complete before anything is written.

A file's sheets are matched to registry tables by their headers (:func:`identify`), every cell is typed
and checked with whole-column Polars expressions (:func:`check_piece`), and then the whole file set is
checked together: duplicates of a natural key and references to rows that exist neither in the files
nor in the database (:func:`check_set`).

Every problem is one row of a problems frame: file, sheet, row, column (the header as written in the
file), value (as written) and a Chinese reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import polars as pl

from jiuye.registry.importing import checks
from jiuye.registry.importing.readers import ROW, ReadError, Sheet
from jiuye.registry.schema import ENUM_ALIASES, ENUM_LABELS, ENUMS, TABLES, Column, Table, dependency_order
from jiuye.rules import identifiers as ident

PROBLEM_SCHEMA: dict[str, type[pl.DataType]] = {
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}

# The database dtype each schema column type is typed to.
DTYPES: dict[str, type[pl.DataType]] = {
    "str": pl.String, "date": pl.Date, "month": pl.Date, "bool": pl.Boolean, "int": pl.Int64,
    "money": pl.Int64, "enum": pl.String, "town": pl.String,
}  # fmt: skip

# Period columns: (start, end) pairs checked for order.
PERIODS: tuple[tuple[str, str], ...] = (("start", "end"), ("registered_on", "ended_on"))


class LayoutError(ReadError):
    """The headers of a sheet fit no registry table (or several equally)."""


def importable_tables() -> dict[str, Table]:
    """Tables a user may import: the registry's own data tables, in dependency order.

    Not reference data (区, 街镇 — loaded by ``jiuye db upgrade``), and not tables other parts of the
    system declare later with ``schema.register`` for their own results (e.g. ``flags`` of fund
    supervision): those are written by their services with an audit trail, never by file import.
    Those declare ``importable=False``.
    """
    return {name: TABLES[name] for name in dependency_order() if TABLES[name].importable and not TABLES[name].reference_data}


def _norm(text: str) -> str:
    return "".join(str(text).split()).lower()


def _table_hints(table: Table) -> set[str]:
    return {_norm(table.name), _norm(table.title)}


@dataclass
class Piece:
    """One sheet of one input file matched to one table."""

    sheet: Sheet
    table: Table
    headers: dict[str, str]  # logical column → header as written in the file
    ignored: list[str] = field(default_factory=list)  # headers that name no column of the table
    typed: pl.DataFrame | None = None  # ROW + every logical column, typed
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PROBLEM_SCHEMA))

    @property
    def raw(self) -> pl.DataFrame:
        """ROW + the mapped columns under their logical names, as text."""
        return self.sheet.frame.select(
            pl.col(ROW), *[pl.col(h).alias(c) for c, h in self.headers.items()]
        )

    def header(self, column: str) -> str:
        return self.headers.get(column) or self.table.column(column).header


def identify(sheet: Sheet, forced: str | None = None) -> Piece:
    """Match a sheet's headers to a table.  Raises :class:`LayoutError` with a Chinese explanation."""
    headers = [c for c in sheet.frame.columns if c != ROW]
    tables = importable_tables()
    if forced is not None:
        if forced not in tables:
            raise LayoutError(f"未知的表：{forced}（可选：{'、'.join(tables)}）")
        return _fit(sheet, tables[forced], headers, strict=True)
    hints = {_norm(sheet.path.stem)} | ({_norm(sheet.sheet)} if sheet.sheet else set())
    for table in tables.values():
        if _table_hints(table) & hints:
            return _fit(sheet, table, headers, strict=True)
    fits: list[tuple[int, int, Piece]] = []
    for table in tables.values():
        try:
            piece = _fit(sheet, table, headers, strict=True)
        except LayoutError:
            continue
        fits.append((len(piece.headers), -len(piece.ignored), piece))
    if not fits:
        shown = "、".join(headers[:12]) + ("…" if len(headers) > 12 else "")
        raise LayoutError(
            f"{sheet.where}：无法识别的表头（{shown}），不符合任何一张表的格式；"
            "请使用 jiuye import --template 目录 生成的模板，或用 --table 指定表"
        )
    fits.sort(key=lambda f: (f[0], f[1]), reverse=True)
    best = fits[0]
    tied = [f[2].table for f in fits if (f[0], f[1]) == (best[0], best[1])]
    if len(tied) > 1:
        names = "、".join(f"{t.title}（{t.name}）" for t in tied)
        raise LayoutError(
            f"{sheet.where}：表头同时符合多张表：{names}；请将文件（或工作表）命名为表名，或用 --table 指定"
        )
    return best[2]


def _fit(sheet: Sheet, table: Table, headers: list[str], strict: bool) -> Piece:
    matched = table.match_headers(headers)
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for h in headers:
        col = matched.get(h)
        if col is None or col in mapping:
            ignored.append(h)
        else:
            mapping[col] = h
    needed = [c for c in table.columns if (c.required or c.name in table.key) and c.name not in mapping]
    if needed and strict:
        missing = "、".join(c.header for c in needed)
        raise LayoutError(f"{sheet.where}：按“{table.title}”（{table.name}）表读取，但缺少必填列：{missing}")
    return Piece(sheet=sheet, table=table, headers=mapping, ignored=ignored)


# --- per-cell checks ----------------------------------------------------------------------------------


def _text_length_reason(col: pl.Expr, length: int) -> pl.Expr:
    return (
        pl.when(col.str.len_chars() > length)
        .then(pl.lit(f"超过{length}个字符"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def column_exprs(column: Column, typed: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, reason) expressions for one logical column, reading the text column of that name.

    ``typed``: where the typed value is already available (a column computed in an earlier step), so
    the reason does not parse the text again.
    """
    c = pl.col(column.name)
    none = pl.lit(None, dtype=pl.String)
    value: pl.Expr
    reason: pl.Expr
    if column.id_number:  # already normalised by normalize_exprs
        value = c
        reason = checks.id_number_reason(c)
    elif column.credit_code:
        value = c
        reason = checks.credit_code_reason(c)
    elif column.plausible is not None:
        value = c
        reason = checks.PLAUSIBLE_REASONS[column.plausible](c)
    elif column.type == "str":
        value = c
        reason = _text_length_reason(c, column.length) if column.length else none
    elif column.type == "date":
        value = checks.parse_date(c)
        reason = checks.date_reason(c, typed)
    elif column.type == "month":
        value = checks.parse_month(c)
        reason = checks.month_reason(c, typed)
    elif column.type == "bool":
        value = checks.parse_bool(c)
        reason = checks.bool_reason(c, typed)
    elif column.type == "int":
        value = checks.parse_int(c)
        reason = checks.int_reason(c, typed)
    elif column.type == "money":
        value, reason = checks.parse_money(c, "yuan"), checks.money_reason(c, "yuan", column.max_yuan)
    elif column.type == "enum":
        assert column.enum is not None
        allowed, labels = ENUMS[column.enum], ENUM_LABELS.get(column.enum, {})
        value = checks.parse_enum(c, allowed, labels, ENUM_ALIASES.get(column.enum))
        reason = checks.enum_reason(c, allowed, labels, typed)
    elif column.type == "town":
        value, reason = c, none  # checked together with its district in check_piece
    else:  # pragma: no cover - schema._check forbids it
        raise ValueError(column.type)
    if column.required:
        reason = pl.when(pl.col(column.name).is_null()).then(pl.lit("必填项为空")).otherwise(reason)
    return value.cast(DTYPES[column.type]), reason


def normalize_exprs(table: Table) -> list[pl.Expr]:
    """Identifier columns are normalised (blanks dropped, x → X) once, before the many checks read them."""
    out = []
    for col in table.columns:
        if col.id_number:
            out.append(checks.normalize_id_number(pl.col(col.name)).alias(col.name))
        elif col.credit_code:
            out.append(checks.normalize_credit_code(pl.col(col.name)).alias(col.name))
        elif col.plausible == "bank_account":
            out.append(ident.normalize_bank_account_expr(pl.col(col.name)).alias(col.name))
    return out


def _typed_name(name: str) -> str:
    return f"__v_{name}"


def _reason_name(name: str) -> str:
    return f"__e_{name}"


def column_flag(column: Column, raw: pl.Expr, typed: pl.Expr) -> pl.Expr:
    """Cheap test that is true for every cell :func:`column_exprs` could find a problem in (it may also be
    true for a few good cells).  Only flagged rows get their reasons computed."""
    flag: pl.Expr
    if column.id_number:
        flag = ~checks.id_number_valid(raw)
    elif column.credit_code:
        flag = ~checks.credit_code_valid(raw)
    elif column.plausible is not None:
        flag = checks.PLAUSIBLE_REASONS[column.plausible](raw).is_not_null()
    elif column.type == "str":
        flag = raw.str.len_chars() > column.length if column.length else pl.lit(False)
    elif column.type == "date":
        flag = raw.is_not_null() & (
            typed.is_null() | (typed < pl.date(1900, 1, 1)) | (typed > pl.date(2100, 12, 31))
        )
    elif column.type == "month":
        flag = raw.is_not_null() & (typed.is_null() | (typed < pl.date(1900, 1, 1)))
    elif column.type == "money":
        flag = raw.is_not_null() & (typed.is_null() | (typed < 0))
        if column.max_yuan is not None:
            flag = flag | (typed > column.max_yuan * 100)
    elif column.type in ("bool", "int", "enum"):
        flag = raw.is_not_null() & typed.is_null()
    else:
        flag = pl.lit(False)
    if column.required:
        flag = flag | raw.is_null()
    return flag.fill_null(True)


# From this many rows on, each column is typed and flagged once per distinct text, then joined back: a
# month, an amount, an employer's credit code repeat millions of times in an insurance file.
DISTINCT_MIN_ROWS = 50_000


def _type_columns(table: Table, raw: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.Expr], list[pl.Expr]]:
    """``raw`` with identifier columns normalised, and (typed value, suspect flag) expressions per column.

    Columns with few distinct texts are typed and flagged once per distinct text: the typed value
    (``__v_<name>``) and flag (``__f_<name>``) are then columns of the returned frame already.
    """
    normalizers = {e.meta.output_name(): e for e in normalize_exprs(table)}
    values: list[pl.Expr] = []
    flags: list[pl.Expr] = []
    direct: list[Column] = []
    for col in table.columns:
        name = col.name
        distinct = raw.select(pl.col(name).unique()) if raw.height >= DISTINCT_MIN_ROWS else None
        if distinct is None or distinct.height * 4 > raw.height:
            direct.append(col)
            continue
        value = column_exprs(col)[0].alias(_typed_name(name))
        flag = f"__f_{name}"
        typed = (
            distinct.with_columns(pl.col(name).alias("__k"))
            .with_columns(normalizers.get(name, pl.col(name)))
            .with_columns(value)
            .with_columns(column_flag(col, pl.col(name), pl.col(_typed_name(name))).alias(flag))
        )
        raw = (
            raw.join(typed, left_on=name, right_on="__k", how="left", nulls_equal=True, maintain_order="left")
            .drop(name)
            .rename({f"{name}_right": name})
        )
        flags.append(pl.col(flag))
    normalize = [normalizers[c.name] for c in direct if c.name in normalizers]
    if normalize:
        raw = raw.with_columns(normalize)
    values += [column_exprs(col)[0].alias(_typed_name(col.name)) for col in direct]
    flags += [column_flag(col, pl.col(col.name), pl.col(_typed_name(col.name))) for col in direct]
    return raw, values, flags


def check_piece(piece: Piece, towns: dict[str, frozenset[str]]) -> None:
    """Type every cell of ``piece`` and record per-row problems (in place: ``typed``, ``problems``).

    Whole-column work only: every cell is typed and given a cheap pass/suspect flag; the Chinese
    reasons are then computed only for the (normally few) suspect rows.
    """
    table = piece.table
    raw = piece.raw
    for col in table.columns:  # absent optional columns are empty
        if col.name not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(col.name))
    v = lambda n: pl.col(_typed_name(n))  # noqa: E731
    raw, values, flags = _type_columns(table, raw)

    # Cross-column checks on typed values: (column, suspect flag, reason).
    extra: list[tuple[str, pl.Expr, pl.Expr]] = []
    names = set(table.column_names)
    none = pl.lit(None, dtype=pl.String)
    for col in table.columns:
        if col.type == "town":
            assert col.district_column is not None
            # An unreadable district is reported on its own column; the town is then not judged.
            reason = pl.when(pl.col(col.district_column).is_not_null() & v(col.district_column).is_null()).then(
                pl.lit(None, dtype=pl.String)
            ).otherwise(checks.town_reason(v(col.name), v(col.district_column), towns))
            pairs = [f"{d}|{t}" for d, ts in towns.items() for t in ts]
            flag = v(col.name).is_not_null() & ~(v(col.district_column) + "|" + v(col.name)).is_in(pairs)
            extra.append((col.name, flag.fill_null(True), reason))
    id_cols = [c.name for c in table.columns if c.id_number and c.ref is None]
    if id_cols and {"birth_date", "gender"} <= names:
        idn = v(id_cols[0])
        ok = checks.id_number_valid(idn) & idn.is_not_null()
        born = ident.id_birth_date(idn)
        flag = ok & v("birth_date").is_not_null() & (v("birth_date") != born)
        extra.append((
            "birth_date", flag.fill_null(False),
            pl.when(flag).then(pl.format("出生日期与身份证号码不符（身份证号码中为 {}）", born.cast(pl.String)))
            .otherwise(none),
        ))  # fmt: skip
        gender_label = ident.id_gender(idn).replace_strict(ENUM_LABELS["gender"], return_dtype=pl.String)
        flag = ok & v("gender").is_not_null() & (v("gender") != ident.id_gender(idn))
        extra.append((
            "gender", flag.fill_null(False),
            pl.when(flag).then(pl.format("性别与身份证号码不符（身份证号码第17位表示{}）", gender_label))
            .otherwise(none),
        ))  # fmt: skip
    today = dt.date.today()
    for col in table.columns:
        if col.past_only:
            flag = (v(col.name) > pl.lit(today)).fill_null(False)
            text = f"{piece.header(col.name)}晚于今天（{today.isoformat()}），此列只能填写已经发生的日期。"
            extra.append((col.name, flag, pl.when(flag).then(pl.lit(text)).otherwise(none)))
    for start, end in PERIODS:
        if {start, end} <= names:
            flag = (v(end) < v(start)).fill_null(False)
            text = f"{piece.header(end)}早于{piece.header(start)}"
            extra.append((end, flag, pl.when(flag).then(pl.lit(text)).otherwise(none)))

    all_flags = flags + [f for _, f, _ in extra]
    frame = (
        raw.lazy()
        .with_columns(values)
        .with_columns(pl.any_horizontal(all_flags).alias("__suspect"))
        .collect()
    )
    piece.typed = frame.select(pl.col(ROW), *[v(c.name).alias(c.name) for c in table.columns])

    suspect = frame.filter(pl.col("__suspect"))
    if suspect.is_empty():
        piece.problems = pl.DataFrame(schema=PROBLEM_SCHEMA)
        return
    reasons = [
        column_exprs(col, v(col.name))[1].alias(_reason_name(col.name)) for col in table.columns
    ]
    suspect = suspect.with_columns(reasons)
    if extra:
        grouped: dict[str, list[pl.Expr]] = {}
        for name, _, expr in extra:
            grouped.setdefault(name, []).append(expr)
        suspect = suspect.with_columns(
            pl.coalesce(pl.col(_reason_name(name)), *exprs_).alias(_reason_name(name))
            for name, exprs_ in grouped.items()
        )
    problems = [
        suspect.filter(pl.col(_reason_name(col.name)).is_not_null()).select(
            pl.col(ROW).alias("row"),
            pl.lit(piece.header(col.name)).alias("column"),
            pl.col(col.name).alias("value"),
            pl.col(_reason_name(col.name)).alias("reason"),
        )
        for col in table.columns
    ]
    piece.problems = _with_place(piece, pl.concat(problems))


def _with_place(piece: Piece, problems: pl.DataFrame) -> pl.DataFrame:
    return problems.select(
        pl.lit(piece.sheet.path.name).alias("file"),
        pl.lit(piece.sheet.sheet, dtype=pl.String).alias("sheet"),
        pl.col("row").cast(pl.Int64),
        pl.col("column").cast(pl.String),
        pl.col("value").cast(pl.String),
        pl.col("reason").cast(pl.String),
    )


def bad_rows(piece: Piece) -> pl.Series:
    return piece.problems.get_column("row").unique()


# --- checks across the file set ----------------------------------------------------------------------

# (table, key column, values) → those of ``values`` that exist in the database.
KeyLookup = Callable[[Table, str, pl.Series], pl.Series]


def check_set(pieces: list[Piece], lookup: KeyLookup, skip_invalid: bool) -> None:
    """Duplicates across all pieces of a table, then dangling references, in dependency order.

    With ``skip_invalid`` a rejected row does not count as present, so rows that reference it are
    rejected too (they could not be written); otherwise every row with a readable key counts, so one
    bad person is reported once rather than again on each of their contracts.
    """
    by_table: dict[str, list[int]] = {}
    for i, p in enumerate(pieces):
        by_table.setdefault(p.table.name, []).append(i)
    present: dict[str, pl.Series] = {}  # table → natural key values available from the files
    rejected: dict[str, pl.Series] = {}  # table → natural key values of rejected rows (skip_invalid)
    for name in dependency_order():
        if name not in by_table:
            continue
        table = TABLES[name]
        idx = by_table[name]
        _check_duplicates(table, [pieces[i] for i in idx])
        for i in idx:
            _check_references(pieces[i], present, rejected, lookup)
        if len(table.key) == 1:
            key = table.key[0]
            kept, dropped = [], []
            for i in idx:
                p = pieces[i]
                assert p.typed is not None
                f = p.typed.select(pl.col(ROW), pl.col(key)).drop_nulls()
                if skip_invalid:
                    bad = pl.col(ROW).is_in(bad_rows(p).implode())
                    dropped.append(f.filter(bad).get_column(key))
                    f = f.filter(~bad)
                kept.append(f.get_column(key))
            present[name] = pl.concat(kept).unique()
            if dropped:
                rejected[name] = pl.concat(dropped).unique()


def _check_duplicates(table: Table, pieces: list[Piece]) -> None:
    key = list(table.key)
    frames = []
    for i, p in enumerate(pieces):
        assert p.typed is not None
        required_key = [k for k in key if table.column(k).required]
        f = p.typed.select(pl.col(ROW), *key).with_columns(pl.lit(i).alias("__piece"))
        if required_key:
            f = f.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in required_key))
        frames.append(f)
    allrows = pl.concat(frames)
    dups = allrows.filter(pl.struct(key).is_duplicated())
    if dups.is_empty():
        return
    # (Few rows from here on.)  Group by the key's text so that no struct/rank kernels are needed.
    places = {i: p.sheet.where for i, p in enumerate(pieces)}
    groups = dups.with_columns(
        pl.format("{} 第{}行", pl.col("__piece").replace_strict(places, return_dtype=pl.String), pl.col(ROW))
        .alias("__where"),
        pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in key], separator="\x1f").alias("__group"),
    )
    firsts = groups.group_by("__group").agg(pl.col("__where").alias("__all"))
    groups = groups.join(firsts, on="__group")
    headers = "、".join(pieces[0].header(k) for k in key)
    for i, p in enumerate(pieces):
        mine = groups.filter(pl.col("__piece") == i)
        if mine.is_empty():
            continue
        others = mine.with_columns(
            pl.col("__all").list.set_difference(pl.concat_list(pl.col("__where"))).list.join("、").alias("__o")
        )
        raw = p.raw
        first_key = key[0]
        found = others.join(raw.select(ROW, pl.col(first_key).alias("__value")), on=ROW, how="left").select(
            pl.col(ROW).alias("row"),
            pl.lit(p.header(first_key)).alias("column"),
            pl.col("__value").alias("value"),
            pl.when(pl.col("__o") == "")
            .then(pl.lit(f"重复：本次导入中另有一行的{headers}与此行相同（同一个文件可能被指定了两次）。"))
            .otherwise(pl.format("重复：与{}的{}相同。", pl.col("__o"), pl.lit(headers)))
            .alias("reason"),
        )
        p.problems = pl.concat([p.problems, _with_place(p, found)])


def _check_references(
    piece: Piece, present: dict[str, pl.Series], rejected: dict[str, pl.Series], lookup: KeyLookup
) -> None:
    assert piece.typed is not None
    found_problems: list[pl.DataFrame] = []
    already_bad = piece.problems.select("row", "column")
    for col in piece.table.references:
        assert col.ref is not None
        target = TABLES[col.ref.table]
        values = piece.typed.select(pl.col(ROW), pl.col(col.name)).drop_nulls()
        # Cells already reported (e.g. a bad checksum) are not reported again as dangling.
        values = values.join(
            already_bad.filter(pl.col("column") == piece.header(col.name)).select(pl.col("row").alias(ROW)),
            on=ROW,
            how="anti",
        )
        if values.is_empty():
            continue
        unique = values.get_column(col.name).unique()
        in_files = present.get(target.name)
        if in_files is not None:
            unique = unique.filter(~unique.is_in(in_files.implode()))
        missing = unique
        if not unique.is_empty():
            in_db = lookup(target, col.ref.column, unique)
            missing = unique.filter(~unique.is_in(in_db.implode()))
        if missing.is_empty():
            continue
        what = target.title
        dangling = values.filter(pl.col(col.name).is_in(missing.implode()))
        was_rejected = rejected.get(target.name, pl.Series(dtype=pl.String))
        found_problems.append(
            dangling.select(
                pl.col(ROW).alias("row"),
                pl.lit(piece.header(col.name)).alias("column"),
                pl.col(col.name).alias("value"),
                pl.when(pl.col(col.name).is_in(was_rejected.implode()))
                .then(pl.lit(f"引用的{what}在本次导入中被拒绝，且数据库中没有"))
                .otherwise(pl.lit(f"引用的{what}不存在（既不在本次导入的文件中，也不在数据库中）"))
                .alias("reason"),
            )
        )
    if found_problems:
        piece.problems = pl.concat([piece.problems, _with_place(piece, pl.concat(found_problems))])


def all_problems(pieces: Iterable[Piece]) -> pl.DataFrame:
    frames = [p.problems for p in pieces]
    if not frames:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    return pl.concat(frames).sort(["file", "sheet", "row"], nulls_last=False, maintain_order=True)
