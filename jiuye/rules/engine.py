"""The columnar engine: every measure over whole frames, one code path for one person or a million.

For each measure the engine builds one lazy query (candidates → conditions → lines → window → cap →
payments → merge); all queries run together with ``pl.collect_all`` so Polars can share sub-plans and
use both cores.  No Python loop over people or months anywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import polars.selectors as cs

from jiuye.rules import derived
from jiuye.rules.catalog import all_measures
from jiuye.rules.dates import month_end
from jiuye.rules.facts import Facts
from jiuye.rules.fingerprint import LINE_FACTS_SCHEMA, line_facts
from jiuye.rules.measure import G13_CLAUSE, G13_TEXT, Cap, Condition, Context, Detail, Measure, first_column
from jiuye.rules.output import result_dicts
from jiuye.rules.parameters import MeasureParameters, load_measure_parameters
from jiuye.rules.prune import restricted, survivors

LINE_KEY = ["policy", "beneficiary", "subject", "month"]
ENTITLEMENT_SCHEMA: dict[str, Any] = {
    "policy": pl.String, "beneficiary": pl.String, "subject": pl.String, "month": pl.Date,
    "amount_fen": pl.Int64, "status": pl.String,
}  # fmt: skip
FINDING_SCHEMA: dict[str, Any] = {"rule": pl.String, "subject": pl.String, "year": pl.Int32, "kind": pl.String}
CONDITION_STRUCT = pl.Struct(
    {"text": pl.String, "met": pl.Boolean, "detail": pl.String, "clause": pl.String, "hint": pl.String}
)
EXPLANATION_SCHEMA: dict[str, Any] = {
    "policy": pl.String, "subject": pl.String, "eligible": pl.Boolean,
    "conditions": pl.List(CONDITION_STRUCT), "clause": pl.String, "reading": pl.String,
}  # fmt: skip


@dataclass
class Result:
    entitlements: pl.DataFrame
    findings: pl.DataFrame
    explanations: pl.DataFrame | None = None
    # with ``line_facts=True``: per (policy, subject) with lines, the facts behind them (jiuye.rules.fingerprint)
    line_facts: pl.DataFrame | None = None

    # set by a merged evaluation (jiuye.rules.batch): given this result, the dict of its case read with the other
    # cases' from the merged columns, or None (then it is read from this result's own frames)
    shared_json: Callable[[Result], dict[str, Any] | None] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        if self.shared_json is not None:
            found = self.shared_json(self)
            if found is not None:
                return found
        return result_dicts(self.entitlements, [self.findings], self.explanations)[0]


def _all_met(keys: Iterable[str]) -> pl.Expr:
    cols = [pl.col(k) for k in keys]
    return pl.all_horizontal(cols) if cols else pl.lit(True)


@dataclass
class _Columns:
    """The data-independent expressions that add one conditions list's columns (built once per list)."""

    plain: list[pl.Expr]
    first: list[tuple[pl.Expr, pl.Expr]]  # first-occurrence conditions: (the first column, the condition)
    all_met: pl.Expr
    plain_met: pl.Expr  # every plain condition, as one ``&`` chain of the conditions' own expressions
    plain_true: list[pl.Expr]  # the plain conditions' columns on rows that meet them all


def _and(exprs: list[pl.Expr]) -> pl.Expr:
    return functools.reduce(operator.and_, exprs) if exprs else pl.lit(True)


_COLUMNS: dict[int, tuple[list[Condition], _Columns]] = {}

# what an expression's text ends with when it cannot be null: a condition already filled, or a null test.  A binary
# or n-ary expression prints bracketed (``[(a) & (b.is_not_null())]``, ``f([…])``), so only the outermost node matches
_NEVER_NULL = (".fill_null([false])", ".is_not_null()", ".is_null()")


def _filled(expr: pl.Expr) -> pl.Expr:
    """``expr.fill_null(False)`` — or ``expr`` itself when its outermost node never gives null (``registered``
    conditions are ``col.fill_null(False)``, ``has_contract`` an ``is_not_null()``): the same column, one node
    less per condition and collect (issue 11: on one row Polars costs a few µs per node, whatever it computes)."""
    return expr if str(expr).endswith(_NEVER_NULL) else expr.fill_null(False)


def _columns(conditions: list[Condition]) -> _Columns:
    """The expressions of ``conditions``, kept per list (the lists are kept by ``_conditions_of``): building
    them again for every measure of every evaluation was a few milliseconds of a one-person evaluation."""
    found = _COLUMNS.get(id(conditions))
    if found is not None and found[0] is conditions:
        return found[1]
    plain = [c for c in conditions if not c.first_over]
    plain_met = _all_met(c.key for c in plain)
    first = []
    for c in conditions:
        if c.first_over:  # G4: the first occurrence among the rows that meet every plain condition decides
            assert c.first_of is not None, f"{c.key}: first_over without first_of"
            of = pl.when(plain_met).then(c.first_of).otherwise(None).min().over(list(c.first_over))
            first.append((of.alias(first_column(c.key)), _filled(c.expr).alias(c.key)))
    columns = _Columns([_filled(c.expr).alias(c.key) for c in plain], first, _all_met(c.key for c in conditions),
                       _and([_filled(c.expr) for c in plain]), [pl.lit(True).alias(c.key) for c in plain])
    if len(_COLUMNS) > 4 * 4096:
        _COLUMNS.clear()
    _COLUMNS[id(conditions)] = (conditions, columns)
    return columns


def _with_conditions(frame: pl.LazyFrame, conditions: list[Condition]) -> pl.LazyFrame:
    columns = _columns(conditions)
    frame = frame.with_columns(columns.plain)
    for of, expr in columns.first:
        frame = frame.with_columns(of).with_columns(expr)
    return frame


def _eligible(frame: pl.LazyFrame, conditions: list[Condition]) -> pl.LazyFrame:
    """The rows of ``frame`` that meet every condition, with the columns :func:`_with_conditions` adds.

    The plain conditions filter first, as one ``&`` chain of their own expressions: Polars then pushes each
    condition below the joins that do not feed it (a condition on the contract's employer type filters the
    contracts before the insured-month counts, the statuses … are joined to them), where a filter on the
    added columns could only run after every join (issue 11: at 1 M people the candidates' joins were a third
    of the evaluation).  The rows are the same: a row meets every condition or is dropped either way, and a
    first-occurrence condition (G4) looks only at the rows that meet every plain condition, which are then all
    that is left.  The plain conditions' columns are true on every kept row.
    """
    columns = _columns(conditions)
    frame = frame.filter(columns.plain_met).with_columns(columns.plain_true)
    for of, expr in columns.first:
        frame = frame.with_columns(of).with_columns(expr)
    return frame.filter(columns.all_met) if columns.first else frame


