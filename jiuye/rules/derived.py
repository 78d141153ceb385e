"""Facts derived the same way by several measures — one tested place each.

All functions take and return lazy frames and work on whole columns.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from jiuye.rules.dates import active_in_month_from_start_month_expr, covers_day_expr
from jiuye.rules.facts import Facts

ONE_DAY = dt.timedelta(days=1)

INSURED_SCHEME = "urban_employee"  # G8: 本市城镇职工社会保险


_MEMO_MIN_ROWS = 50_000  # from this many insurance + contract rows, shared derivations are materialised
# ... and up to this many fact rows in all too (issue 11 item 4): on a web form's case (~10–60 rows) or a few dozen
# merged ones, executing a derivation's plan once and letting every measure read the small frame costs less
# than each measure's query executing the plan again (side by side: −5 % CPU for one person, −10 % for 50
# merged cases; the extra collect is ~0.1 ms).  In between, plans are shared unmaterialised as before.
_MEMO_TINY_MAX_ROWS = 5_000
# from this many fact rows in all (≈ 300,000 people of the demo district) queries run on Polars' streaming
# engine.  Smaller inputs keep the in-memory engine: 2.7–4.5x faster on a handful of rows (session 5), and at
# 100k people streaming took ~15 % more CPU (session 7).  At 1 M people the in-memory engine materialises every operator's whole
# output: the insured months alone faulted in ~550,000 fresh pages (1.4 s of system time; Polars' jemalloc
# gives freed pages back after 0.5 s, so every evaluation faults them in again).  Streaming works in morsels:
# ~160,000 faults there, and the whole evaluation ≈ 1.6x less CPU and 0.3–0.4 GB less peak (issue 11).
_STREAMING_MIN_ROWS = 4_000_000

Engine = Literal["in-memory", "streaming"]


def polars_engine(rows: int) -> Engine:
    """The Polars engine that collects an evaluation's queries over ``rows`` fact rows (the same results)."""
    return "streaming" if rows >= _STREAMING_MIN_ROWS else "in-memory"


def fact_rows(facts: Facts) -> int:
    return sum(frame.height for frame in facts.tables().values())


@dataclass
class SharedDerivations:
    """Derived frames of one :class:`Facts`, shared by the measures of one evaluation.

    Several measures read the same expensive derivations (insured months over millions of insurance
    rows); Polars does not share work between separately built queries, so the first measure that asks
    materialises it and the others read the result.  The engine opens one per evaluation
    (:func:`sharing_derivations`); outside it every derivation is built afresh.
    """

    facts: Facts
    rows: int = -1  # fact rows of ``facts`` (set by :func:`sharing_derivations`)
    frames: dict[Hashable, pl.DataFrame] = field(default_factory=dict)
    plans: dict[Hashable, pl.LazyFrame] = field(default_factory=dict)  # small cases: built once, not collected


_SHARED: ContextVar[SharedDerivations | None] = ContextVar("jiuye_shared_derivations", default=None)


@contextmanager
def sharing_derivations(facts: Facts) -> Iterator[SharedDerivations]:
    """Within the block, derivations of ``facts`` are computed once and shared between measures."""
    shared = SharedDerivations(facts, fact_rows(facts))
    token = _SHARED.set(shared)
    try:
        yield shared
    finally:
        _SHARED.reset(token)


def _materialised(facts: Facts) -> bool:
    """Whether :func:`_memo` materialises the derivations of ``facts`` (an evaluation of large facts)."""
    shared = _SHARED.get()
    if shared is None or (shared.facts is not facts and facts.__dict__.get("_view_of") is not shared.facts):
        return False
    return facts.social_insurance.height + facts.contracts.height >= _MEMO_MIN_ROWS


