"""The columnar case reader: case JSON bytes → :class:`~jiuye.rules.case.Case` by whole columns.

:func:`jiuye.rules.case.read_case` tries this reader first.  It parses with orjson, pulls every field of
every object kind out as one column
(flattened keys and values when the objects' keys come in one order, else ``map(dict.get, objects, …)`` — no
Python code per person), and checks whole columns, each object kind in one Polars query: value types,
required fields, dates and months, enums, money (exact to the fen), year and place ranges, ID numbers
(GB 11643, the column expressions of :mod:`jiuye.rules.identifiers`), unique ids and references.

It is a *conservative acceptor*: it either returns the very Case the detailed reader
(:func:`jiuye.rules.case.parse_case`) returns — same frames, parameters and warnings — or ``None``,
never a problem list of its own.  It declines (``None``) whenever anything is out of the ordinary:
any problem at all, an unknown field (a warning or a misspelling), a key twice in one object, a number
literal the float parser could round (long or with an exponent), a decimal parameter value.  The caller
then runs the detailed reader, which words every problem with its JSON path, so the messages exist in one
place only.  ``tests/rules/test_case_columns.py`` checks the agreement on random good and bad cases.
"""

from __future__ import annotations

import datetime as dt
import gc
import operator
import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain, compress, repeat
from typing import Any

import orjson
import polars as pl

from jiuye.rules.case import (
    MAX_AMOUNT_FEN,
    YEAR_RANGE,
    Case,
    _read_parameters,
    _Reader,
)
from jiuye.rules.dates import parse_month
from jiuye.rules.facts import ENUMS, SCHEMAS, Facts
from jiuye.rules.identifiers import id_birth_date, id_gender, id_number_reason, normalize_id_number_expr

BOM = b"\xef\xbb\xbf"
# orjson reads a number literal with a decimal point or an exponent as a float, which is the literal's exact
# decimal value (what the detailed reader's Decimal holds) only for short literals without exponent
_SHORT_FLOAT = 15  # digits and point: at most 14 significant digits, well inside a double's 15
# a point with k digits right before it and _SHORT_FLOAT - k right after (k = 0 … 15; the lookbehind has a
# fixed width): the pattern starts with a literal point, so `re` jumps from point to point in C
_LONG_POINT = re.compile(
    rb"\.(?:"
    + b"|".join(rb"(?<=[0-9]{%d}\.)[0-9]{%d}" % (k, _SHORT_FLOAT - k) for k in range(_SHORT_FLOAT + 1))
    + rb")"
)
_EXPONENT = (
    "[0-9][eE]"  # Rust's regex (a SIMD prefilter for these 20 pairs); `re` or a translate: 2–4× slower
)
_SLICE = 1 << 20  # the exponent scan's slice of the text
_ABS_INT = 10**15  # larger integers: let the detailed reader judge (64-bit range, exactness)
_DATE_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_MONTH_SHAPE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_ID_ALPHABET = (
    "^[0-9Xx\uff10-\uff19\uff38\uff58 \u3000\u00a0\t\r\n]+$"  # what normalize_id_number_expr handles alike
)

NONE = type(None)
_OK = "\x00ok"  # the checks' column in a table's query (no field's column name)


class _Decline(Exception):
    """Something the columnar reader does not vouch for: the detailed reader decides."""


def _need(ok: bool) -> None:
    if not ok:
        raise _Decline