def _cap_limit(cap: Cap, p: MeasureParameters) -> int | None:
    if isinstance(cap.limit, int):
        return cap.limit
    value = p.get(cap.limit)
    return None if value is None else int(value)


def subject_ends(facts: Facts) -> pl.LazyFrame:
    """G13 (rev. 2): (id, end_month, hukou_end_month, end_kind) — the last month a line may have for a person
    (death), an employer or an organisation (deregistration), and for a person under a measure that requires
    hukou in a district (the month the hukou moved out).  The month itself still counts.  ``end_kind`` names
    what ended at ``end_month``, for explanations."""
    month = lambda c: pl.col(c).dt.truncate("1mo")  # noqa: E731
    return pl.concat([
        facts.persons.lazy().select(id="id", end_month=month("died_on"), hukou_end_month=month("hukou_moved_out_on"),
                                    end_kind=pl.lit("死亡")),
        facts.employers.lazy().select(id="id", end_month=month("deregistered_on"),
                                      hukou_end_month=pl.lit(None, pl.Date), end_kind=pl.lit("用人单位注销")),
        facts.organizations.lazy().select(id="id", end_month=month("deregistered_on"),
                                          hukou_end_month=pl.lit(None, pl.Date), end_kind=pl.lit("机构注销")),
    ]).filter(pl.col("end_month").is_not_null() | pl.col("hukou_end_month").is_not_null())  # fmt: skip


_END_FACTS = (("persons", "died_on"), ("persons", "hukou_moved_out_on"), ("employers", "deregistered_on"),
              ("organizations", "deregistered_on"))  # fmt: skip


def has_ends(facts: Facts) -> bool:
    """Whether any row of ``facts`` has a G13 end (the columns :func:`subject_ends` reads); without one the
    explanations skip the G13 condition's work (a null count is a few µs, a query a good part of a ms)."""
    tables = facts.tables()
    return any(tables[t].get_column(c).null_count() < tables[t].height for t, c in _END_FACTS)


def has_payments(facts: Facts) -> bool:
    """Whether ``facts`` has any payment (G5: a case without one plans no join with them)."""
    return not facts.payments.is_empty()


def _ends_applying(measure: Measure, role: str) -> tuple[str, ...]:
    """G13: the end columns of :func:`subject_ends` that cut a line through its ``role`` (beneficiary/subject):
    the hukou move-out only for the subject of a measure that requires hukou in its district."""
    return ("end_month", "hukou_end_month") if measure.requires_hukou and role == "subject" else ("end_month",)


def _before_ends(measure: Measure, lines: pl.LazyFrame, ends: pl.LazyFrame | None) -> pl.LazyFrame:
    """G13: drop lines after the month a beneficiary or subject ended (death, deregistration, hukou out).

    ``ends`` None: the case has none (:func:`has_ends`), so every line is kept — as the joins with no end would
    keep it, without their operators (a query's fixed cost on a web form's case, issue 11)."""
    if ends is None:
        return lines
    for role in ("beneficiary", "subject"):
        end, hukou_end = f"_{role}_end", f"_{role}_hukou_end"
        alias = {"end_month": end, "hukou_end_month": hukou_end}
        lines = lines.join(
            ends.select(pl.col("id").alias(role), pl.col("end_month").alias(end), pl.col("hukou_end_month").alias(hukou_end)),
            on=role, how="left",
        )  # fmt: skip
        keep = pl.all_horizontal([pl.col(alias[c]).is_null() | (pl.col("month") <= pl.col(alias[c]))
                                  for c in _ends_applying(measure, role)])  # fmt: skip
        lines = lines.filter(keep).drop(end, hukou_end)
    return lines


def _once_order(key: list[str], extra: list[str]) -> tuple[list[str], list[bool]]:
    """G5 once-only: the order in which a key's lines take its slots (columns, descending) — the earliest month
    first; then the larger amount; then by content (never by input order)."""
    order = list(dict.fromkeys([*key, "month", "amount_fen", "beneficiary", "subject", *extra]))
    return order, [c == "amount_fen" for c in order]


def _with_end_reasons(
    measure: Measure, raw_lines: pl.LazyFrame, ends: pl.LazyFrame, monthly: list[Condition]
) -> pl.LazyFrame:
    """The expanded lines with ``_g13_ok`` (the line survives G13, as :func:`_before_ends` decides) and
    ``_g13_why`` (the ends that apply to it, e.g. ``2024-03 死亡``) for the G13 condition of explanations.

    A once-only measure (G4 with G13, as :func:`_finish_lines`): a line that meets the ``monthly`` conditions
    survives only when it takes one of its key's slots — a first occurrence an end cuts is not paid, and a later
    occurrence of the key does not take its place (JS-12 through a second agency)."""
    ok: list[pl.Expr] = [pl.lit(True)]
    why: list[pl.Expr] = []
    for role in ("beneficiary", "subject"):
        named = {c: f"_g13_{role}_{c}" for c in ("end_month", "hukou_end_month", "end_kind")}
        raw_lines = raw_lines.join(ends.select(pl.col("id").alias(role), *(pl.col(c).alias(n) for c, n in named.items())),
                                   on=role, how="left")  # fmt: skip
        for c in _ends_applying(measure, role):
            end = pl.col(named[c])
            ok.append(end.is_null() | (pl.col("month") <= end))
            kind = pl.col(named["end_kind"]) if c == "end_month" else pl.lit("户籍迁出")
            why.append(pl.format("{} {}", end.dt.strftime("%Y-%m"), kind))
    added = [n for role in ("beneficiary", "subject") for n in (f"_g13_{role}_end_month", f"_g13_{role}_hukou_end_month",
                                                                  f"_g13_{role}_end_kind")]  # fmt: skip
    cap = measure.cap
    if cap is not None and cap.counts == "lines" and isinstance(cap.limit, int):
        key = list(dict.fromkeys([*cap.key, *cap.extra]))
        order, descending = _once_order(key, list(cap.extra))
        kept = pl.all_horizontal([pl.col("month").is_not_null(), *(pl.col(c.key) for c in monthly)])
        raw_lines = raw_lines.sort(order, descending=descending, nulls_last=True)
        ok.append(~kept | (kept.cast(pl.Int64).cum_sum().over(key) <= cap.limit))
    return raw_lines.with_columns(_g13_ok=pl.all_horizontal(ok), _g13_why=pl.concat_list(why)).drop(added)