def _memo(
    facts: Facts, key: Hashable, build: Callable[[], pl.LazyFrame], rows_of: pl.DataFrame | None = None
) -> pl.LazyFrame:
    """The derived frame ``key`` of ``facts``: from the evaluation's :class:`SharedDerivations` when one is
    open for these facts, else built.  ``rows_of``: the facts table every row of the frame stems from; without
    a row there (:func:`no_rows`) the frame is empty — its schema, without a query (issue 11: a web form's
    person without contracts collected five contract derivations)."""
    shared = _SHARED.get()
    if shared is None or (shared.facts is not facts and facts.__dict__.get("_view_of") is not shared.facts):
        return build()  # (a pruned view of the evaluation's facts shares them: derivations never read persons)
    empty = rows_of is not None and no_rows(rows_of)
    large = facts.social_insurance.height + facts.contracts.height >= _MEMO_MIN_ROWS
    if not large and shared.rows > _MEMO_TINY_MAX_ROWS:
        # a small case: an extra collect per derivation would cost more than it saves, but the plan is built
        # once per evaluation (issue 11 item 4: building it again for every measure was Python time only —
        # a LazyFrame is immutable, so every query that reads it gets the same plan as when built afresh)
        if key not in shared.plans and empty:
            _empty(facts, key, build, shared.plans, lazy=True)
        elif key not in shared.plans:
            shared.plans[key] = build()
        return shared.plans[key]
    if key not in shared.frames and empty:
        _empty(facts, key, build, shared.frames, lazy=False)
    elif key not in shared.frames:
        optimised = pl.QueryOptFlags() if large else pl.QueryOptFlags.none()  # as the engine's own queries
        shared.frames[key] = build().collect(engine=polars_engine(shared.rows), optimizations=optimised)
    return shared.frames[key].lazy()


# the derived frames without rows, by memo key and the facts tables without rows: (frame, the keys of the frames
# without rows its plan read — an evaluation that takes the frame holds them too, as if it had built the plan)
_EMPTY: dict[tuple[Hashable, frozenset[str]], tuple[pl.DataFrame, tuple[Hashable, ...]]] = {}


def _empty(facts: Facts, key: Hashable, build: Callable[[], pl.LazyFrame], held: dict[Hashable, Any],
           lazy: bool) -> None:  # fmt: skip
    """Put in ``held`` (the evaluation's frames, or plans if ``lazy``) the derived frame ``key`` without rows.

    Its schema, kept across evaluations by the key and the facts tables without rows (what a derivation's plan may
    branch on, :func:`no_rows`): building the plan only to read its schema, with the plans of the derivations it
    reads, was ~1 ms of every web form's evaluation (issue 11).  The keys name what a derivation depends on, and
    its columns depend on nothing else (facts have fixed schemas)."""
    empties = frozenset(name for name, frame in facts.tables().items() if frame.is_empty())
    found = _EMPTY.get((key, empties))
    if found is None:
        before = set(held)
        frame = pl.DataFrame(schema=build().collect_schema())
        read = tuple(k for k in held if k not in before and (k, empties) in _EMPTY)
        if len(_EMPTY) > 4096:
            _EMPTY.clear()
        found = _EMPTY[(key, empties)] = (frame, read)
    # .get, not a test then an index: another thread's evaluation may clear _EMPTY in between
    kept = ((k, _EMPTY.get((k, empties))) for k in found[1])
    for k, f in [*((k, got[0]) for k, got in kept if got is not None), (key, found[0])]:
        held.setdefault(k, f.lazy() if lazy else f)


# by key: the columns a derivation's left join adds to rows that find nothing (see :func:`null_columns`)
_NULL_COLUMNS: dict[Hashable, list[pl.Expr]] = {}


def null_columns(key: Hashable, joined: Callable[[], pl.LazyFrame], kept: Collection[str] | Callable[[], Collection[str]],
                 values: dict[str, Any] | None = None) -> list[pl.Expr]:  # fmt: skip
    """The columns of the plan ``joined()`` other than ``kept``, as literals: null, or ``values[name]`` — what a
    left join of ``kept``'s frame with a facts table without rows adds to its rows.  A derivation returns its
    frame with them, without the joins and without a collect (a web form's person has most tables empty, and on
    a handful of rows every operator is a fixed cost, issue 11).  Kept across evaluations by ``key``: facts have
    fixed schemas, so the columns depend only on what ``key`` names (resolving a plan's schema costs ~0.5 ms)."""
    found = _NULL_COLUMNS.get(key)
    if found is None:
        values = values or {}
        names = kept() if callable(kept) else kept
        found = [pl.lit(values.get(name), dtype).alias(name)
                 for name, dtype in joined().collect_schema().items() if name not in names]  # fmt: skip
        if len(_NULL_COLUMNS) > 4096:
            _NULL_COLUMNS.clear()
        _NULL_COLUMNS[key] = found
    return found