def columnar_case_bytes(data: bytes) -> Case | None:
    """The Case of ``data`` when the columnar reader can vouch for it, else None."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not _short_float_literals(data):
        return None
    with _collector_paused():
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        try:
            # outside strings a ':' only ever follows a key, so the text holds at least as many ':' as keys; the
            # parsed objects must hold exactly that many keys (fewer: a key twice in one object, or a ':' inside
            # some string — declined alike)
            return _Columns(floats=True).case(parsed, keys_in_text=data.count(b":"))
        except _Decline:
            return None
        finally:
            # freed while the collector is still off: turned on with the parsed case alive, its first
            # collection would walk every one of the case's dicts and lists (40 ms at 20,000 persons)
            del parsed


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the parsed case exists: orjson and the column lists allocate
    millions of containers, none of them in a cycle, and every 700 allocations would start a collection that
    walks the growing heap (a third of the reader's time at 20,000 persons).  Process-wide, so a concurrent
    reader may see it off for a moment; only the one that turned it off turns it on again."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _short_float_literals(data: bytes) -> bool:
    """No number literal has an exponent (a digit directly followed by e/E, anywhere: a string may cause a
    needless decline, never a wrong accept) and every literal with a point is at most 15 characters (a point
    with 15 digits around it, anywhere, declines).  Both in C/Rust: a case with a decimal in every row has
    hundreds of thousands of points.  Text that is not UTF-8 declines (orjson would refuse it too)."""
    if _LONG_POINT.search(data):
        return False
    # a slice at a time: Polars' allocator keeps what it freed, and a copy of the whole text (and its String
    # cast) raised the peak of a 20,000-person run by 90 MB; each slice ends before an ASCII byte (whole UTF-8
    # characters) and reaches one byte into the next (a digit and its e across the cut)
    at, size = 0, len(data)
    while at < size:
        end = min(size, at + _SLICE)
        while end < size and data[end] >= 0x80:
            end += 1
        try:
            text = pl.Series([data[at : end + 1]], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.PolarsError:  # not UTF-8
            return False
        if text.str.contains(_EXPONENT).item() is not False:
            return False
        at = end
    return True


def _strict(values: list[Any], dtype: type[pl.String] | type[pl.Boolean]) -> pl.Series:
    """``values`` as one column when every one is None or exactly of the column's type (str; bool), else
    declined: Polars' strict constructor refuses any other value (a number or bool among strings, an int among
    bools, a dict or list) with TypeError, so the check costs no pass of its own over the values."""
    try:
        return pl.Series(values, dtype=dtype, strict=True)
    except TypeError:
        raise _Decline from None


def columnar_case(data: Any) -> Case | None:
    """The Case of already parsed JSON (ints and Decimals as :func:`load_case_text` gives them; floats are
    refused, as the detailed reader refuses them) when the columnar reader can vouch for it, else None."""
    try:
        return _Columns(floats=False).case(data, keys_in_text=None)
    except _Decline:
        return None


# field kinds: (json name, column, parse kind, required); bool fields default to False when absent
Field = tuple[str, str, str, bool]
REQ, OPT = True, False

PERSON_LISTS: dict[str, tuple[str, list[Field], str | None]] = {  # json list -> (table, fields, period)
    "education": ("education", [
        ("level", "level", "enum:education_level", REQ), ("full_time", "full_time", "bool", OPT),
        ("graduation_date", "graduation_date", "date", OPT), ("school_district", "school_district", "enum:district", OPT),
    ], None),
    "statuses": ("statuses", [
        ("kind", "kind", "enum:status_kind", REQ), ("from", "start", "date", REQ), ("to", "end", "date", OPT),
    ], "period"),
    "unemployment_registrations": ("unemployment", [("from", "start", "date", REQ), ("to", "end", "date", OPT)],
                                   "period"),
    "flexible_employment": ("flexible", [
        ("registered_on", "start", "date", REQ), ("ended_on", "end", "date", OPT),
    ], "period"),
    "contracts": ("contracts", [
        ("employer", "employer", "ref:employer", REQ), ("start", "start", "date", REQ), ("end", "end", "date", OPT),
        ("registered", "registered", "bool", OPT), ("referred_by", "referred_by", "ref:organization", OPT),
    ], "period"),
    "social_insurance": ("social_insurance", [
        ("month", "month", "month", REQ), ("scheme", "scheme", "enum:scheme", REQ),
        ("employer", "employer", "ref:employer", OPT), ("base", "base_fen", "money", OPT), ("paid", "paid", "bool", OPT),
    ], None),
    "internships": ("internships", [
        ("base", "base", "ref:organization", REQ), ("start", "start", "date", REQ), ("end", "end", "date", OPT),
        ("contract_signed_on", "contract_signed_on", "date", OPT),
    ], "period"),
    "certificates": ("certificates", [
        ("level", "level", "enum:certificate_level", REQ), ("obtained_on", "obtained_on", "date", REQ),
        ("training_institution", "training_institution", "ref:organization", OPT),
    ], None),
    "skill_evaluations": ("skill_evaluations", [
        ("level", "level", "enum:certificate_level", REQ), ("date", "date", "date", REQ), ("fee", "fee_fen", "money", REQ),
    ], None),
}  # fmt: skip
PERSON_FIELDS: list[Field] = [
    ("id", "id", "text", REQ), ("birth_date", "birth_date", "date", REQ), ("gender", "gender", "enum:gender", REQ),
    ("died_on", "died_on", "date", OPT),
]  # fmt: skip
PERSON_KEYS = {
    "id",
    "id_number",
    "birth_date",
    "gender",
    "hukou",
    "origin_district",
    "died_on",
    *PERSON_LISTS,
}
ORIGIN_FIELD: Field = ("origin_district", "origin_district", "enum:district", OPT)
HUKOU_FIELDS: list[Field] = [
    ("district", "hukou_district", "enum:district", OPT), ("agricultural", "hukou_agricultural", "bool", OPT),
    ("moved_out_on", "hukou_moved_out_on", "date", OPT),
]  # fmt: skip
EMPLOYER_FIELDS: list[Field] = [
    ("id", "id", "text", REQ), ("name", "name", "text", OPT), ("type", "type", "enum:employer_type", REQ),
    ("district", "district", "enum:district", OPT), ("size", "size", "enum:employer_size", OPT),
    ("state_owned", "state_owned", "bool", OPT), ("deregistered_on", "deregistered_on", "date", OPT),
]  # fmt: skip
ORGANIZATION_FIELDS: list[Field] = [
    ("id", "id", "text", REQ), ("kind", "kind", "enum:organization_kind", REQ),
    ("district", "district", "enum:district", OPT), ("quality_certified", "quality_certified", "bool", OPT),
    ("deregistered_on", "deregistered_on", "date", OPT),
]  # fmt: skip
ORGANIZATION_LISTS: dict[str, tuple[str, list[Field]]] = {
    "evaluations": ("evaluations", [
        ("year", "year", "year", REQ), ("grade", "grade", "enum:grade", REQ), ("published_on", "published_on", "date", REQ),
    ]),
    "city_subsidies": ("city_subsidies", [
        ("year", "year", "year", REQ), ("amount", "amount_fen", "money", REQ), ("granted_on", "granted_on", "date", REQ),
    ]),
}  # fmt: skip
ORGANIZATION_KEYS = {"id", "kind", "district", "quality_certified", "deregistered_on", "evaluations",
                     "city_subsidies", "events", "landing"}  # fmt: skip
EVENT_FIELDS: list[Field] = [
    ("id", "event_id", "text", REQ),
    ("held_on", "held_on", "date", REQ),
    ("cost", "cost_fen", "money", REQ),
]
AWARD_FIELDS: list[Field] = [
    ("place", "place", "place", REQ),
    ("winner", "winner", "ref:person|organization", REQ),
]
LANDING_FIELDS: list[Field] = [
    ("registered_on", "registered_on", "date", REQ), ("award_on", "award_on", "date", REQ),
    ("approved_amount", "approved_amount_fen", "money", OPT), ("operating_normally", "operating_normally", "bool", OPT),
    ("employs_jinshan_hukou", "employs_jinshan_hukou", "bool", OPT),
]  # fmt: skip
PAYMENT_FIELDS: list[Field] = [
    ("policy", "policy", "text", REQ), ("beneficiary", "beneficiary", "ref:person|employer|organization", REQ),
    ("subject", "subject", "ref:person|employer|organization", REQ), ("month", "month", "month", REQ),
    ("amount", "amount_fen", "money", REQ),
]  # fmt: skip
TOP_KEYS = {"evaluate", "persons", "employers", "organizations", "payments", "parameters"}


def _uniform(objs: list[Any]) -> dict[str, list[Any]] | None:
    """Each key's values, in object order, when every one of ``objs`` is a dict with the first one's keys in
    the same order (as a case writer writes them), else None.  The flattened keys must be the first object's
    repeated: a dict has no key twice, so then each object has exactly those keys.  Two passes over the dicts
    (keys, values) for all their fields instead of one ``dict.get`` pass per field, and they also do what the
    type and key checks would (a 20,000-person case has 225,000 social-insurance months)."""
    if not objs or type(objs[0]) is not dict:
        return None
    order = list(objs[0])
    try:
        if list(chain.from_iterable(objs)) != order * len(objs):
            return None
        values = list(chain.from_iterable(map(dict.values, objs)))  # TypeError unless all are dicts
    except TypeError:
        return None
    return {key: values[i :: len(order)] for i, key in enumerate(order)}


class _Rows:
    """The objects of one kind, checked by :meth:`_Columns.objects`, with each key's values when they are
    uniform (:func:`_uniform`; else each field is a ``dict.get`` pass)."""

    __slots__ = ("columns", "objs")

    def __init__(self, objs: list[dict[str, Any]], columns: dict[str, list[Any]] | None) -> None:
        self.objs, self.columns = objs, columns

    def __len__(self) -> int:
        return len(self.objs)

    def get(self, name: str, default: Any = None) -> list[Any]:
        """Field ``name`` of every object, ``default`` where it is absent (never to be changed in place)."""
        if self.columns is None:
            return list(map(dict.get, self.objs, repeat(name), repeat(default)))
        values = self.columns.get(name)
        return [default] * len(self.objs) if values is None else values

    def has(self, name: str) -> list[bool]:
        if self.columns is None:
            return list(map(dict.__contains__, self.objs, repeat(name)))
        return [name in self.columns] * len(self.objs)


class _Columns:
    """One columnar read: collects the reference columns and counts the keys it saw."""

    def __init__(self, *, floats: bool) -> None:
        # the values come from orjson: plain dicts only (load_case_text marks a key twice by a dict subclass),
        # floats on literals vetted by columnar_case_bytes
        self.floats = floats
        self.keys = 0
        self.references: list[tuple[pl.Series, tuple[str, ...]]] = []

    # ----------------------------------------------------------------- objects and lists
    def objects(self, values: list[Any], known: set[str]) -> _Rows:
        """``values`` must all be plain dicts with known keys only (anything else: the detailed reader)."""
        columns = _uniform(values) if self.floats else None
        if columns is not None:
            _need(columns.keys() <= known)
            self.keys += len(columns) * len(values)
            return _Rows(values, columns)
        _need(not values or set(map(type, values)) == {dict})
        _need(set().union(*values) <= known)
        self.keys += sum(map(len, values))
        return _Rows(values, None)

    def lists(self, owners: _Rows, name: str) -> tuple[list[Any], list[int]]:
        """The elements of list field ``name`` of every owner, flattened, and each owner's count."""
        values = owners.get(name)
        _need(set(map(type, values)) <= {list, NONE})
        return list(chain.from_iterable(filter(None, values))), list(map(operator.length_hint, values))

    @staticmethod
    def owner(ids: pl.Series, counts: list[int], name: str, index: str | None = None) -> pl.DataFrame:
        """One row per element: the owner's id (and the element's index within its owner's list)."""
        frame = pl.DataFrame({"o": ids, "n": pl.Series(counts, dtype=pl.Int64)}).filter(pl.col("n") > 0)
        cols = [pl.col("o").repeat_by("n").explode().alias(name)]
        if index:
            cols.append(pl.int_ranges(0, "n").explode().alias(index))
        return frame.select(cols)

    # ----------------------------------------------------------------- fields
    def column(
        self, objs: _Rows, name: str, kind: str, required: bool, c: pl.Expr
    ) -> tuple[pl.Series, pl.Expr | None, pl.Expr]:
        """Field ``name`` of every object as it is in the JSON (a Series), the check every value must pass
        (a boolean expression on ``c``, the column: null where the field is null or absent) and the expression
        that turns the column into the case's.  :meth:`fields` runs the checks and conversions of all the
        fields of one object kind in one Polars query (one call per table, not three per column)."""
        if kind == "bool":  # absent → False, null → null (as the detailed reader)
            return _strict(objs.get(name, False), pl.Boolean), None, c
        values = objs.get(name)
        if kind in ("money", "year", "place"):
            types = set(map(type, values))
            _need(not required or NONE not in types)
            types.discard(NONE)
            return self.number(values, types, kind, c)
        s = _strict(values, pl.String)
        _need(not required or not s.has_nulls())
        if kind == "text" or kind.startswith("ref:"):
            if kind.startswith("ref:"):
                self.references.append((s, tuple(kind[4:].split("|"))))
            return s, c.str.len_bytes() > 0, c
        if kind.startswith("enum:"):
            return s, c.is_in(list(ENUMS[kind[5:]])), c
        if kind == "date":
            date = c.str.to_date("%Y-%m-%d", strict=False)
            return s, c.str.contains(_DATE_SHAPE) & ~c.str.starts_with("0000") & date.is_not_null(), date
        if kind == "month":
            # not strict: the conversion runs in the same query as the check, also on a month the check refuses
            return (
                s,
                c.str.contains(_MONTH_SHAPE) & ~c.str.starts_with("0000"),
                (c + "-01").str.to_date("%Y-%m-%d", strict=False),
            )
        raise AssertionError(kind)

    def number(
        self, values: list[Any], types: set[type], kind: str, c: pl.Expr
    ) -> tuple[pl.Series, pl.Expr | None, pl.Expr]:
        if kind != "money":
            _need(types <= {int})
            s = pl.Series(values, dtype=pl.Int64, strict=False)
            _need(s.null_count() == values.count(None))
            lo, hi = YEAR_RANGE if kind == "year" else (1, 1000)
            return s, c.is_between(lo, hi), c
        max_yuan = MAX_AMOUNT_FEN // 100
        if types <= {int}:
            s = pl.Series(values, dtype=pl.Int64, strict=False)  # beyond 64 bits: null, hence declined
            _need(s.null_count() == values.count(None))
            return s, c.is_between(0, max_yuan), c * 100
        _need(self.floats and types <= {int, float})
        f = pl.Series(values, dtype=pl.Float64, strict=False)
        given = f.drop_nulls()
        _need(bool(given.is_between(0, max_yuan).all()))
        fen = (f * 100).round().cast(pl.Int64)
        exact = fen.drop_nulls().cast(pl.Float64)
        # a correctly rounded k / 100 (Series / Series: Polars turns "/ 100" into "* 0.01", which is not)
        _need(bool((exact / pl.repeat(100.0, len(exact), eager=True) == given).all()))
        return fen, None, c

    def fields(self, objs: _Rows, fields: list[Field]) -> dict[str, pl.Series]:
        raw, checks, outputs = {}, [], []
        for name, column, kind, required in fields:
            c = pl.col(column)
            raw[column], check, output = self.column(objs, name, kind, required, c)
            if check is not None:
                checks.append((c.is_null() | check).all())
            outputs.append(output.alias(column))
        if not checks:
            return raw
        out = pl.DataFrame(raw).select(*outputs, pl.all_horizontal(checks).alias(_OK))
        _need(out.height == 0 or bool(out[_OK][0]))
        return {column: out[column] for column in raw}

    # ----------------------------------------------------------------- the case
    def case(self, data: Any, keys_in_text: int | None) -> Case:
        _need(type(data) is dict)
        top = self.objects([data], TOP_KEYS).objs[0]
        window_from, window_to = self.window(top)
        tables: dict[str, pl.DataFrame] = {}
        persons = self.top_list(top, "persons", PERSON_KEYS)
        person_ids = self.persons(persons, tables)
        employers = self.top_list(top, "employers", set(f[0] for f in EMPLOYER_FIELDS))
        tables["employers"] = pl.DataFrame(self.fields(employers, EMPLOYER_FIELDS))
        organizations = self.top_list(top, "organizations", ORGANIZATION_KEYS)
        self.organizations(organizations, tables)
        payments = self.top_list(top, "payments", set(f[0] for f in PAYMENT_FIELDS))
        tables["payments"] = pl.DataFrame(self.fields(payments, PAYMENT_FIELDS))
        self.check_ids(person_ids, tables)
        parameters, warnings = self.parameters(top.get("parameters"))
        _need(keys_in_text is None or keys_in_text == self.keys)
        frames = {name: tables.get(name, pl.DataFrame(schema=schema)) for name, schema in SCHEMAS.items()}
        facts = Facts.from_frames(**frames)
        return Case(facts=facts, window_from=window_from, window_to=window_to, parameters=parameters,
                    warnings=warnings)  # fmt: skip

    def window(self, top: dict[str, Any]) -> tuple[dt.date, dt.date]:
        evaluate = self.objects([top.get("evaluate")], {"from", "to"}).objs[0]
        texts = evaluate.get("from"), evaluate.get("to")
        _need(
            all(type(t) is str and re.fullmatch(_MONTH_SHAPE, t) and not t.startswith("0000") for t in texts)
        )
        start, end = parse_month(str(texts[0])), parse_month(str(texts[1]))
        _need(start <= end)
        return start, end

    def top_list(self, top: dict[str, Any], name: str, known: set[str]) -> _Rows:
        value = top.get(name)
        _need(type(value) in (list, NONE))
        return self.objects(value or [], known)

    def persons(self, persons: _Rows, tables: dict[str, pl.DataFrame]) -> pl.Series:
        cols = self.fields(persons, PERSON_FIELDS)
        ids = cols["id"]
        cols["id_number"] = self.id_numbers(persons, cols["birth_date"], cols["gender"])
        hukou = self.objects(persons.get("hukou"), {f[0] for f in HUKOU_FIELDS})
        _need(all(hukou.has("district")))
        cols |= self.fields(hukou, HUKOU_FIELDS)
        given = pl.Series(persons.has("origin_district"), dtype=pl.Boolean)
        origin = self.fields(persons, [ORIGIN_FIELD])["origin_district"]
        cols["origin_district"] = pl.select(
            pl.when(given).then(origin).otherwise(cols["hukou_district"])
        ).to_series()
        tables["persons"] = pl.DataFrame(cols)
        for json_name, (table, fields, period) in PERSON_LISTS.items():
            elements, counts = self.lists(persons, json_name)
            rows = self.objects(elements, {f[0] for f in fields})
            index = {"contracts": "c", "internships": "i"}.get(table)
            frame = self.owner(ids, counts, "person", "i" if index else None)
            frame = frame.with_columns(**self.fields(rows, fields)) if rows else self.empty(frame, fields)
            if period:
                _need(not frame.select((pl.col("end") < pl.col("start")).any()).item())
            if index:
                key = f"{table[:-1]}_id"
                frame = frame.with_columns(pl.format(f"{{}}#{index}{{}}", "person", "i").alias(key)).drop("i")
            tables[table] = frame
        return ids

    @staticmethod
    def empty(frame: pl.DataFrame, fields: list[Field]) -> pl.DataFrame:
        return frame.with_columns(pl.lit(None).alias(column) for _, column, _, _ in fields)

    def id_numbers(self, persons: _Rows, birth: pl.Series, gender: pl.Series) -> pl.Series:
        """``id_number``: normalized, valid (GB 11643), agreeing with birth_date and gender."""
        raw = _strict(persons.get("id_number"), pl.String)
        given = raw.drop_nulls()
        _need(bool(given.str.contains(_ID_ALPHABET).all()))  # also refuses "" (the detailed reader's problem)
        v = pl.col("v")
        checked = pl.DataFrame({"v": raw, "birth": birth, "gender": gender}).select(
            normalize_id_number_expr(v).alias("v"), "birth", "gender"
        ).select(
            "v", id_number_reason(v).alias("reason"),
            (v.is_null() | ((id_birth_date(v) == pl.col("birth")) & (id_gender(v) == pl.col("gender")))).alias("ok"),
        )  # fmt: skip
        _need(checked["reason"].null_count() == checked.height and bool(checked["ok"].all()))
        return checked["v"]

    def organizations(self, orgs: _Rows, tables: dict[str, pl.DataFrame]) -> None:
        cols = self.fields(orgs, ORGANIZATION_FIELDS)
        ids = cols["id"]
        tables["organizations"] = pl.DataFrame(cols)
        for json_name, (table, fields) in ORGANIZATION_LISTS.items():
            elements, counts = self.lists(orgs, json_name)
            rows = self.objects(elements, {f[0] for f in fields})
            frame = self.owner(ids, counts, "org")
            tables[table] = (
                frame.with_columns(**self.fields(rows, fields)) if rows else self.empty(frame, fields)
            )
        elements, counts = self.lists(orgs, "events")
        events = self.objects(elements, {"id", "held_on", "cost", "awards"})
        frame = self.owner(ids, counts, "org")
        event_cols = self.fields(events, EVENT_FIELDS)
        frame = frame.with_columns(**event_cols) if events else self.empty(frame, EVENT_FIELDS)
        _need(frame["event_id"].n_unique() == frame.height)
        tables["events"] = frame
        elements, counts = self.lists(events, "awards")
        awards = self.objects(elements, {"place", "winner"})
        owners = self.owner(pl.Series(range(frame.height), dtype=pl.Int64), counts, "k")
        award_frame = frame.select(pl.col("org", "event_id").gather(owners["k"]))
        tables["awards"] = (
            award_frame.with_columns(**self.fields(awards, AWARD_FIELDS))
            if awards
            else self.empty(award_frame, AWARD_FIELDS)
        )
        landings = orgs.get("landing")
        _need(set(map(type, landings)) <= {dict, NONE})
        present = list(map(operator.is_not, landings, repeat(None)))
        given = self.objects(list(compress(landings, present)), {f[0] for f in LANDING_FIELDS})
        frame = pl.DataFrame({"org": ids}).filter(pl.Series(present, dtype=pl.Boolean))
        tables["landings"] = (
            frame.with_columns(**self.fields(given, LANDING_FIELDS))
            if given
            else self.empty(frame, LANDING_FIELDS)
        )

    def check_ids(self, person_ids: pl.Series, tables: dict[str, pl.DataFrame]) -> None:
        groups = {"person": person_ids, "employer": tables["employers"]["id"],
                  "organization": tables["organizations"]["id"]}  # fmt: skip
        kinds = pl.DataFrame({
            "id": pl.concat([ids.cast(pl.String) for ids in groups.values()]),
            "kind": pl.concat([pl.repeat(kind, len(ids), dtype=pl.String, eager=True) for kind, ids in groups.items()]),
        })  # fmt: skip
        _need(kinds["id"].n_unique() == kinds.height)
        for values, allowed in self.references:
            known = kinds.filter(pl.col("kind").is_in(list(allowed)))["id"]
            _need(bool(values.drop_nulls().is_in(known.implode()).all()))
        from jiuye.rules.catalog import measure_ids

        _need(bool(tables["payments"]["policy"].is_in(list(measure_ids())).all()))

    def parameters(self, raw: Any) -> tuple[dict[str, Any], list[str]]:
        """Few values: the detailed reader's own function, on plain values only (no float: no Decimal)."""
        if type(raw) is dict:
            self.keys += len(raw)
            _need(all(type(v) in (str, int, bool, NONE) and (type(v) is not int or abs(v) < _ABS_INT)
                      for v in raw.values()))  # fmt: skip
        r, warnings = _Reader(), list[str]()
        parameters = _read_parameters(r, raw, warnings)
        _need(not r.problems)
        return parameters, warnings