def _finish_lines(
    measure: Measure, lines: pl.LazyFrame, payments: pl.LazyFrame | None, ends: pl.LazyFrame | None,
    p: MeasureParameters, ctx: Context,
) -> pl.LazyFrame:
    """G13 ends → G4 window → G5 cap/once with payments first → drop paid → merge same key → evaluation window
    (a once-only measure: G5 first, then G4 and G13 — the first occurrence of a key decides).

    G5 (rev. 2): every payment of the measure under a cap key or once-key uses up the entitlement before any
    computed line, whatever month it is dated; computed lines fill only what is left, earliest month first.
    G4 (rev. 2): for a once-only measure the first occurrence of the key decides even before the window (it
    takes the slot and is then not paid); for a month cap, months outside the window do not count.

    ``payments`` None: the case has no payment (:func:`has_payments`) — no line is paid and no cap slot used, as
    the joins with no payment would find, without their operators; ``ends`` None likewise (:func:`_before_ends`).
    """
    window = p.window
    in_window = pl.col("month") >= window.start
    if window.end is not None:
        in_window &= pl.col("month") <= window.end
    cap = measure.cap
    extra = list(cap.extra) if cap else []
    lines = lines.select(["beneficiary", "subject", "month", "amount_fen", *extra])
    once = cap is not None and cap.counts == "lines"
    if not once:
        lines = _before_ends(measure, lines, ends).filter(in_window)
    paid = None if payments is None else (
        payments.filter(pl.col("policy") == measure.id)
        .select("beneficiary", "subject", "month", paid_fen="amount_fen")
        .group_by("beneficiary", "subject", "month").agg(pl.col("paid_fen").sum())
    )  # fmt: skip
    if paid is None:
        lines = lines.with_columns(paid=pl.lit(False))
    else:
        lines = lines.join(paid.select("beneficiary", "subject", "month", paid=pl.lit(True)),
                           on=["beneficiary", "subject", "month"], how="left").with_columns(pl.col("paid").fill_null(False))  # fmt: skip
    limit = _cap_limit(cap, p) if cap is not None else None
    if cap is not None and limit is None:
        lines = lines.with_columns(amount_fen=pl.lit(None, pl.Int64))  # G6: the cap is not set yet — pending
    elif cap is not None and limit is not None:
        key = list(dict.fromkeys([*cap.key, *extra]))  # the line columns named in `extra` are part of the key
        if paid is None:  # nothing paid: no slot used, no month paid
            unpaid = lines.with_columns(_left=pl.lit(limit, pl.Int64))
            if cap.counts == "months":
                unpaid = unpaid.with_columns(_month_paid=pl.lit(False))
        else:
            attributed = _attributed_payments(lines, paid, extra)
            counted = pl.col("month").n_unique() if cap.counts == "months" else pl.len()
            used = attributed.group_by(key).agg(counted.cast(pl.Int64).alias("_used"))
            unpaid = lines.filter(~pl.col("paid")).join(used, on=key, how="left", nulls_equal=True).with_columns(
                _left=pl.lit(limit, pl.Int64) - pl.col("_used").fill_null(0)
            )
            if cap.counts == "months":
                # a month already paid under the key (e.g. the other route of CM-10a) is not a new month
                paid_months = attributed.select([*key, "month"]).unique().with_columns(_month_paid=pl.lit(True))
                unpaid = unpaid.join(paid_months, on=[*key, "month"], how="left", nulls_equal=True).with_columns(
                    pl.col("_month_paid").fill_null(False)
                )
        keep = pl.lit(False)
        if cap.counts == "months":
            keep = pl.col("_month_paid")
            rank = pl.when(~pl.col("_month_paid")).then(pl.col("month")).rank("dense").over(key)
        else:
            order, descending = _once_order(key, extra)
            unpaid = unpaid.sort(order, descending=descending, nulls_last=True)
            rank = pl.int_range(1, pl.len() + 1).over(key)
        lines = unpaid.filter(keep | (rank <= pl.col("_left"))).drop("_left", "_used", "_month_paid", strict=False)
    if once:
        # the first occurrence took the slot (G4); outside the window, or after an end (G13), it is not paid
        # and no later occurrence of the key takes its place
        lines = _before_ends(measure, lines.filter(in_window), ends)
    merged = (
        lines.filter(~pl.col("paid"))
        .group_by(["beneficiary", "subject", "month"])
        .agg(
            amount_fen=pl.when(pl.col("amount_fen").null_count() > 0).then(None).otherwise(pl.col("amount_fen").sum())
        )
    )
    return merged.filter((pl.col("month") >= ctx.window_from) & (pl.col("month") <= ctx.window_to)).select(
        policy=pl.lit(measure.id),
        beneficiary="beneficiary",
        subject="subject",
        month="month",
        amount_fen=pl.col("amount_fen").cast(pl.Int64),
        status=pl.when(pl.col("amount_fen").is_null()).then(pl.lit("amount_pending")).otherwise(pl.lit("payable")),
    )


def _attributed_payments(lines: pl.LazyFrame, paid: pl.LazyFrame, extra: list[str]) -> pl.LazyFrame:
    """(beneficiary, subject, month, extra…): the payments with the cap key columns they count under (G5 rev. 2).

    A payment is (beneficiary, subject, month).  Its key is known directly when the key names only
    beneficiary/subject.  When the key also names line columns (``extra``: a year, an event, a level), the
    payment takes them from the computed line of the same month; a payment the facts now date to another
    month takes them from the computed line of the same beneficiary and subject with the same amount (the
    earliest such line); failing that, when the beneficiary and subject have a single key among the computed
    lines, that key (the facts changed the month and the amount: JS-07a's only event held a month later at a
    corrected cost was still paid — G5 "a once-key already paid in any month is never printed again");
    otherwise it counts nowhere (which of several keys it paid is not known).
    """
    ids = ["beneficiary", "subject"]
    if extra:
        exact = lines.filter(pl.col("paid")).select(*ids, "month", *extra).unique()
        elsewhere = paid.join(lines.select(*ids, "month"), on=[*ids, "month"], how="anti")
        moved = (
            elsewhere.join(lines.select(*ids, *extra, paid_fen="amount_fen", _line_month="month"), on=[*ids, "paid_fen"])
            .sort("_line_month").group_by(*ids, "month", maintain_order=True).first()
            .select(*ids, "month", *extra)
        )  # fmt: skip
        single_key = (
            lines.select(*ids, *extra).unique().group_by(ids)
            .agg(pl.len().alias("_keys"), *(pl.col(c).first() for c in extra))
            .filter(pl.col("_keys") == 1).drop("_keys")
        )  # fmt: skip
        changed = (
            elsewhere.join(moved.select(*ids, "month"), on=[*ids, "month"], how="anti")
            .join(single_key, on=ids).select(*ids, "month", *extra)
        )  # fmt: skip
        attributed = pl.concat([exact, moved, changed], how="vertical_relaxed")
    else:
        attributed = paid.select(*ids, "month")
    return attributed