def left_join(frame: pl.LazyFrame, right: pl.LazyFrame, on: str | list[str], empty: bool, key: Hashable) -> pl.LazyFrame:
    """``frame.join(right, on=on, how="left")`` — or, when ``empty`` (``right`` stems from facts tables without rows,
    :func:`no_rows`), ``frame`` with ``right``'s other columns null: the rows that join gives, without its operators
    (issue 11: a web form's person has most tables empty, and a join is a fixed cost however few its rows).
    ``key`` names ``right``'s columns (:func:`null_columns`)."""
    if not empty:
        return frame.join(right, on=on, how="left")
    joined = lambda: frame.join(right, on=on, how="left")  # noqa: E731 (the columns as the join names them)
    return frame.with_columns(null_columns(key, joined, lambda: frame.collect_schema().names()))


def shared_when_tiny(facts: Facts, key: Hashable, build: Callable[[], pl.LazyFrame]) -> pl.LazyFrame:
    """Like :func:`shared_by_measures` in a tiny evaluation (up to ``_MEMO_TINY_MAX_ROWS`` fact rows: a web form's
    case, a few dozen merged ones), else built afresh: for a frame several measures start from (persons with their
    contracts …), whose plan each measure's query would otherwise execute again — on a handful of rows that is
    what costs (issue 11 item 4).  Larger evaluations keep the plans they had (no extra frame in memory)."""
    shared = _SHARED.get()
    if shared is None or shared.rows > _MEMO_TINY_MAX_ROWS:
        return build()
    return shared_by_measures(facts, key, build)


def shared_by_measures(facts: Facts, key: Hashable, build: Callable[[], pl.LazyFrame]) -> pl.LazyFrame:
    """Like :func:`_memo`, for a frame that several measures build alike and that reads the persons table: it is
    kept per persons table, i.e. per pruned view (measures with the same necessary conditions share one)."""
    return _memo(facts, (key, id(facts.persons)), build)


# Several small cases merged into one evaluation (jiuye.rules.batch): the ids of case i carry the prefix
# MARK + i + MARK.  Only a row position is not an id: ``case_row_index`` counts rows within each case.
MARK = "\x1f"  # ASCII unit separator: never part of an id, a name or a text the rules write
MARKER_PATTERN = "\x1f[0-9]+\x1f"
_NAMESPACED: ContextVar[bool] = ContextVar("jiuye_namespaced_cases", default=False)


@contextmanager
def namespaced_cases(on: bool) -> Iterator[None]:
    """Within the block, the facts being evaluated are merged cases (``jiuye.rules.batch.merge_facts``)."""
    token = _NAMESPACED.set(on)
    try:
        yield
    finally:
        _NAMESPACED.reset(token)


def case_row_index(frame: pl.LazyFrame, name: str, id_column: str) -> pl.LazyFrame:
    """``frame.with_row_index(name)`` — counted within each merged case (by the marker of ``id_column``) when the
    facts are merged cases, so that a case's rows get the numbers they get when it is evaluated alone."""
    if not _NAMESPACED.get():
        return frame.with_row_index(name)
    case = pl.col(id_column).str.extract(f"^({MARKER_PATTERN})", 1)
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).over(case).alias(name))


def mark_covered(
    frame: pl.LazyFrame, periods: pl.LazyFrame, day: str, out: str, on: str = "person"
) -> pl.LazyFrame:
    """Add boolean ``out``: some period (``start``/``end``) of the same ``on`` covers ``frame[day]`` (G9)."""
    e = _covered(on, day, out)
    keys = frame.select(e.keys).unique().filter(e.known)
    hits = keys.join(periods.select(e.periods), on=on).filter(e.covers).select(e.keys).unique().with_columns(e.hit)
    return frame.join(hits, on=[on, day], how="left", nulls_equal=False).with_columns(e.filled)