@dataclass(frozen=True)
class _Item:
    """One condition of an explanation: the fields of its struct (``CONDITION_STRUCT``)."""

    text: str
    clause: str
    met: pl.Expr
    detail: pl.Expr
    hint: pl.Expr | None = None  # None: the condition has no hint (null)
    shown: pl.Expr | None = None  # None: always listed; else listed only where true (the G13 condition)
    python: Any = None  # ``Detail.python`` of the condition's detail: made in Python on the flat path (None: Polars)

    def struct(self) -> pl.Expr:
        hint = pl.lit(None, pl.String) if self.hint is None else self.hint
        item = pl.struct(text=pl.lit(self.text), met=self.met, detail=self.detail, clause=pl.lit(self.clause), hint=hint)
        return item if self.shown is None else pl.when(self.shown).then(item)


# where the fields of one item are in a row of ``_Template.flat``: (text, clause, met, detail, hint, shown) —
# text and clause as they are, the others as column positions (hint and shown None when the item has none); the
# detail instead as how it is made in Python from the row and its dtypes, where :class:`Detail` says how
_Slot = tuple[str, str, int, "int | Callable[[tuple[Any, ...], list[pl.DataType]], str | None]", int | None, int | None]


@dataclass
class _Template:
    """The data-independent expressions of one measure's explanations (issue 11 item 4: built once per
    conditions list, i.e. per (measure, parameters, window), and reused by every evaluation)."""

    scored: dict[str, pl.Expr]  # columns added to the candidate rows (score, details, hints)
    items: list[pl.Expr]  # one struct per condition
    eligible: pl.Expr
    per_subject: dict[str, pl.Expr]  # aggregations of the expanded lines per subject (monthly conditions)
    # the same, built into what the queries take (expressions cost Python time to build for every evaluation)
    scored_list: list[pl.Expr]
    wide: list[pl.Expr]  # the explanation row from the chosen candidate row, conditions by concat_list
    hinted: tuple[str, ...] = ()  # the conditions with a hint column (threshold conditions), by key
    # the explanation row's values as plain columns (subject, eligible, then each item's fields), for
    # :func:`_gathered_rows`, which makes the condition lists in Python: see ``_PYTHON_GATHER_ROWS``
    flat: tuple[pl.Expr, ...] = ()
    slots: tuple[_Slot, ...] = ()
    # the details made in Python on that path, as the ids of their ``scored_list`` expressions (not computed
    # there): issue 11, each detail's casts, placeholders and format are ~10–40 µs of Polars per evaluation
    in_python: frozenset[int] = frozenset()

    def scored_for(self, met_everywhere: frozenset[str], ranked: bool) -> list[pl.Expr]:
        """``scored_list`` for candidate rows on which the conditions ``met_everywhere`` hold in every row: their
        hints are null on every row (a hint is shown only where its condition failed), so they are not
        computed; without ranking (one candidate row per subject) ``_score`` is not either.  Each hint is a few
        dozen expression nodes, evaluated per measure of every evaluation (issue 11 item 4)."""
        skip = {f"_d_h_{k}" for k in met_everywhere.intersection(self.hinted)}
        if not ranked:
            skip.add("_score")
        if not skip:
            return self.scored_list
        out = []
        for name, e in zip(self.scored, self.scored_list, strict=True):
            if name not in skip:
                out.append(e)
            elif name != "_score":
                out.append(_NULL_TEXT.alias(name))
        return out


_NULL_TEXT = pl.lit(None, pl.String)


_TEMPLATES: dict[tuple[str, int, int, bool, dt.date | None, bool], tuple[list[Condition], list[Condition], _Template]] = {}


def _template(
    measure: Measure, conditions: list[Condition], monthly: list[Condition], expanded: bool, until: dt.date | None,
    ended: bool = False,
) -> _Template:
    """``ended``: the case has G13 ends and the lines were expanded: a subject whose lines an end applies to gets
    the G13 condition (last); the condition is null (then dropped from the list) for every other subject."""
    key = (measure.id, id(conditions), id(monthly), expanded, until, ended)
    found = _TEMPLATES.get(key)
    if found is not None and found[0] is conditions and found[1] is monthly:
        return found[2]
    keys = [c.key for c in conditions]
    scored = dict(
        _static_ok=_all_met(keys),
        _score=pl.sum_horizontal([pl.col(k).cast(pl.Int32) for k in keys]) if keys else pl.lit(0),
        **{f"_d_{c.key}": (c.detail if c.detail is not None else pl.lit(None, pl.String)) for c in conditions},
        # what would change a failed threshold condition, computed from its declared structure
        # (where the condition failed: in the hint's own ``when``, one node fewer per hint on every evaluation)
        **{f"_d_h_{c.key}": c.threshold.hint(until, where=~pl.col(c.key)) for c in conditions if c.threshold is not None},
    )  # fmt: skip
    items = [
        _Item(c.text, c.clause or measure.meta.clause, met=pl.col(c.key), detail=pl.col(f"_d_{c.key}").cast(pl.String),
              hint=pl.col(f"_d_h_{c.key}") if c.threshold is not None else None,
              python=c.detail.python if isinstance(c.detail, Detail) else None)
        for c in conditions
    ]  # fmt: skip
    eligible = pl.col("_static_ok")
    per_subject: dict[str, pl.Expr] = {}
    if monthly and not expanded:  # nobody passed the static conditions: months were never expanded
        items += [
            _Item(c.text + "（按月）", c.clause or measure.meta.clause, met=pl.lit(False),
                  detail=pl.lit("前述条件不满足，未逐月核对"))
            for c in monthly
        ]  # fmt: skip
        eligible = pl.lit(False)
    if monthly and expanded:
        per_subject = {"_months_all": _all_met(c.key for c in monthly).sum(),
                       **{f"_m_{c.key}": pl.col(c.key).sum() for c in monthly},
                       # a monthly threshold met in no month: what would change it, from the lines that failed it
                       **{f"_mh_{c.key}": c.threshold.hint(until).filter(~pl.col(c.key)).drop_nulls().min()
                          for c in monthly if c.threshold is not None}}  # fmt: skip
        for c in monthly:
            count = pl.col(f"_m_{c.key}").fill_null(0)
            items.append(_Item(
                c.text + "（按月）", c.clause or measure.meta.clause, met=count > 0,
                detail=pl.when(eligible).then(pl.format("{} 个月符合", count)).otherwise(
                    pl.lit("前述条件不满足，未逐月核对")),
                hint=None if c.threshold is None
                else pl.when(eligible & (count == 0)).then(pl.col(f"_mh_{c.key}")).cast(pl.String),
            ))  # fmt: skip
        eligible = eligible & (pl.col("_months_all").fill_null(0) > 0)
    if ended and expanded:
        # G13 (issue: a subject whose every line an end removed was shown as eligible): one condition, only where
        # an end applies to the subject's lines; met when a line that meets every monthly condition survives
        # (when none does, the monthly conditions already failed: then whether any month survives the end)
        kept = pl.all_horizontal([pl.col("month").is_not_null(), *(pl.col(c.key) for c in monthly)])
        per_subject |= {"_g13_kept": (kept & pl.col("_g13_ok")).sum(), "_g13_lines": kept.sum(),
                        "_g13_any": pl.col("_g13_ok").sum(),
                        "_g13_why": pl.col("_g13_why").explode().drop_nulls().unique().sort().str.join("、")}
        has_end = pl.col("_g13_why").fill_null("") != ""
        met = pl.when(pl.col("_g13_lines") > 0).then(pl.col("_g13_kept") > 0).otherwise(pl.col("_g13_any") > 0)
        items.append(_Item(
            G13_TEXT, G13_CLAUSE, met=met,
            detail=pl.format("{}，此后月份不发放", pl.col("_g13_why")) + pl.when(met).then(pl.lit("")).otherwise(
                pl.lit("；符合条件的月份均在此后")),
            shown=has_end,
        ))  # fmt: skip
        eligible = eligible & (~has_end | met)
    if len(_TEMPLATES) > 4 * 4096:
        _TEMPLATES.clear()
    structs = [item.struct() for item in items]
    wide = [
        pl.lit(measure.id).alias("policy"), pl.col("subject"), eligible.alias("eligible"),
        (pl.concat_list(structs).list.drop_nulls() if ended and expanded
         else pl.concat_list(structs) if structs else pl.lit([], pl.List(CONDITION_STRUCT))).alias("conditions"),
        pl.lit(measure.meta.clause).alias("clause"), pl.lit(measure.meta.reading).alias("reading"),
    ]  # fmt: skip
    flat, slots = _flat(items)
    template = _Template(scored, structs, eligible, per_subject, [e.alias(k) for k, e in scored.items()], wide,
                         tuple(c.key for c in conditions if c.threshold is not None),
                         (pl.col("subject"), eligible.alias("eligible"), *flat), slots)
    made = {f"_d_{item.key}" for item in conditions if isinstance(item.detail, Detail) and item.detail.python is not None}
    template.in_python = frozenset(id(e) for name, e in zip(scored, template.scored_list, strict=True) if name in made)
    _TEMPLATES[key] = (conditions, monthly, template)
    return template


def _explanations(
    measure: Measure, evaluated: pl.LazyFrame, raw_lines: pl.LazyFrame | None,
    conditions: list[Condition], monthly: list[Condition], long_format: bool = True,
    until: dt.date | None = None, namespaced: bool = False, one_per_subject: bool = False,
    met_everywhere: frozenset[str] = frozenset(), ends: pl.LazyFrame | None = None, in_python: bool = False,
) -> tuple[pl.LazyFrame, tuple[_Slot, ...] | None]:
    """One row per subject: the candidate unit closest to eligibility, every condition with met/detail.

    Returned with None, or — ``in_python`` — with the slots that :func:`_gathered_rows` makes the rows from (the
    query then gives their values as plain columns, ``_Template.flat``).

    ``long_format`` gathers the condition lists by concat + group-by (large frames) instead of ``concat_list``
    over structs (small frames); both give the same lists.  ``until`` is the last day of the measure's window
    (G4): a threshold's hint never names a day after it.  ``namespaced``: the ids carry the case markers of
    :mod:`jiuye.rules.batch`, which the tie-break hashes without (so a merged case chooses as alone).
    ``one_per_subject``: the caller knows every subject has exactly one candidate row (the usual small case),
    so that row is the closest and no ranking is planned (``_RANK_SINGLE_ROWS`` turns this off for tests).
    ``met_everywhere``: conditions every candidate row meets (their hints are not computed: null anyway).
    ``ends``: :func:`subject_ends` when the case has any (G13 condition); None when it has none."""
    ended = ends is not None and raw_lines is not None
    tpl = _template(measure, conditions, monthly, expanded=raw_lines is not None, until=until, ended=ended)
    if ended:
        assert ends is not None and raw_lines is not None
        raw_lines = _with_end_reasons(measure, raw_lines, ends, monthly)
    ranked = not one_per_subject or _RANK_SINGLE_ROWS
    flat = in_python and not long_format
    added = tpl.scored_for(met_everywhere, ranked)
    if flat and tpl.in_python:  # the details made in Python are not computed
        added = [e for e in added if id(e) not in tpl.in_python]
    scored = evaluated.with_columns(added)
    if not ranked:
        # scoring, hashing, sorting and grouping one row per subject cost a good part of a one-person
        # evaluation (issue 11 item 4) and cannot change which row is chosen; the order is restored at the end
        best = scored
    else:
        # ties between equally close candidates are broken by the content of the row, never by input order
        tiebreak = pl.struct(pl.all().exclude("^_d_.*$")).hash(seed=0)
        if namespaced:
            tiebreak = pl.struct([
                pl.col(c).str.replace(f"^{derived.MARKER_PATTERN}", "") if t == pl.String else pl.col(c)
                for c, t in scored.collect_schema().items() if not c.startswith("_d_")
            ]).hash(seed=0)  # fmt: skip
        best = (
            scored.with_columns(_tiebreak=tiebreak)
            .sort(["subject", "_static_ok", "_score", "_tiebreak"], descending=[False, True, True, False])
            .group_by("subject", maintain_order=True).first()
        )  # fmt: skip
    items, eligible = tpl.items, tpl.eligible
    if raw_lines is not None and tpl.per_subject:
        best = best.join(raw_lines.group_by("subject").agg(**tpl.per_subject), on="subject", how="left")
    if flat:
        return best.select(tpl.flat), tpl.slots
    if not long_format or not items:
        return best.select(tpl.wide), None
    rows = best.with_row_index("_r")
    columns = {"policy": pl.lit(measure.id), "subject": pl.col("subject"), "eligible": eligible}
    # long format (issue 11): one row per subject × condition, gathered back in order — concat_list over
    # structs costs several times more on large frames (and a few more operators on tiny ones)
    long = pl.concat([rows.select("_r", _i=pl.lit(i, pl.Int32), _c=item) for i, item in enumerate(items)])
    if ended:
        long = long.filter(pl.col("_c").is_not_null())  # the G13 condition where no end applies
    gathered = long.sort("_r", "_i").group_by("_r", maintain_order=True).agg(conditions=pl.col("_c"))
    head = rows.select("_r", **columns).join(gathered, on="_r", how="left")
    return head.select(
        "policy", "subject", "eligible", "conditions",
        clause=pl.lit(measure.meta.clause), reading=pl.lit(measure.meta.reading),
    ), None  # fmt: skip