@dataclass(frozen=True)
class _Covered:
    keys: list[pl.Expr]
    known: pl.Expr
    periods: list[pl.Expr]
    covers: pl.Expr
    hit: pl.Expr
    filled: pl.Expr


@functools.lru_cache(maxsize=256)
def _covered(on: str, day: str, out: str) -> _Covered:
    """The expressions of :func:`mark_covered`, built once per columns (issue 11: every evaluation built them
    again, several times, for a few of its milliseconds)."""
    # the periods' bounds get private names so a day column called start/end can't shadow them
    return _Covered(
        keys=[pl.col(on), pl.col(day)], known=pl.col(day).is_not_null(),
        periods=[pl.col(on), pl.col("start").alias("_period_start"), pl.col("end").alias("_period_end")],
        covers=covers_day_expr(pl.col("_period_start"), pl.col("_period_end"), pl.col(day)),
        hit=pl.lit(True).alias(out), filled=pl.col(out).fill_null(False),
    )  # fmt: skip


def no_rows(table: pl.DataFrame) -> bool:
    """Whether a facts table has no row: a derivation joining it then adds what the join with nothing would add,
    without the join (issue 11: a web form's person has most tables empty, and on a handful of rows every
    operator is a fixed cost).  tests/rules/test_engine.py forces the joins (always False) and compares."""
    return table.is_empty()


def mark_status(frame: pl.LazyFrame, facts: Facts, kinds: tuple[str, ...], day: str, out: str) -> pl.LazyFrame:
    """:func:`mark_covered` by the statuses of ``kinds``.  Facts without any status (a web form's person, usually)
    give every row ``False`` — what the joins with no period find — without their operators (issue 11: on a
    handful of rows each operator is a fixed cost)."""
    if no_rows(facts.statuses):
        return frame.with_columns(pl.lit(False).alias(out))
    return mark_covered(frame, statuses_of(facts, *kinds), day, out)


def statuses_of(facts: Facts, *kinds: str) -> pl.LazyFrame:
    return facts.statuses.lazy().filter(is_in("kind", kinds)).select("person", "start", "end")


@functools.lru_cache(maxsize=256)
def is_in(column: str, values: tuple[str, ...]) -> pl.Expr:
    """``pl.col(column).is_in(values)``, built once: the values become a Series each time (issue 11: ~0.1 ms on a
    busy Polars pool, several times a one-person evaluation)."""
    return pl.col(column).is_in(list(values))


def employment_periods(facts: Facts) -> pl.LazyFrame:
    """Contracts and flexible-employment registrations as periods (G10: either means employed)."""
    return pl.concat([
        facts.contracts.lazy().select("person", "start", "end"),
        facts.flexible.lazy().select("person", "start", "end"),
    ])  # fmt: skip


def mark_unemployed(frame: pl.LazyFrame, facts: Facts, day: str, out: str, no_days: bool = False) -> pl.LazyFrame:
    """G10 未就业 on ``day``: no contract and no flexible-employment registration covers it.  Facts without either
    give every known day, without the joins (issue 11: a query's fixed cost on a web form's person) — as does
    ``no_days``: the caller knows that no row has a day (null: no period covers it, and it is not known)."""
    known, unemployed = _unemployed(day, out)
    if no_days or (no_rows(facts.contracts) and no_rows(facts.flexible)):
        return frame.with_columns(known)
    return mark_covered(frame, employment_periods(facts), day, f"_{out}_employed").with_columns(unemployed).drop(
        f"_{out}_employed"
    )


@functools.lru_cache(maxsize=256)
def _unemployed(day: str, out: str) -> tuple[pl.Expr, pl.Expr]:
    """:func:`mark_unemployed`'s ``out`` without periods, and from the ``_{out}_employed`` of :func:`mark_covered`."""
    return (pl.col(day).is_not_null().alias(out),
            (~pl.col(f"_{out}_employed") & pl.col(day).is_not_null()).alias(out))  # fmt: skip