def _flat(items: list[_Item]) -> tuple[list[pl.Expr], tuple[_Slot, ...]]:
    """The columns of ``_Template.flat`` after subject and eligible (each field of each item that is not fixed),
    and where each item's fields are in its rows."""
    columns: list[pl.Expr] = []
    plain: list[tuple[pl.Expr, int]] = []  # the detail parts' expressions, each fetched once

    def at(expr: pl.Expr) -> int:
        columns.append(expr.alias(f"_x{len(columns)}"))
        return len(columns) + 1  # subject and eligible come first

    def value_of(expr: pl.Expr) -> int:
        for known, position in plain:
            if known.meta.eq(expr):
                return position
        plain.append((expr, at(expr)))
        return plain[-1][1]

    def detail(item: _Item) -> int | Callable[[tuple[Any, ...], list[pl.DataType]], str | None]:
        if item.python is None:
            return at(item.detail)
        exprs, made = item.python
        positions = [value_of(expr) for expr in exprs]

        def text(row: tuple[Any, ...], dtypes: list[pl.DataType]) -> str | None:
            return made([row[p] for p in positions], [dtypes[p] for p in positions])

        return text

    slots = [(item.text, item.clause, at(item.met), detail(item), None if item.hint is None else at(item.hint),
              None if item.shown is None else at(item.shown)) for item in items]  # fmt: skip
    return columns, tuple(slots)


def _gathered_rows(into: list[tuple[Any, ...]], measure: Measure, slots: tuple[_Slot, ...], frame: pl.DataFrame) -> None:
    """Append to ``into`` (explanation rows) the rows of ``frame`` (``_Template.flat``), each with its list of
    conditions as ``concat_list`` over the items' structs makes it: the same values, without an expression per
    field of every item (issue 11: on a web form's case building the structs was a third of the explanations)."""
    try:
        rows = frame.rows()
    except (ValueError, OverflowError):
        # a day Python cannot hold (year 0 or 10000, e.g. a day before 0001-01-01): the temporal values as Polars
        # writes them, which is what a detail shows of them (only a detail's plain parts are temporal here)
        frame = frame.with_columns(cs.temporal().cast(pl.String))
        rows = frame.rows()
    dtypes = frame.dtypes
    for row in rows:
        conditions = [
            {"text": text, "met": row[met], "detail": row[detail] if isinstance(detail, int) else detail(row, dtypes),
             "clause": clause,
             "hint": None if hint is None else row[hint]}
            for text, clause, met, detail, hint, shown in slots if shown is None or row[shown]
        ]  # fmt: skip
        into.append((measure.id, row[0], row[1], conditions, measure.meta.clause, measure.meta.reading))


def measure_parameters(measure: Measure, overrides: dict[str, Any] | None) -> MeasureParameters:
    p = load_measure_parameters(measure.id)
    return p.with_overrides(overrides) if overrides else p


_ELIGIBLE = "_eligible"
_LONG_FORMAT_ROWS = 1_000  # candidate rows from which explanations gather their condition lists in long format
# up to this many candidate rows a measure's explanations make their condition lists in Python from the values
# of one plain query (``_gathered_rows``): on a handful of rows an expression per field of every condition costs
# more than the Python, which grows with the rows — side by side, one person 1.2x less CPU, 10 merged one-person
# cases (~10 rows a measure) even, 50 merged 0.9x (at 64 rows), so the web API's larger gatherings keep the structs
_PYTHON_GATHER_ROWS = 8
# below this many fact rows in all, queries run without Polars' plan optimisations (issue 11 item 4): on a
# handful of rows the optimiser's passes over ~60 large plans cost more than the execution they would save,
# and optimisations never change a result (tests/rules/test_engine.py compares both on random cases)
_UNOPTIMISED_MAX_ROWS = 20_000
_RANK_SINGLE_ROWS = False  # tests: rank even when every subject has one candidate row (the general path)
_PLAN_EMPTY = False  # tests: plan lines and explanations even for a measure without candidate rows
_CONDITIONS: dict[tuple[str, dt.date, dt.date, str], tuple[list[Condition], list[Condition]]] = {}


def _conditions_of(measure: Measure, p: MeasureParameters, ctx: Context) -> tuple[list[Condition], list[Condition]]:
    """The measure's static and monthly conditions, built once per (measure, parameters, window).

    Conditions are data-independent expressions; building them is a good part of a one-person evaluation,
    so they are kept (a few hundred entries at most: the bureau's parameter sets × windows seen).
    """
    key = (measure.id, ctx.window_from, ctx.window_to, repr(sorted(ctx.overrides.items())))
    found = _CONDITIONS.get(key)
    if found is None:
        if len(_CONDITIONS) > 4096:
            _CONDITIONS.clear()
        found = _CONDITIONS[key] = (measure.all_conditions(p, ctx), measure.monthly_conditions(p, ctx))
    return found


_PARALLEL_SMALL = True  # tests/benchmarks: False runs each pass of a tiny case in one collect_all, at the end
# up to this many fact rows (a web form's person: ~10–60) the passes run side by side (``_Runner``); side by side
# against one collect_all, 10 merged one-person cases (110 rows) gained nothing and 50 (550 rows) lost ~8 %
_PARALLEL_MAX_ROWS = 100
_PIPELINE_CHUNK = 4  # a tiny case's first-pass queries start running in chunks of this many while the rest are built
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=3, thread_name_prefix="jiuye-engine")
        return _POOL


class _Runner:
    """Runs a pass's queries: ``pl.collect_all`` — for a tiny case on all cores, and while they are being built.

    On a handful of rows ``collect_all`` runs the ~30 small queries of a pass one after the other (at idle the
    wall time of a one-person evaluation's passes equals their CPU time: issue 11 item 4), and the Python that
    builds the plans runs before any of them, so one core idles.  For a tiny case, queries ``add``-ed while
    the caller builds the next ones go to a worker thread in chunks (Polars releases the GIL while it runs
    them), and ``finished`` hands each chunk's frames over as soon as they are done, with the position of its
    first query: the caller plans the next pass's queries of those measures while the other chunks still run.
    Every query is the same, so is every result.  A larger case keeps one ``collect_all`` (its operators use
    every core; side by side the split did not pay from ~100 rows).
    """

    def __init__(self, flags: pl.QueryOptFlags, rows: int) -> None:
        self.flags = flags
        self.engine = derived.polars_engine(rows)
        self.parallel = rows <= _PARALLEL_MAX_ROWS and _PARALLEL_SMALL and pl.thread_pool_size() > 1
        self.pending: list[pl.LazyFrame] = []
        self.added = 0  # queries added so far
        self.started: dict[Future[list[pl.DataFrame]], int] = {}  # chunk started -> the position of its first query

    def _run(self, queries: list[pl.LazyFrame]) -> list[pl.DataFrame]:
        return pl.collect_all(queries, engine=self.engine, optimizations=self.flags)

    def _start(self, queries: list[pl.LazyFrame]) -> Future[list[pl.DataFrame]]:
        return _pool().submit(self._run, queries)

    def add(self, query: pl.LazyFrame) -> None:
        """``query`` will be among the next ``finished``'s queries (at the position of the queries added before)."""
        self.pending.append(query)
        self.added += 1
        if self.parallel and _PIPELINE_CHUNK and len(self.pending) >= _PIPELINE_CHUNK:
            self.started[self._start(self.pending)] = self.added - len(self.pending)
            self.pending = []

    def finished(self, queries: Sequence[pl.LazyFrame] = ()) -> Iterator[tuple[int, list[pl.DataFrame]]]:
        """The frames of the queries added so far, then of ``queries``, as (the position of the first, the frames)
        of each chunk as soon as it is done: the caller plans what needs them while the other chunks still run.

        Not side by side: one ``collect_all`` of them all.  Side by side the queries not started yet go to the
        workers in chunks too; the caller runs none itself (side by side, taking a chunk no worker had started
        kept it from the chunks done meanwhile, and gained nothing at the median)."""
        first = self.added - len(self.pending)  # the position of the first query not started
        rest, self.pending = [*self.pending, *queries], []
        if not self.parallel:  # (then no chunk was started)
            yield first, self._run(rest)
            return
        chunks, self.started = self.started, {}
        size = _PIPELINE_CHUNK or len(rest) or 1
        for i in range(0, len(rest), size):
            chunks[self._start(rest[i : i + size])] = first + i
        while chunks:
            done, _ = wait(chunks, return_when=FIRST_COMPLETED)
            for f in sorted(done, key=chunks.__getitem__):
                yield chunks.pop(f), f.result()


def _met_everywhere(frame: pl.DataFrame, conditions: list[Condition]) -> frozenset[str]:
    """The threshold conditions (those with a hint) that every row of the materialised candidate frame meets."""
    return frozenset(c.key for c in conditions if c.threshold is not None and _all(frame.get_column(c.key)))


# The tests of a materialised first-pass frame below (any / all / all distinct): on a tiny case's frame (a row or
# a few) from the column's Python values.  Polars' reductions give the same answers, but with the engine's workers
# running the other measures' queries each one cost the caller's thread ~10–20 µs and the process ~15 µs of CPU,
# ~70 times per evaluation (side by side, one person: ~1 ms CPU less, issue 11); a few values cost a few µs.
_PYTHON_TEST_ROWS = 8


def _any(column: pl.Series) -> bool:
    """``column.any()`` of a Boolean column: some value true (nulls ignored)."""
    return True in column.to_list() if column.len() <= _PYTHON_TEST_ROWS else bool(column.any())


def _all(column: pl.Series) -> bool:
    """``column.all()`` of a Boolean column: no value false (nulls ignored; true when empty)."""
    return False not in column.to_list() if column.len() <= _PYTHON_TEST_ROWS else bool(column.all())


def _all_distinct(column: pl.Series) -> bool:
    """``column.n_unique() == column.len()``: no value twice (null counts as a value)."""
    if column.len() > _PYTHON_TEST_ROWS:
        return column.n_unique() == column.len()
    values = column.to_list()
    return len(set(values)) == len(values)