def contracts_with_employers(facts: Facts) -> pl.LazyFrame:
    """Contracts with their employer's attributes (``employer_type``, ``employer_district`` …)."""
    employers = facts.employers.lazy().select(
        employer="id", employer_type="type", employer_district="district", employer_size="size",
        employer_state_owned="state_owned",
    )  # fmt: skip
    return _memo(facts, "contracts_with_employers",
                 lambda: facts.contracts.lazy().join(employers, on="employer", how="left"), facts.contracts)  # fmt: skip


def insured_month_lists(facts: Facts) -> pl.LazyFrame:
    """G8: (contract_id, months) — each contract's insured months, distinct and in order (contracts with none
    left out).

    A month counts when the social-insurance record of that month is paid, scheme ``urban_employee``,
    the same employer, and the month falls within the contract's span (covers any day of it); months need
    not be consecutive.  One list per contract: the counts and n-th months below read the lists, instead of a
    distinct over millions of insurance rows and a rank window over all insured months.

    At 1 M people the join gives 10 M (contract, month) rows.  A hash group-by on the contract_id strings with
    a per-group distinct and sort was 3–4.5 s CPU there (17× its 100k time: the tables outgrow the caches), so
    the rows are grouped through one integer key instead: the contract's number (its id's position among the
    distinct ids) and the month's day number, packed in an Int64 whose order is (contract, month).  One sort
    of that column, a compare with the previous row (distinct), and a group-by on the already sorted
    contract number build the same lists (≈ 1 s CPU).  The contracts' starts are truncated to their months
    once (:func:`jiuye.rules.dates.active_in_month_from_start_month_expr`).
    """
    def build() -> pl.LazyFrame:
        si = (
            facts.social_insurance.lazy()
            .filter(pl.col("paid") & (pl.col("scheme") == INSURED_SCHEME) & pl.col("employer").is_not_null())
            .select("person", "employer", "month")
        )  # fmt: skip
        # in order of appearance: the plan reads ``ids`` twice, and both reads must number the ids alike
        ids = facts.contracts.lazy().select("contract_id").unique(maintain_order=True).with_row_index("_c")
        contracts = facts.contracts.lazy().select(
            "contract_id", "person", "employer", _start_month=pl.col("start").dt.truncate("1mo"), _end="end"
        ).join(ids, on="contract_id")
        day = pl.col("month").cast(pl.Int32).cast(pl.Int64) + _DAY_OFFSET  # ≥ 0 and < 2**32 for every Date
        key = (
            contracts.join(si, on=["person", "employer"])
            .filter(active_in_month_from_start_month_expr(pl.col("_start_month"), pl.col("_end"), pl.col("month")))
            .select(_k=pl.col("_c").cast(pl.Int64) * _DAYS + day)
            .sort("_k")
        )  # fmt: skip
        return (
            key.filter(pl.col("_k") != pl.col("_k").shift(1, fill_value=-1))
            .select(_c=(pl.col("_k") // _DAYS).cast(pl.UInt32).set_sorted(),
                    month=(pl.col("_k") % _DAYS - _DAY_OFFSET).cast(pl.Int32).cast(pl.Date))
            .group_by("_c", maintain_order=True).agg(months="month")
            .join(ids, on="_c").select("contract_id", "months")
        )  # fmt: skip

    return _memo(facts, "insured_month_lists", build, facts.contracts)


_DAYS = 1 << 32  # a Date is an Int32 day number: shifted by 2**31 it fits the low 32 bits of the packed key
_DAY_OFFSET = 1 << 31


def insured_months(facts: Facts, among: pl.LazyFrame | None = None, on: str = "contract_id") -> pl.LazyFrame:
    """G8: (contract_id, month, n) — months insured under the contract's employer (see
    :func:`insured_month_lists`); ``n`` is the month's rank among the contract's insured months (1 = first).

    ``among``: a frame whose column ``on`` holds the contract ids the caller will join the months to.  On large
    facts only those contracts' lists are exploded: the callers left-join the months to a few thousand
    eligible rows, and Polars builds a left join's hash table on its right side — all of the contracts'
    insured months (10 M rows at 1 M people: 1.8 s CPU for CM-04b's 39 contracts, issue 11).  The rows that
    take part in the join are the same either way; small cases keep the one plan shared by every measure."""
    def explode(lists: pl.LazyFrame) -> pl.LazyFrame:
        return lists.select(
            "contract_id", month="months", n=pl.int_ranges(1, pl.col("months").list.len() + 1, dtype=pl.Int32),
        ).explode("month", "n")  # fmt: skip

    if among is not None and _materialised(facts):
        ids = among.select(pl.col(on).alias("contract_id")).unique()
        return explode(insured_month_lists(facts).join(ids, on="contract_id", how="semi"))
    return _memo(facts, "insured_months", lambda: explode(insured_month_lists(facts)), facts.contracts)


def nth_insured_month(facts: Facts, n: int, out: str) -> pl.LazyFrame:
    """(contract_id, ``out``): the month in which the contract reaches its ``n``-th insured month."""
    return _memo(facts, ("nth_insured_month", n), lambda: insured_month_lists(facts).filter(
        pl.col("months").list.len() >= n).select("contract_id", month=pl.col("months").list.get(n - 1)), facts.contracts).rename(
        {"month": out})  # fmt: skip


def insured_month_count(facts: Facts, out: str) -> pl.LazyFrame:
    return _memo(facts, "insured_month_count", lambda: insured_month_lists(facts).select(
        "contract_id", n=pl.col("months").list.len().cast(pl.Int32)), facts.contracts).rename({"n": out})  # fmt: skip


def month_panel(frame: pl.LazyFrame, start: pl.Expr, end: pl.Expr, horizon: dt.date) -> pl.LazyFrame:
    """Expand each row into one row per month from ``start``'s month to ``end``'s (open end → horizon)."""
    last = pl.min_horizontal(end.fill_null(horizon), pl.lit(horizon)).dt.truncate("1mo")
    return (
        frame.with_columns(month=pl.date_ranges(start.dt.truncate("1mo"), last, "1mo"))
        .explode("month").filter(pl.col("month").is_not_null())
    )  # fmt: skip


def insurance_of(facts: Facts, among: pl.LazyFrame) -> pl.LazyFrame:
    """Social-insurance rows of the people in ``among`` only (prune millions of rows before grouping)."""
    return facts.social_insurance.lazy().join(among.select("person").unique(), on="person", how="semi")


def paid_insurance_months(facts: Facts, among: pl.LazyFrame, schemes: list[str] | None = None) -> pl.LazyFrame:
    """(person, month) with a paid social-insurance record (any scheme unless given), for ``among``'s people."""
    si = insurance_of(facts, among).filter(pl.col("paid"))
    if schemes is not None:
        si = si.filter(is_in("scheme", tuple(schemes)))
    return si.select("person", "month").unique()


EDUCATION_RANK = {"secondary_vocational": 1, "junior_college": 2, "bachelor": 3, "master": 4, "doctor": 5}
HIGHER_EDUCATION = ("junior_college", "bachelor", "master", "doctor")


@functools.cache
def _education_rank() -> pl.Expr:
    """``_rank``: the level's place in ``EDUCATION_RANK`` — built once (a mapping becomes Series each time)."""
    return pl.col("level").replace_strict(EDUCATION_RANK, return_dtype=pl.Int8).alias("_rank")


def highest_full_time_degree(facts: Facts) -> pl.LazyFrame:
    """(person, degree, degree_graduation_date): the highest full-time education entry of each person."""
    return (
        facts.education.lazy().filter(pl.col("full_time"))
        .with_columns(_education_rank())
        .sort(["person", "_rank", "graduation_date"], descending=[False, True, False], nulls_last=True)
        .group_by("person", maintain_order=True).first()
        .select("person", degree="level", degree_graduation_date="graduation_date")
    )  # fmt: skip


def mark_overlapping(
    frame: pl.LazyFrame, periods: pl.LazyFrame, first: str, last: str, out: str, on: str = "person"
) -> pl.LazyFrame:
    """Add boolean ``out``: some period (``start``/``end``) of the same ``on`` covers at least one day of
    the span [``frame[first]``, ``frame[last]``] (both inclusive, G9; an open ``end`` is still running).

    Rows whose ``first`` or ``last`` is null get ``False``; callers that need "no period overlaps" must
    check the span itself is known.
    """
    keys = frame.select(on, first, last).unique().filter(pl.col(first).is_not_null() & pl.col(last).is_not_null())
    hits = (
        keys.join(periods.select(on, "start", "end"), on=on)
        .filter((pl.col("start") <= pl.col(last)) & (pl.col("end").is_null() | (pl.col("end") >= pl.col(first))))
        .select(on, first, last).unique().with_columns(pl.lit(True).alias(out))
    )  # fmt: skip
    return frame.join(hits, on=[on, first, last], how="left", nulls_equal=False).with_columns(
        pl.col(out).fill_null(False)
    )


def with_unemployment_spell(units: pl.LazyFrame, facts: Facts, day: str = "day_before_S",
                            no_days: bool = False, days: pl.LazyFrame | None = None) -> pl.LazyFrame:  # fmt: skip
    """Add ``spell_start``: the earliest start of an unemployment registration covering ``units[day]``, and
    ``spell_end``: the last day of that registration (null while open; the longest when several start that
    day) — how long a later act would still find it open (what a hint may promise).  Facts without any
    registration give both null, without the joins (issue 11: a web form's person) — as does ``no_days``: the caller
    knows that no row has a day (a null day is in no registration).

    ``days``: (``person``, ``day``) rows holding every known day of ``units``, read from a facts table without
    deriving ``units`` again (issue 11: for a tiny case optimisations are off, and Polars runs each copy of a
    sub-plan).  Repeated or null days, or days of persons not in ``units``, change nothing: a null day covers no
    registration, a repeated one adds the same rows to its group's minimum and maximum, and the spells join
    ``units`` by person and day."""
    e = _spell(day)
    if no_days or no_rows(facts.unemployment):
        return units.with_columns(e.none)
    keys = units.select(e.keys).unique().filter(e.known) if days is None else days
    spells = (
        keys.join(facts.unemployment.lazy().select(e.periods), on="person")
        .filter(e.covers).with_columns(e.open_end).group_by("person", day).agg(e.agg).with_columns(e.spell_end)
    )  # fmt: skip
    return units.join(spells, on=["person", day], how="left")


@dataclass(frozen=True)
class _Spell:
    none: list[pl.Expr]
    keys: list[pl.Expr]
    known: pl.Expr
    periods: list[pl.Expr]
    covers: pl.Expr
    open_end: pl.Expr
    agg: list[pl.Expr]
    spell_end: pl.Expr


@functools.lru_cache(maxsize=256)
def _spell(day: str) -> _Spell:
    """The expressions of :func:`with_unemployment_spell`, built once per day column (issue 11)."""
    far = dt.date.max  # stands for an open end while taking the maximum
    first = pl.col("start") == pl.col("start").min()
    return _Spell(
        none=[pl.lit(None, pl.Date).alias("spell_start"), pl.lit(None, pl.Date).alias("spell_end")],
        keys=[pl.col("person"), pl.col(day)], known=pl.col(day).is_not_null(),
        periods=[pl.col("person"), pl.col("start"), pl.col("end")],
        covers=(pl.col("start") <= pl.col(day)) & (pl.col("end").is_null() | (pl.col("end") >= pl.col(day))),
        open_end=pl.col("end").fill_null(far),
        agg=[pl.col("start").min().alias("spell_start"), pl.col("end").filter(first).max().alias("spell_end")],
        spell_end=pl.when(pl.col("spell_end") < far).then(pl.col("spell_end")).alias("spell_end"),
    )  # fmt: skip


def spell_open_until() -> pl.Expr:
    """The last day D whose day before still falls in the spell of :func:`with_unemployment_spell` — what a
    hint to act on D (register, hire) may promise (:attr:`Threshold.latest`); null without a spell."""
    until = (pl.col("spell_end") + ONE_DAY).fill_null(dt.date.max)  # an open registration: no last day
    return pl.when(pl.col("spell_start").is_not_null()).then(until)