def _without(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame.drop(column)`` without a query: ``DataFrame.drop`` runs a lazy plan (~0.2 ms), once per measure of
    every evaluation; a shallow clone shares the columns and drops one in place (same frame, a few µs)."""
    out = frame.clone()
    out.drop_in_place(column)
    return out


@dataclass
class _Prepared:
    measure: Measure
    p: MeasureParameters
    conditions: list[Condition]
    monthly: list[Condition]


def evaluate_facts(
    facts: Facts,
    window_from: dt.date,
    window_to: dt.date,
    parameters: dict[str, Any] | None = None,
    explain: bool = False,
    measures: Iterable[Measure] | None = None,
    prune: bool | None = None,
    line_facts: bool = False,
    namespaced: bool = False,
) -> Result:
    """Evaluate ``measures`` (default: all) over ``facts`` and return the lines inside the window.

    Two passes, both with ``pl.collect_all``: first every measure's static conditions (prune), then the
    month panels and lines only for measures that have eligible candidates (expand).  Materialising the
    pruned candidates between the passes keeps the second pass small, whether the input is one person or
    a million.

    ``prune`` (default: when not explaining) first checks every measure's declared necessary conditions on
    one row per subject person in one shared pass (:mod:`jiuye.rules.prune`); each measure then sees only
    the surviving persons and a measure nobody survives is not planned.  Explanations need every subject,
    so ``prune=True`` with ``explain=True`` is refused.  The lines are the same either way.

    ``line_facts``: also the facts behind the lines, per (policy, subject) (:mod:`jiuye.rules.fingerprint`).
    ``namespaced``: the facts are several cases merged by :func:`jiuye.rules.batch.merge_facts`.
    """
    if prune is None:
        prune = not explain
    if prune and explain:
        raise ValueError("pruning drops subjects that explanations must show")
    with derived.sharing_derivations(facts), derived.namespaced_cases(namespaced):  # one evaluation only
        return _evaluate(facts, window_from, window_to, parameters, explain, measures, prune, line_facts,
                         namespaced)


def _evaluate(
    facts: Facts,
    window_from: dt.date,
    window_to: dt.date,
    parameters: dict[str, Any] | None,
    explain: bool,
    measures: Iterable[Measure] | None,
    prune: bool,
    with_line_facts: bool = False,
    namespaced: bool = False,
) -> Result:
    chosen = list(measures) if measures is not None else all_measures()
    prunable = [m for m in chosen if m.computable and m.meta.kind != "rule" and type(m).findings is Measure.findings]
    alive = survivors(facts, prunable) if prune else {}
    ctx = Context(window_from=window_from, window_to=window_to, overrides=dict(parameters or {}))
    in_window = (pl.col("month") >= window_from) & (pl.col("month") <= window_to)
    prepared: list[_Prepared] = []
    finding_queries: list[pl.LazyFrame] = []
    empty_tables = {name for name, frame in facts.tables().items() if frame.is_empty()}
    rows = derived.fact_rows(facts)
    small = rows <= _UNOPTIMISED_MAX_ROWS
    flags = pl.QueryOptFlags.none() if small else pl.QueryOptFlags()
    runner = _Runner(flags, rows)
    views: dict[str, Facts] = {}
    shared_views: dict[int, Facts] = {}  # by id() of a survivor Series that ``alive`` keeps alive
    for measure in chosen:
        if not measure.computable:
            continue
        if not explain and empty_tables.intersection(measure.needs):
            continue  # nothing can be eligible: don't even build the plan
        if measure.id in alive:
            if alive[measure.id].is_empty():
                continue  # nobody meets the measure's necessary conditions: nothing to plan
            # measures with the same necessary conditions share one survivor Series (prune.survivors), so one view
            if id(alive[measure.id]) not in shared_views:
                shared_views[id(alive[measure.id])] = restricted(facts, alive[measure.id])
            views[measure.id] = shared_views[id(alive[measure.id])]
        p = measure_parameters(measure, parameters)
        found = measure.findings(facts, p, ctx)
        if found is not None:
            finding_queries.append(found.filter(in_window).select([pl.col(k).cast(v) for k, v in FINDING_SCHEMA.items()]))
        if not explain and measure.meta.kind == "rule":
            continue  # a rule has no lines; without explanations only its findings matter
        if empty_tables.issuperset(measure.universe_tables) and not _PLAN_EMPTY:
            continue  # no candidate row (not even a subject to explain): the first pass would return nothing
        conditions, monthly = _conditions_of(measure, p, ctx)
        candidates = measure.candidates(views.get(measure.id, facts), p, ctx)
        if explain:  # which rows are eligible is known from the first pass: no eager filter per measure later
            evaluated = _with_conditions(candidates, conditions).with_columns(_columns(conditions).all_met.alias(_ELIGIBLE))
        else:
            evaluated = _eligible(candidates, conditions)
        prepared.append(_Prepared(measure, p, conditions, monthly))
        runner.add(evaluated)
    # a case without payments or without G13 ends (a web form's person: usually neither) plans no join with them
    payments = facts.payments.lazy() if has_payments(facts) else None
    ends = subject_ends(facts) if has_ends(facts) else None
    explained_ends = ends if explain else None  # G13 condition: only a case with ends pays for it
    # the second pass's queries start running as they are built, as the first pass's do (``_Runner.add``), and a
    # measure's are built as soon as its first-pass chunk is done (a tiny case: the others run meanwhile); each
    # kind's frames are put back in the order of the measures, as one pass after the other gives them
    second = _Runner(flags, rows)
    kinds: list[tuple[str, int]] = []  # per second-pass query: its kind and its measure's position in ``prepared``

    def add(kind: str, at: int, query: pl.LazyFrame) -> None:
        kinds.append((kind, at))
        second.add(query)

    gathered_in_python: dict[int, tuple[Measure, tuple[_Slot, ...] | None]] = {}

    def plan_second(at: int, evaluated_frame: pl.DataFrame) -> None:
        prep = prepared[at]
        measure, p = prep.measure, prep.p
        if evaluated_frame.height == 0 and not _PLAN_EMPTY:
            return  # no candidate row: no line and no explanation row; planning them costs a query each
        if explain:
            any_eligible = _any(evaluated_frame.get_column(_ELIGIBLE))
            eligible = evaluated_frame.lazy().filter(pl.col(_ELIGIBLE)).drop(_ELIGIBLE)
            evaluated_frame = _without(evaluated_frame, _ELIGIBLE)  # the explanation sees the columns it always saw
        else:
            any_eligible = evaluated_frame.height > 0
            eligible = evaluated_frame.lazy()
        raw_lines = None
        if measure.meta.kind != "rule" and any_eligible:
            measure_facts = views.get(measure.id, facts)
            raw_lines = _with_conditions(measure.lines(eligible, measure_facts, p, ctx), prep.monthly)
            kept = raw_lines.filter(_columns(prep.monthly).all_met)
            add("lines", at, _finish_lines(measure, kept, payments, ends, p, ctx))
            if with_line_facts:
                add("facts", at, line_facts(measure.id, eligible, prep.conditions))
        if explain:
            query, slots = _explanations(
                measure, evaluated_frame.lazy(), raw_lines, prep.conditions, prep.monthly,
                long_format=evaluated_frame.height >= _LONG_FORMAT_ROWS,
                until=None if p.window.end is None else month_end(p.window.end), namespaced=namespaced,
                one_per_subject=_all_distinct(evaluated_frame.get_column("subject")),
                met_everywhere=_met_everywhere(evaluated_frame, prep.conditions), ends=explained_ends,
                in_python=evaluated_frame.height <= _PYTHON_GATHER_ROWS,
            )  # fmt: skip
            add("explanations", at, query)
            gathered_in_python[at] = (measure, slots)

    finding_frames: list[pl.DataFrame] = [pl.DataFrame()] * len(finding_queries)
    # the first-pass queries were added as they were built
    for start, frames in runner.finished(finding_queries):
        for at, frame in enumerate(frames, start):
            if at < len(prepared):
                plan_second(at, frame)
            else:
                finding_frames[at - len(prepared)] = frame
    by_kind: dict[str, dict[int, pl.DataFrame]] = {"lines": {}, "explanations": {}, "facts": {}}
    rows_of: dict[int, list[tuple[Any, ...]]] = {}  # explanation rows made in Python, per measure
    for start, frames in second.finished():
        for (kind, at), frame in zip(kinds[start : start + len(frames)], frames, strict=True):
            by_kind[kind][at] = frame
            if kind == "explanations" and (slots := gathered_in_python[at][1]) is not None:
                _gathered_rows(rows_of.setdefault(at, []), gathered_in_python[at][0], slots, frame)

    def in_order(kind: str) -> list[pl.DataFrame]:
        return [by_kind[kind][at] for at in sorted(by_kind[kind])]

    def gathered(schema: dict[str, Any], parts: list[pl.DataFrame]) -> pl.LazyFrame:
        return pl.concat([pl.LazyFrame(schema=schema), *(f.lazy() for f in parts)], how="vertical_relaxed")

    # the result's frames in one query each and one call (eager concat/unique/sort ran one query apiece)
    outputs = [
        gathered(ENTITLEMENT_SCHEMA, in_order("lines")).sort(LINE_KEY),
        gathered(FINDING_SCHEMA, finding_frames).unique().sort(["rule", "subject", "year", "kind"]),
    ]
    if explain:
        explained = by_kind["explanations"]
        rows_made = [row for at in sorted(rows_of) for row in rows_of[at]]
        # by rows: for nested lists ~2.5x faster than by columns (0.2 against 0.5 ms for a web form's case)
        parts = [pl.DataFrame(rows_made, schema=EXPLANATION_SCHEMA, orient="row"),
                 *(explained[at] for at in sorted(explained) if gathered_in_python[at][1] is None)]  # fmt: skip
        outputs.append(gathered(EXPLANATION_SCHEMA, parts).sort(["policy", "subject"]))
    if with_line_facts:
        # sorted like every other frame of the result: the per-subject group-by has no order of its own, so two
        # evaluations of the same facts could list the same rows differently
        outputs.append(gathered(LINE_FACTS_SCHEMA, in_order("facts")).sort(["policy", "subject"]))
    done = iter(pl.collect_all(outputs, engine=derived.polars_engine(rows), optimizations=flags))
    entitlements, findings = next(done), next(done)
    explanations = next(done) if explain else None
    facts_frame = next(done) if with_line_facts else None
    return Result(entitlements=entitlements, findings=findings, explanations=explanations, line_facts=facts_frame)
