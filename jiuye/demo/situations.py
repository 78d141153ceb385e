"""Planted situations of the demo district: people and organisations put deliberately in each measure's
situation, and near misses on both sides of every threshold.

Each person situation receives the same number of people: ``max(planted_minimum, round(persons ×
planted_share))`` (500 each for 1,000,000 people, 2 each for 2,000).  Each situation is one vectorised
builder over all its people (dates jittered by a few days per person so that they are not identical,
the thresholds kept exact).  Organisation situations are a fixed handful each.  :data:`PERSON_SITUATIONS`
and :data:`ORG_SITUATIONS` are the catalogue; docs/demo-data.md lists them with the expected outcome.

``expect`` values: ``eligible``; ``not_eligible``; ``partial`` (some months only, said in the note);
``capped`` (eligible, the cap binds); ``paid`` (eligible, the earlier payments count toward the cap or
once-only rule); ``revoked`` (an incubation base losing its title, JS-05r).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from jiuye.demo.base import (
    PAIRED_AREA_CODES,
    DemoConfig,
    min_base_fen_expr,
    padded_ids,
    rng_for,
)
from jiuye.rules.dates import add_months, add_months_expr, add_years_expr
from jiuye.rules.facts import conform
from jiuye.rules.shared import ADMIN_CODES, JINSHAN_EMPLOYER_EXCLUSION

Builder = Callable[["Planter", pl.DataFrame], "Rows"]
JS_START = dt.date(2023, 1, 1)


@dataclass(frozen=True)
class Situation:
    key: str
    measure: str
    expect: str
    note: str
    build: Builder
    district: str = "jinshan"


class Rows:
    """Table pieces of one builder."""

    def __init__(self) -> None:
        self.tables: dict[str, list[pl.DataFrame]] = {}

    def add(self, table: str, frame: pl.DataFrame) -> Rows:
        self.tables.setdefault(table, []).append(frame)
        return self


@dataclass
class Planter:
    config: DemoConfig
    employers: pl.DataFrame
    organizations: pl.DataFrame
    rng: np.random.Generator
    _pools: dict[tuple[Any, ...], pl.Series] = field(default_factory=dict)

    @property
    def home(self) -> str:
        return self.config.district

    @property
    def other(self) -> str:
        """A neighbouring Shanghai district (for "elsewhere" near misses)."""
        return "songjiang" if self.home == "jinshan" else "pudong"

    def employer(self, n: int, type_: str = "enterprise", where: str = "home", size: str | None = None) -> pl.Series:
        key = ("e", type_, where, size)
        if key not in self._pools:
            e = self.employers.filter(pl.col("type") == type_)
            if size is not None:
                e = e.filter(pl.col("size") == size)
            if where == "home":
                e = e.filter(pl.col("district") == self.home)
            elif where == "outside":
                e = e.filter(pl.col("district").is_null())
            elif where == "shanghai":  # another Shanghai district
                e = e.filter(pl.col("district").is_not_null() & (pl.col("district") != self.home))
            else:
                e = e.filter(pl.col("district") == where)
            self._pools[key] = e["id"]
        pool = self._pools[key]
        return pool.gather(self.rng.integers(0, len(pool), n))

    def org(self, n: int, kind: str, where: str = "home", quality: bool | None = None) -> pl.Series:
        key = ("o", kind, where, quality)
        if key not in self._pools:
            o = self.organizations.filter(pl.col("kind") == kind)
            o = o.filter(pl.col("district") == self.home) if where == "home" else o.filter(
                pl.col("district") != self.home
            )
            if quality is not None:
                o = o.filter(pl.col("quality_certified") == quality)
            self._pools[key] = o["id"]
        pool = self._pools[key]
        if len(pool) == 0:
            raise ValueError(f"no organisation of kind {kind} ({where}, quality={quality})")
        return pool.gather(self.rng.integers(0, len(pool), n))

    # anchors (month dates)
    @property
    def w0(self) -> dt.date:
        return self.config.window_start

    @property
    def w1(self) -> dt.date:
        return self.config.window_end

    @property
    def ref(self) -> dt.date:
        return self.config.reference_month

    def last_graduation(self) -> dt.date:
        """The last 30 June at least a month before the reference month."""
        ref = self.ref
        return dt.date(ref.year if ref.month >= 8 else ref.year - 1, 6, 30)


# --------------------------------------------------------------------------- expression helpers
J = pl.col("j")  # per-person jitter, 0–27 days
U = pl.col("u")  # per-person jitter, 0–200 days


def lit(day: dt.date) -> pl.Expr:
    return pl.lit(day, pl.Date)


def plus(expr: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    return expr + pl.duration(days=n)


def birth_for_age(on: pl.Expr, age: int, before: int | pl.Expr = U) -> pl.Expr:
    """A birth date giving completed age ``age`` on ``on`` (``before`` = 0: the birthday is ``on``)."""
    return plus(add_years_expr(on, -age), -before)


def month(expr: pl.Expr) -> pl.Expr:
    return expr.dt.truncate("1mo")


def person(
    p: pl.DataFrame,
    birth: pl.Expr,
    *,
    gender: str | pl.Expr | None = None,
    hukou: str | None,
    agricultural: bool = False,
    origin: str | None = None,
    area: str | None = None,
) -> pl.DataFrame:
    """Core person columns; ``gender`` None alternates by person; ``area`` for people without Shanghai hukou."""
    g = (pl.when(J % 2 == 0).then(pl.lit("male")).otherwise(pl.lit("female")) if gender is None
         else (pl.lit(gender) if isinstance(gender, str) else gender))  # fmt: skip
    area_code = ADMIN_CODES[hukou] if hukou is not None else (area or "340121")
    return p.select(
        pl.col("person").alias("id"),
        birth.alias("birth_date"),
        g.alias("gender"),
        pl.lit(hukou, pl.String).alias("hukou_district"),
        pl.lit(agricultural).alias("hukou_agricultural"),
        pl.lit(origin if origin is not None else hukou, pl.String).alias("origin_district"),
        pl.lit(area_code).alias("id_area"),
    )


def contract(
    p: pl.DataFrame,
    suffix: str,
    employer: pl.Expr,
    start: pl.Expr,
    end: pl.Expr | None = None,
    *,
    registered: bool = True,
    referred_by: pl.Expr | None = None,
) -> pl.DataFrame:
    return p.select(
        pl.concat_str([pl.col("person"), pl.lit("-" + suffix)]).alias("contract_id"),
        "person",
        employer.alias("employer"),
        start.alias("start"),
        (end if end is not None else pl.lit(None, pl.Date)).alias("end"),
        pl.lit(registered).alias("registered"),
        (referred_by if referred_by is not None else pl.lit(None, pl.String)).alias("referred_by"),
    )


def insured(
    p: pl.DataFrame,
    first: pl.Expr,
    count: int | pl.Expr,
    employer: pl.Expr | None,
    base: str | int | pl.Expr = "min",
    *,
    scheme: str = "urban_employee",
    paid: bool | pl.Expr = True,
) -> pl.DataFrame:
    """``count`` consecutive months from ``first`` (a month date); ``base`` "min" = the city minimum.

    In ``paid``, ``pl.col("k")`` is the month's index (0 = first month)."""
    f = p.with_columns(
        month(first).alias("_first"),
        (pl.lit(count) if isinstance(count, int) else count).cast(pl.Int32).alias("_n"),
        (employer if employer is not None else pl.lit(None, pl.String)).alias("employer"),
    ).filter(pl.col("_n") > 0)
    f = f.with_columns(pl.int_ranges(0, pl.col("_n")).alias("k")).explode("k")
    f = f.with_columns(add_months_expr(pl.col("_first"), pl.col("k")).alias("month"))
    if isinstance(base, pl.Expr):
        base_expr = base
    elif isinstance(base, int):
        base_expr = pl.lit(base, pl.Int64)
    else:
        base_expr = min_base_fen_expr(pl.col("month"))
    return f.select(
        "person", "month", pl.lit(scheme).alias("scheme"), "employer", base_expr.cast(pl.Int64).alias("base_fen"),
        (pl.lit(paid) if isinstance(paid, bool) else paid).alias("paid"),
    )  # fmt: skip


def months_until(first: pl.Expr, last: dt.date) -> pl.Expr:
    """Number of months from ``first``'s month to ``last``'s month, inclusive."""
    return (pl.lit(last.year * 12 + last.month) - (first.dt.year().cast(pl.Int32) * 12 + first.dt.month()))


def period(p: pl.DataFrame, start: pl.Expr, end: pl.Expr | None = None, **extra: pl.Expr) -> pl.DataFrame:
    cols = [pl.col("person"), start.alias("start"), (end if end is not None else pl.lit(None, pl.Date)).alias("end")]
    return p.select(cols + [v.alias(k) for k, v in extra.items()])


def education(
    p: pl.DataFrame, level: str, graduation: pl.Expr, *, full_time: bool = True, school: str | None = None
) -> pl.DataFrame:
    return p.select(
        "person", pl.lit(level).alias("level"), pl.lit(full_time).alias("full_time"),
        graduation.alias("graduation_date"), pl.lit(school, pl.String).alias("school_district"),
    )  # fmt: skip


def payments(
    p: pl.DataFrame, policy: str, beneficiary: pl.Expr, first: pl.Expr, count: int, amount_fen: int
) -> pl.DataFrame:
    f = p.with_columns(pl.int_ranges(0, count).alias("k")).explode("k")
    return f.select(
        pl.lit(policy).alias("policy"), beneficiary.alias("beneficiary"), pl.col("person").alias("subject"),
        add_months_expr(month(first), pl.col("k")).alias("month"), pl.lit(amount_fen, pl.Int64).alias("amount_fen"),
    )  # fmt: skip


# --------------------------------------------------------------------------- JS-01a 一次性评价费补贴
def js01a(
    c: Planter,
    p: pl.DataFrame,
    *,
    level: str = "senior",
    months_before: int = 3,
    edge: int | None = None,
    prior: bool = False,
    school: str | None = "home",
    full_time: bool = True,
) -> Rows:
    g = c.last_graduation()
    grad = lit(g)
    when = (plus(lit(add_months(g, -12)), edge) if edge is not None
            else plus(add_months_expr(grad, -months_before), -J))  # fmt: skip
    fee = {"senior": 40000, "technician": 60000, "intermediate": 30000}[level]
    r = Rows()
    r.add("persons", person(p, birth_for_age(grad, 22), hukou=c.home))
    r.add("education", education(p, "bachelor", grad, full_time=full_time,
                                 school=c.home if school == "home" else school))  # fmt: skip
    r.add("skill_evaluations", p.select("person", pl.lit(level).alias("level"), when.alias("date"),
                                        pl.lit(fee, pl.Int64).alias("fee_fen")))  # fmt: skip
    if prior:
        r.add("skill_evaluations", p.select("person", pl.lit("intermediate").alias("level"),
                                            plus(add_months_expr(grad, -20), -J).alias("date"),
                                            pl.lit(30000, pl.Int64).alias("fee_fen")))  # fmt: skip
    return r


# --------------------------------------------------------------------------- JS-02 长期失业青年灵活就业补贴
def js02(
    c: Planter,
    p: pl.DataFrame,
    *,
    extra_day: int = 1,
    age: int | None = 28,
    age_edge: int | None = None,
    hardship: str | None = None,
    hukou: str = "home",
    spell_end_before: int = 1,
    paid_months: int = 0,
    unpaid: tuple[int, ...] = (),
) -> Rows:
    spell = plus(lit(add_months(c.w0, 1)), J)
    reg = plus(add_months_expr(spell, 6), extra_day)
    p = p.with_columns(spell.alias("s"), reg.alias("r"))
    s, r_ = pl.col("s"), pl.col("r")
    birth = (plus(add_years_expr(r_, -36), age_edge) if age_edge is not None
             else birth_for_age(r_, age if age is not None else 28))  # fmt: skip
    rows = Rows()
    rows.add("persons", person(p, birth, hukou=c.home if hukou == "home" else hukou))
    rows.add("unemployment", period(p, s, plus(r_, -spell_end_before)))
    rows.add("flexible", period(p, r_))
    paid = ~pl.col("k").is_in(list(unpaid)) if unpaid else True
    rows.add("social_insurance", insured(p, r_, months_until(r_, c.w1) + 1, None, scheme="flexible", paid=paid))
    if hardship == "active":
        rows.add("statuses", period(p, plus(s, 10), kind=pl.lit("employment_hardship")))
    elif hardship == "ended":
        rows.add("statuses", period(p, plus(s, -300), plus(r_, -10), kind=pl.lit("employment_hardship")))
    if paid_months:
        rows.add("payments", payments(p, "JS-02", pl.col("person"), r_, paid_months, 100000))
    return rows


# --------------------------------------------------------------------------- JS-03a 应届高校毕业生一次性就业补贴
def js03a(
    c: Planter,
    p: pl.DataFrame,
    *,
    level: str = "bachelor",
    insured_months: int | None = None,
    term: str = "open",
    next_year: bool = False,
    employer_type: str = "enterprise",
    employer_where: str = "home",
    registered: bool = True,
    full_time: bool = True,
    hukou: str | None = "home",
    origin: str | None = None,
) -> Rows:
    g = c.last_graduation()
    g = dt.date(g.year - 1, 6, 30) if add_months(dt.date(g.year, 7, 1), 14) > c.w1 else g
    grad = lit(g)
    start = plus(lit(dt.date(g.year + 1, 1, 5)), J) if next_year else plus(lit(dt.date(g.year, 7, 1)), J)
    p = p.with_columns(start.alias("c"), c.employer(len(p), employer_type, employer_where).alias("emp"))
    cs = pl.col("c")
    end = {"open": None, "exact_year": plus(add_years_expr(cs, 1), -1), "short": plus(add_years_expr(cs, 1), -2)}[term]
    age = {"secondary_vocational": 19, "junior_college": 21, "bachelor": 22, "master": 25, "doctor": 28}[level]
    h = c.home if hukou == "home" else hukou
    rows = Rows()
    rows.add("persons", person(p, birth_for_age(grad, age), hukou=h, origin=origin if origin else h))
    rows.add("education", education(p, level, grad, full_time=full_time, school="pudong"))
    if level in ("master", "doctor"):
        rows.add("education", education(p, "bachelor", add_years_expr(grad, -3 if level == "master" else -6)))
    rows.add("contracts", contract(p, "c1", pl.col("emp"), cs, end, registered=registered))
    last = c.w1 if end is None else dt.date(9999, 1, 1)
    n_months = months_until(cs, last) + 1 if end is None else pl.lit(12)
    paid: bool | pl.Expr = pl.col("k") < insured_months if insured_months is not None else True
    rows.add("social_insurance", insured(p, cs, n_months, pl.col("emp"), base=880000, paid=paid))
    return rows


# --------------------------------------------------------------------------- JS-03b 就业见习生活费补贴
def js03b(
    c: Planter,
    p: pl.DataFrame,
    *,
    inset: int = 0,
    base_where: str = "home",
    hukou: str = "home",
    profile: str = "graduate",
) -> Rows:
    g = c.last_graduation()
    g = dt.date(g.year - 1, 6, 30) if dt.date(g.year + 1, 3, 1) > c.w1 else g
    s = dt.date(g.year, 9, 1)
    e = add_months(s, 6) - dt.timedelta(days=1)
    p = p.with_columns(plus(lit(s), inset).alias("s"), plus(lit(e), -inset).alias("e"),
                       c.org(len(p), "internship_base", base_where).alias("base"))  # fmt: skip
    h = c.home if hukou == "home" else hukou
    rows = Rows()
    on = pl.col("s")
    if profile == "graduate":
        rows.add("persons", person(p, birth_for_age(lit(g), 22), hukou=h))
        rows.add("education", education(p, "bachelor", lit(g), school="pudong"))
    elif profile in ("age35", "age36"):
        birth = plus(add_years_expr(on, -36), 1 if profile == "age35" else 0)
        rows.add("persons", person(p, birth, hukou=h))
        rows.add("education", education(p, "junior_college", lit(dt.date(g.year - 14, 6, 30))))
        rows.add("unemployment", period(p, plus(on, -200)))
    elif profile == "employed_older":
        rows.add("persons", person(p, birth_for_age(on, 41), hukou=h))
        rows.add("education", education(p, "bachelor", lit(dt.date(g.year - 19, 6, 30))))
        p = p.with_columns(c.employer(len(p)).alias("emp"))
        cstart = lit(add_months(c.w0, -30))
        rows.add("contracts", contract(p, "c1", pl.col("emp"), cstart))
        rows.add("social_insurance", insured(p, lit(c.w0), 24, pl.col("emp"), base=900000))
    rows.add("internships", p.select(
        pl.concat_str([pl.col("person"), pl.lit("-i1")]).alias("internship_id"), "person", "base",
        pl.col("s").alias("start"), pl.col("e").alias("end"), pl.lit(None, pl.Date).alias("contract_signed_on"),
    ))  # fmt: skip
    return rows


# --------------------------------------------------------------------------- JS-04 农村劳动力跨区转移就业补贴
THRESHOLD_1_2 = 886080  # 1.2 × 7,384 yuan (from 2024-07), in fen


def js04(
    c: Planter,
    p: pl.DataFrame,
    *,
    base: str | int = 886000,
    until_june: bool = False,
    employer_where: str = "shanghai",
    agricultural: bool = True,
    registered: bool = True,
    term: str = "open",
    gender: str = "male",
    turns: int | None = None,
    since_js_start: bool = False,
    paid_before_window: bool = False,
) -> Rows:
    start = lit(JS_START) if since_js_start or paid_before_window else plus(lit(c.w0), J)
    p = p.with_columns(start.alias("c"), c.employer(len(p), "enterprise", employer_where).alias("emp"))
    cs = pl.col("c")
    end: pl.Expr | None = None
    if term == "short":
        end = plus(add_years_expr(cs, 1), -2)
    if turns is not None:  # the birthday falls mid-window: working age in the first months only
        birth = add_years_expr(plus(lit(add_months(c.w0, 6)), J), -turns)
    else:
        birth = birth_for_age(lit(c.w0), 40)
    rows = Rows()
    rows.add("persons", person(p, birth, gender=gender, hukou=c.home, agricultural=agricultural))
    rows.add("contracts", contract(p, "c1", pl.col("emp"), cs, end, registered=registered))
    first = lit(c.w0) if paid_before_window else cs
    if until_june:  # insured only up to 2025-06, where 1.2 × 7,384 is the published threshold
        count: int | pl.Expr = months_until(cs, dt.date(2025, 6, 1)) + 1
    elif term == "short":
        count = 12
    else:
        count = months_until(first, c.w1) + 1
    rows.add("social_insurance", insured(p, first, count, pl.col("emp"), base=base))
    if paid_before_window:
        before = (c.w0.year * 12 + c.w0.month) - (JS_START.year * 12 + JS_START.month)
        if before > 0:
            rows.add("payments", payments(p, "JS-04", pl.col("person"), lit(JS_START), before, 80000))
    return rows


# --------------------------------------------------------------------------- JS-08 一次性获证补贴
def js08(
    c: Planter,
    p: pl.DataFrame,
    *,
    levels: tuple[str, ...] = ("senior",),
    where: str | None = "home",
    paid: bool = False,
) -> Rows:
    on = plus(lit(add_months(c.w0, 6)), J)
    p = p.with_columns(on.alias("o"))
    inst = c.org(len(p), "training_institution", where) if where else pl.Series([None] * len(p), dtype=pl.String)
    p = p.with_columns(inst.alias("inst"))
    rows = Rows()
    rows.add("persons", person(p, birth_for_age(pl.col("o"), 33), hukou=c.home))
    for i, level in enumerate(levels):
        rows.add("certificates", p.select(
            "person", pl.lit(level).alias("level"), plus(pl.col("o"), 120 * i).alias("obtained_on"),
            pl.col("inst").alias("training_institution"),
        ))  # fmt: skip
    if paid:
        amount = {"senior_technician": 200000, "technician": 150000, "senior": 100000}[levels[0]]
        rows.add("payments", payments(p, "JS-08", pl.col("person"), pl.col("o"), 1, amount))
    return rows


# --------------------------------------------------------------------------- JS-11 / 12 / 13 对口地区劳动力
def paired(
    c: Planter,
    p: pl.DataFrame,
    *,
    months: int | None = None,
    referred: bool | None = None,
    earlier: str | None = None,
    status_after: bool = False,
    employer_type: str = "enterprise",
    registered: bool = True,
    paid: bool = False,
) -> Rows:
    start = plus(lit(add_months(c.w0, 1)), J)
    p = p.with_columns(start.alias("c"), c.employer(len(p), employer_type, "home").alias("emp"))
    if referred is not None:
        p = p.with_columns(c.org(len(p), "hr_agency", "home", quality=referred).alias("hr"))
    cs = pl.col("c")
    area = PAIRED_AREA_CODES[0]
    rows = Rows()
    rows.add("persons", person(p, birth_for_age(cs, 30), hukou=None, agricultural=True, area=area))
    status_start = plus(cs, 10) if status_after else plus(cs, -100)
    rows.add("statuses", period(p, status_start, kind=pl.lit("paired_region_rural_labor")))
    end = plus(add_months_expr(cs, months), -1) if months is not None else None
    rows.add("contracts", contract(p, "c2", pl.col("emp"), cs, end, registered=registered,
                                   referred_by=pl.col("hr") if referred is not None else None))  # fmt: skip
    count = pl.lit(months) if months is not None else months_until(cs, c.w1) + 1
    rows.add("social_insurance", insured(p, cs, count, pl.col("emp")))
    if earlier is not None:
        p = p.with_columns(
            (c.employer(len(p), "labor_dispatch", "home") if earlier == "home_dispatch"
             else c.employer(len(p), "enterprise", "songjiang" if c.home != "songjiang" else "pudong")).alias("prev")
        )  # fmt: skip
        rows.add("contracts", contract(p, "c1", pl.col("prev"), plus(cs, -400), plus(cs, -30)))
    if paid:
        rows.add("payments", payments(p, "JS-11", pl.col("emp"), cs, 9, 50000))
        rows.add("payments", payments(p, "JS-13", pl.col("person"), add_months_expr(cs, 2), 1, 120000))
    return rows


# --------------------------------------------------------------------------- Chongming measures
def cm10c(
    c: Planter,
    p: pl.DataFrame,
    *,
    kind: str = "low_income_family",
    level: str = "bachelor",
    hukou: str = "home",
    ended: bool = False,
    full_time: bool = True,
) -> Rows:
    g = c.last_graduation()
    h = c.home if hukou == "home" else hukou
    rows = Rows()
    rows.add("persons", person(p, birth_for_age(lit(g), 22), hukou=h))
    rows.add("education", education(p, level, lit(g), full_time=full_time, school="yangpu"))
    end = lit(dt.date(g.year - 1, 12, 31)) if ended else None
    rows.add("statuses", period(p, lit(dt.date(g.year - 2, 3, 1)), end, kind=pl.lit(kind)))
    return rows


def cm_hire(
    c: Planter,
    p: pl.DataFrame,
    *,
    start: dt.date = dt.date(2023, 7, 10),
    profile: str = "graduate",
    employer_where: str = "home",
    size: str | None = None,
    registered: bool = True,
    spell_months: int = 3,
    spell_extra_day: int = 0,
) -> Rows:
    """A hire by a (Chongming) employer: CM-04a, CM-04b, CM-09/10b, CM-10a, CM-10d, CM-10e, CM-10g."""
    p = p.with_columns(plus(lit(start), J).alias("c"),
                       c.employer(len(p), "enterprise", employer_where, size).alias("emp"))
    cs = pl.col("c")
    grad = lit(dt.date(start.year, 6, 30))
    rows = Rows()
    if profile == "graduate":
        rows.add("persons", person(p, birth_for_age(grad, 22), hukou=c.home))
        rows.add("education", education(p, "bachelor", grad, school="yangpu"))
    elif profile in ("age24", "age25"):
        rows.add("persons", person(p, birth_for_age(cs, 24 if profile == "age24" else 25), hukou=c.home))
        rows.add("unemployment", period(p, plus(cs, -60), plus(cs, -1)))
    elif profile == "spell":
        rows.add("persons", person(p, birth_for_age(cs, 38), hukou=c.home))
        rows.add("unemployment", period(p, plus(add_months_expr(cs, -spell_months), spell_extra_day), plus(cs, -1)))
    elif profile == "hardship":
        rows.add("persons", person(p, birth_for_age(cs, 45), hukou=c.home))
        rows.add("statuses", period(p, plus(cs, -400), kind=pl.lit("employment_hardship")))
        rows.add("unemployment", period(p, plus(cs, -300), plus(cs, -1)))
    elif profile == "farmer_low_income":
        rows.add("persons", person(p, birth_for_age(cs, 42), hukou=c.home, agricultural=True))
        rows.add("statuses", period(p, plus(cs, -500), kind=pl.lit("low_income_family")))
    rows.add("contracts", contract(p, "c1", pl.col("emp"), cs, registered=registered))
    rows.add("social_insurance", insured(p, cs, months_until(cs, c.w1) + 1, pl.col("emp")))
    return rows


def cm_flexible(c: Planter, p: pl.DataFrame, *, profile: str = "hardship") -> Rows:
    """CM-10a (hardship, flexible) and CM-10f (older unemployed, flexible)."""
    reg = plus(lit(add_months(c.w0, 3)), J)
    p = p.with_columns(reg.alias("r"))
    r_ = pl.col("r")
    rows = Rows()
    if profile == "hardship":
        rows.add("persons", person(p, birth_for_age(r_, 46), hukou=c.home))
        rows.add("statuses", period(p, plus(r_, -400), kind=pl.lit("employment_hardship")))
    else:
        rows.add("persons", person(p, birth_for_age(r_, 55), gender="male", hukou=c.home))
    rows.add("unemployment", period(p, plus(r_, -250), plus(r_, -1)))
    rows.add("flexible", period(p, r_))
    rows.add("social_insurance", insured(p, r_, months_until(r_, c.w1) + 1, None, scheme="flexible"))
    return rows


def cm08(c: Planter, p: pl.DataFrame, *, start: dt.date, months: int, signed: dt.date) -> Rows:
    p = p.with_columns(c.org(len(p), "internship_base", "home").alias("base"))
    end = add_months(start, months) - dt.timedelta(days=1)
    rows = Rows()
    rows.add("persons", person(p, birth_for_age(lit(start), 23), hukou=c.home))
    rows.add("education", education(p, "bachelor", lit(dt.date(start.year, 6, 30)), school="yangpu"))
    rows.add("internships", p.select(
        pl.concat_str([pl.col("person"), pl.lit("-i1")]).alias("internship_id"), "person", "base",
        lit(start).alias("start"), lit(end).alias("end"), lit(signed).alias("contract_signed_on"),
    ))  # fmt: skip
    return rows


# --------------------------------------------------------------------------- catalogue
S = Situation
_EXCLUDED = JINSHAN_EMPLOYER_EXCLUSION.types

# fmt: off
PERSON_SITUATIONS: tuple[Situation, ...] = (
    # JS-01a
    S("js01a_senior", "JS-01a", "eligible", "在金山院校全日制就读，毕业前3个月参加高级工评价", partial(js01a)),
    S("js01a_technician", "JS-01a", "eligible", "毕业学年参加技师评价（费用600元）", partial(js01a, level="technician")),
    S("js01a_12_months_inside", "JS-01a", "eligible", "评价日为毕业日前12个月后1天（在毕业学年内）",
      partial(js01a, edge=1)),
    S("js01a_12_months_outside", "JS-01a", "not_eligible", "评价日为毕业日前12个月前1天（不在毕业学年）",
      partial(js01a, edge=-1)),
    S("js01a_intermediate", "JS-01a", "not_eligible", "评价等级为中级工（低于高级）", partial(js01a, level="intermediate")),
    S("js01a_prior_evaluation", "JS-01a", "not_eligible", "此前已参加过一次（中级）评价", partial(js01a, prior=True)),
    S("js01a_school_elsewhere", "JS-01a", "not_eligible", "院校不在金山（松江）", partial(js01a, school="songjiang")),
    S("js01a_part_time", "JS-01a", "not_eligible", "非全日制学生", partial(js01a, full_time=False)),
    # JS-02
    S("js02_over_6_months", "JS-02", "capped", "失业6个月又1天后灵活就业登记，按月缴费超过12个月（12个月封顶）",
      partial(js02)),
    S("js02_exactly_6_months", "JS-02", "not_eligible", "失业登记满6个月当天灵活就业登记（未超过6个月）",
      partial(js02, extra_day=0)),
    S("js02_age_35", "JS-02", "capped", "灵活就业登记日35周岁（差1天满36）", partial(js02, age_edge=1)),
    S("js02_age_36", "JS-02", "not_eligible", "灵活就业登记日恰满36周岁", partial(js02, age_edge=0)),
    S("js02_hardship", "JS-02", "not_eligible", "登记时为就业困难人员", partial(js02, hardship="active")),
    S("js02_hardship_ended", "JS-02", "capped", "就业困难人员认定在登记前已终止", partial(js02, hardship="ended")),
    S("js02_not_local", "JS-02", "not_eligible", "户籍在松江", partial(js02, hukou="songjiang")),
    S("js02_spell_closed", "JS-02", "not_eligible", "失业登记在灵活就业登记前2天已注销", partial(js02, spell_end_before=2)),
    S("js02_paid_earlier", "JS-02", "paid", "已发放10个月，只剩2个月", partial(js02, paid_months=10)),
    S("js02_unpaid_months", "JS-02", "partial", "第3、4个月未缴费：这两个月没有补贴", partial(js02, unpaid=(2, 3))),
    # JS-03a
    S("js03a_bachelor", "JS-03a", "eligible", "金山生源应届本科生，毕业当年签约金山企业并缴满6个月（3,000元）",
      partial(js03a)),
    S("js03a_master", "JS-03a", "eligible", "应届硕士（8,000元）", partial(js03a, level="master")),
    S("js03a_doctor", "JS-03a", "eligible", "应届博士（18,000元）", partial(js03a, level="doctor")),
    S("js03a_5_months", "JS-03a", "not_eligible", "只缴满5个月（之后欠缴）", partial(js03a, insured_months=5)),
    S("js03a_6_months", "JS-03a", "eligible", "恰缴满6个月", partial(js03a, insured_months=6)),
    S("js03a_term_exact_year", "JS-03a", "eligible", "合同期限为1年减1天（满1年）", partial(js03a, term="exact_year")),
    S("js03a_term_short", "JS-03a", "not_eligible", "合同期限为1年减2天（不满1年）", partial(js03a, term="short")),
    S("js03a_next_year", "JS-03a", "not_eligible", "毕业次年才签约（非应届）", partial(js03a, next_year=True)),
    *(S(f"js03a_excluded_{t}", "JS-03a", "not_eligible", f"用人单位类型为排除类型 {t}（G3）",
        partial(js03a, employer_type=t)) for t in _EXCLUDED),
    S("js03a_employer_elsewhere", "JS-03a", "not_eligible", "用人单位在外区", partial(js03a, employer_where="shanghai")),
    S("js03a_unregistered", "JS-03a", "not_eligible", "合同未办理用工登记", partial(js03a, registered=False)),
    S("js03a_junior_college", "JS-03a", "not_eligible", "最高学历为大专", partial(js03a, level="junior_college")),
    S("js03a_part_time", "JS-03a", "not_eligible", "非全日制学历", partial(js03a, full_time=False)),
    S("js03a_origin_elsewhere", "JS-03a", "not_eligible", "金山户籍但生源地为浦东", partial(js03a, origin="pudong")),
    S("js03a_origin_home_hukou_elsewhere", "JS-03a", "eligible", "户籍在松江、生源地为金山",
      partial(js03a, hukou="songjiang", origin="jinshan")),
    # JS-03b
    S("js03b_graduate", "JS-03b", "eligible", "金山户籍应届毕业生在金山见习基地见习6个整月", partial(js03b)),
    S("js03b_partial_months", "JS-03b", "eligible", "见习起止各缩进1天：只有4个整月", partial(js03b, inset=1)),
    S("js03b_base_elsewhere", "JS-03b", "not_eligible", "见习基地不在金山", partial(js03b, base_where="other")),
    S("js03b_not_local", "JS-03b", "not_eligible", "户籍在松江", partial(js03b, hukou="songjiang")),
    S("js03b_age_35_unemployed", "JS-03b", "eligible", "见习首日35周岁、失业（JS-01b）", partial(js03b, profile="age35")),
    S("js03b_age_36_unemployed", "JS-03b", "not_eligible", "见习首日恰满36周岁、毕业已久", partial(js03b, profile="age36")),
    S("js03b_employed_older", "JS-03b", "not_eligible", "41岁在职人员（不符合JS-01b见习对象）",
      partial(js03b, profile="employed_older")),
    # JS-04
    S("js04_base_just_below", "JS-04", "eligible", "外区就业的金山农业户籍劳动力，缴费基数8,860元（低于1.2倍8,860.80元）",
      partial(js04)),
    S("js04_min_base", "JS-04", "eligible", "按最低缴费基数缴费", partial(js04, base="min")),
    S("js04_base_at_threshold", "JS-04", "not_eligible", "缴费基数恰为1.2倍（8,860.80元，不低于）",
      partial(js04, base=THRESHOLD_1_2, until_june=True)),
    S("js04_base_just_above", "JS-04", "not_eligible", "缴费基数8,861元（高于1.2倍）",
      partial(js04, base=886100, until_june=True)),
    S("js04_employer_home", "JS-04", "not_eligible", "在金山本区就业（非跨区）", partial(js04, employer_where="home")),
    S("js04_employer_outside_shanghai", "JS-04", "not_eligible", "用人单位在外省市",
      partial(js04, employer_where="outside")),
    S("js04_not_agricultural", "JS-04", "not_eligible", "非农业户籍", partial(js04, agricultural=False)),
    S("js04_unregistered", "JS-04", "not_eligible", "未办理用工登记", partial(js04, registered=False)),
    S("js04_term_short", "JS-04", "not_eligible", "合同期限1年减2天", partial(js04, term="short")),
    S("js04_woman_turns_50", "JS-04", "partial", "女性，窗口第7个月内满50周岁：此前各月有补贴，此后没有",
      partial(js04, gender="female", turns=50)),
    S("js04_man_turns_60", "JS-04", "partial", "男性，窗口第7个月内满60周岁：此前各月有补贴，此后没有",
      partial(js04, gender="male", turns=60)),
    S("js04_cap_36", "JS-04", "capped", "自2023-01起连续缴费：36个月封顶", partial(js04, base="min", since_js_start=True)),
    S("js04_paid_earlier", "JS-04", "paid", "窗口前已发放的月份计入36个月上限",
      partial(js04, base="min", paid_before_window=True)),
    # JS-08
    S("js08_senior_technician", "JS-08", "eligible", "金山培训机构培训取得高级技师证书（2,000元）",
      partial(js08, levels=("senior_technician",))),
    S("js08_technician", "JS-08", "eligible", "技师证书（1,500元）", partial(js08, levels=("technician",))),
    S("js08_senior", "JS-08", "eligible", "高级工证书（1,000元）", partial(js08, levels=("senior",))),
    S("js08_intermediate", "JS-08", "not_eligible", "中级工证书", partial(js08, levels=("intermediate",))),
    S("js08_institution_elsewhere", "JS-08", "not_eligible", "培训机构不在金山", partial(js08, where="other")),
    S("js08_no_institution", "JS-08", "not_eligible", "未经培训机构培训", partial(js08, where=None)),
    S("js08_same_level_twice", "JS-08", "eligible", "同一等级两张证书：只补一次", partial(js08, levels=("senior", "senior"))),
    S("js08_two_levels", "JS-08", "eligible", "高级工、技师各一张：两笔", partial(js08, levels=("senior", "technician"))),
    S("js08_paid", "JS-08", "paid", "技师补贴已发放", partial(js08, levels=("technician",), paid=True)),
    # JS-11 / JS-12 / JS-13
    S("paired_worker", "JS-11/JS-13", "capped", "对口地区农村劳动力首次在金山企业就业，缴费超过12个月（JS-11 12个月封顶）",
      partial(paired)),
    S("paired_referred_quality", "JS-12", "eligible", "经市级品质人力资源机构推荐", partial(paired, referred=True)),
    S("paired_referred_plain", "JS-12", "not_eligible", "推荐机构非品质机构（JS-11/13 仍可享受）",
      partial(paired, referred=False)),
    S("paired_2_months", "JS-11/JS-13", "not_eligible", "只缴费2个月", partial(paired, months=2)),
    S("paired_3_months", "JS-11/JS-13", "eligible", "恰缴费3个月：第3个月补发前2个月", partial(paired, months=3)),
    S("paired_earlier_home_job", "JS-11/JS-13", "not_eligible", "此前在金山劳务派遣公司就业（非首次）",
      partial(paired, earlier="home_dispatch")),
    S("paired_earlier_job_elsewhere", "JS-11/JS-13", "capped", "此前在外区就业（仍为在金山首次就业）",
      partial(paired, earlier="elsewhere")),
    S("paired_status_after_start", "JS-11/JS-13", "not_eligible", "合同开始后才认定为对口地区农村劳动力",
      partial(paired, status_after=True)),
    S("paired_excluded_employer", "JS-11/JS-13", "not_eligible", "用人单位为劳务派遣公司（G3）",
      partial(paired, employer_type="labor_dispatch")),
    S("paired_unregistered", "JS-11/JS-13", "not_eligible", "未办理用工登记", partial(paired, registered=False)),
    S("paired_paid_earlier", "JS-11/JS-13", "paid", "JS-11 已发9个月、JS-13 已发放", partial(paired, paid=True)),
    # Chongming
    *(S(f"cm10c_{k}", "CM-10c", "eligible", f"崇明户籍应届高校毕业生，身份 {k}", partial(cm10c, kind=k), "chongming")
      for k in ("min_living_allowance_family", "low_income_family", "disabled", "zero_employment_family",
                "employment_hardship")),
    S("cm10c_junior_college", "CM-10c", "eligible", "大专毕业（高校）", partial(cm10c, level="junior_college"),
      "chongming"),
    S("cm10c_secondary_vocational", "CM-10c", "not_eligible", "中职毕业（非高校）",
      partial(cm10c, level="secondary_vocational"), "chongming"),
    S("cm10c_paired_status", "CM-10c", "not_eligible", "身份为对口地区农村劳动力（不在列）",
      partial(cm10c, kind="paired_region_rural_labor"), "chongming"),
    S("cm10c_not_local", "CM-10c", "not_eligible", "户籍在浦东", partial(cm10c, hukou="pudong"), "chongming"),
    S("cm10c_status_ended", "CM-10c", "not_eligible", "身份在毕业前一年底已终止", partial(cm10c, ended=True), "chongming"),
    S("cm10c_part_time", "CM-10c", "not_eligible", "非全日制", partial(cm10c, full_time=False), "chongming"),
    S("cm04a_graduate_2023", "CM-04a", "eligible", "崇明企业2023年招用2023届毕业生", partial(cm_hire), "chongming"),
    S("cm04a_start_2024", "CM-04a", "not_eligible", "合同2024-01-01起（窗口外）",
      partial(cm_hire, start=dt.date(2024, 1, 1)), "chongming"),
    S("cm04a_start_2022", "CM-04a", "not_eligible", "合同2022-12-04起（窗口外）",
      partial(cm_hire, start=dt.date(2022, 12, 4)), "chongming"),
    S("cm04a_age_24_unemployed", "CM-04a", "eligible", "招用时24周岁、登记失业", partial(cm_hire, profile="age24"),
      "chongming"),
    S("cm04a_age_25_unemployed", "CM-04a", "not_eligible", "招用时25周岁", partial(cm_hire, profile="age25"),
      "chongming"),
    S("cm04a_employer_elsewhere", "CM-04a", "not_eligible", "用人单位不在崇明",
      partial(cm_hire, employer_where="shanghai"), "chongming"),
    S("cm04a_unregistered", "CM-04a", "not_eligible", "未办理用工登记", partial(cm_hire, registered=False), "chongming"),
    S("cm10d_3_months", "CM-10d", "eligible", "失业登记恰满3个月后被招用（三个月以上含3个月）",
      partial(cm_hire, profile="spell"), "chongming"),
    S("cm10d_3_months_less_1_day", "CM-10d", "not_eligible", "失业登记差1天满3个月",
      partial(cm_hire, profile="spell", spell_extra_day=1), "chongming"),
    S("cm10d_start_2024", "CM-10d", "not_eligible", "2024年招用（窗口外）",
      partial(cm_hire, profile="spell", start=dt.date(2024, 2, 1)), "chongming"),
    S("cm08_signed_2023", "CM-08", "eligible", "见习期内2023-09-15签约：剩余2个整月",
      partial(cm08, start=dt.date(2023, 6, 1), months=6, signed=dt.date(2023, 9, 15)), "chongming"),
    S("cm08_signed_2024", "CM-08", "not_eligible", "2024-01-10才签约",
      partial(cm08, start=dt.date(2023, 10, 1), months=6, signed=dt.date(2024, 1, 10)), "chongming"),
    S("cm08_signed_after_end", "CM-08", "not_eligible", "见习结束后才签约",
      partial(cm08, start=dt.date(2023, 5, 1), months=6, signed=dt.date(2023, 12, 5)), "chongming"),
    S("cm04b_micro_graduate", "CM-04b", "eligible", "小微企业招用应届毕业生",
      partial(cm_hire, start=dt.date(2025, 7, 10), size="micro"), "chongming"),
    S("cm10e_new_hire", "CM-10e", "eligible", "崇明户籍失业6个月后被崇明企业新招用",
      partial(cm_hire, profile="spell", spell_months=6, start=dt.date(2025, 3, 3)), "chongming"),
    S("cm10a_hardship_hired", "CM-10a", "eligible", "就业困难人员被单位招用", partial(cm_hire, profile="hardship",
                                                                       start=dt.date(2025, 4, 1)), "chongming"),
    S("cm10a_hardship_flexible", "CM-10a", "eligible", "就业困难人员灵活就业", partial(cm_flexible), "chongming"),
    S("cm10f_older_flexible", "CM-10f", "eligible", "55岁失业男性灵活就业", partial(cm_flexible, profile="older"),
      "chongming"),
    S("cm10g_farmer_low_income", "CM-10g", "eligible", "低收入家庭农业户籍人员实现就业",
      partial(cm_hire, profile="farmer_low_income", start=dt.date(2025, 5, 6)), "chongming"),
)
# fmt: on


def situations_for(district: str) -> tuple[Situation, ...]:
    return tuple(s for s in PERSON_SITUATIONS if s.district == district)


def person_plan(config: DemoConfig) -> pl.DataFrame:
    """How many people each planted situation of the district gets."""
    chosen = situations_for(config.district)
    count = max(config.planted_minimum, round(config.persons * config.planted_share))
    return pl.DataFrame(
        {"situation": [s.key for s in chosen], "measure": [s.measure for s in chosen],
         "expect": [s.expect for s in chosen], "count": [count] * len(chosen)},
        schema={"situation": pl.String, "measure": pl.String, "expect": pl.String, "count": pl.Int64},
    )  # fmt: skip


SITUATION_SCHEMA = {"situation": pl.String, "measure": pl.String, "expect": pl.String, "subject": pl.String,
                    "subject_kind": pl.String}  # fmt: skip


def plant_persons(
    config: DemoConfig,
    plan: pl.DataFrame,
    ids: pl.Series,
    employers: pl.DataFrame,
    organizations: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """Run every situation's builder over its share of ``ids`` (in plan order)."""
    by_key = {s.key: s for s in PERSON_SITUATIONS}
    rng = rng_for(config.seed, "planted")
    planter = Planter(config, employers, organizations, rng_for(config.seed, "planted-pools"))
    tables: dict[str, list[pl.DataFrame]] = {}
    marks: list[pl.DataFrame] = []
    offset = 0
    for row in plan.iter_rows(named=True):  # one vectorised builder per situation (not per person)
        n = int(row["count"])
        who = ids.slice(offset, n)
        offset += n
        p = pl.DataFrame({"person": who, "j": rng.integers(0, 28, n), "u": rng.integers(0, 201, n)})
        built = by_key[row["situation"]].build(planter, p)
        for name, parts in built.tables.items():
            tables.setdefault(name, []).extend(parts)
        marks.append(pl.DataFrame({"situation": row["situation"], "measure": row["measure"],
                                   "expect": row["expect"], "subject": who, "subject_kind": "person"},
                                  schema=SITUATION_SCHEMA))  # fmt: skip
    out = {
        name: pl.concat([f if name == "persons" else conform(name, f) for f in parts], how="vertical_relaxed")
        for name, parts in tables.items()
    }
    out["situations"] = pl.concat(marks) if marks else pl.DataFrame(schema=SITUATION_SCHEMA)
    return out


# --------------------------------------------------------------------------- organisations
@dataclass(frozen=True)
class OrgSituation:
    key: str
    measure: str
    expect: str
    note: str


ORG_SITUATIONS: tuple[OrgSituation, ...] = (
    OrgSituation("inc_A_B_C", "JS-05", "eligible", "孵化基地三年评为A、B、C：30万、20万、10万"),
    OrgSituation("inc_C_D_D", "JS-05r", "revoked", "C、D、D：第二个D时撤销称号，只有C年度有补贴"),
    OrgSituation("inc_D_C_D", "JS-05r", "eligible", "D、C、D：不连续，不撤销"),
    OrgSituation("inc_B_fail_A", "JS-05r", "revoked", "B、不达标、A：不达标当年撤销，之后的A不再补贴"),
    OrgSituation("inc_A_absent_B", "JS-05r", "revoked", "A、未参评、B：未参评当年撤销"),
    OrgSituation("inc_elsewhere", "JS-05", "not_eligible", "外区孵化基地（A、A、A）"),
    OrgSituation("gs_city_subsidy", "JS-06", "eligible", "市级补贴40,000元：区补50%即20,000元"),
    OrgSituation("gs_odd_amount", "JS-06", "eligible", "市级补贴40,001元：20,000.50元（G11）"),
    OrgSituation("gs_elsewhere", "JS-06", "not_eligible", "外区院校指导站"),
    OrgSituation("host_events", "JS-07a", "capped", "三场大赛费用8万、10万、12万：补8万、10万、10万（封顶）"),
    OrgSituation("award_place_1", "JS-07b", "eligible", "一等奖 5万"),
    OrgSituation("award_place_2", "JS-07b", "eligible", "二等奖 3万"),
    OrgSituation("award_place_3", "JS-07b", "eligible", "三等奖 1万"),
    OrgSituation("award_place_4", "JS-07b", "not_eligible", "第四名：无资助"),
    OrgSituation("landing_ok", "JS-07c", "eligible", "获奖后落地金山，正常经营满1年、吸纳本区户籍：核定8万"),
    OrgSituation("landing_over_cap", "JS-07c", "capped", "核定15万：最多10万"),
    OrgSituation("landing_before_award", "JS-07c", "not_eligible", "获奖前已注册"),
    OrgSituation("landing_not_operating", "JS-07c", "not_eligible", "未正常经营"),
    OrgSituation("landing_no_local_hire", "JS-07c", "not_eligible", "未吸纳本区户籍人员"),
    OrgSituation("landing_under_one_year", "JS-07c", "not_eligible", "落地不满1年"),
)


def plant_organizations(
    config: DemoConfig, first_serial: int, startups: pl.Series
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.DataFrame]:
    """The planted organisations (Jinshan measures JS-05/06/07): two of each situation."""
    _ = startups
    home = config.district
    if home != "jinshan":
        return (pl.DataFrame(schema={"id": pl.String, "kind": pl.String, "district": pl.String,
                                     "quality_certified": pl.Boolean}), {},
                pl.DataFrame(schema=SITUATION_SCHEMA))  # fmt: skip
    ref = config.reference_month
    years = [ref.year - 3, ref.year - 2, ref.year - 1]
    copies = 2
    orgs: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    evaluations: list[dict[str, Any]] = []
    subsidies: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    awards: list[dict[str, Any]] = []
    landings: list[dict[str, Any]] = []
    serial = [first_serial]

    def new(kind: str, situation: str, district: str = home, quality: bool = False) -> str:
        oid = padded_ids(f"O{ADMIN_CODES[home]}", serial[0], 1, 6)[0]
        serial[0] += 1
        orgs.append({"id": oid, "kind": kind, "district": district, "quality_certified": quality})
        s = next(o for o in ORG_SITUATIONS if o.key == situation)
        marks.append({"situation": situation, "measure": s.measure, "expect": s.expect, "subject": oid,
                      "subject_kind": "organization"})  # fmt: skip
        return oid

    # a fixed handful of organisations (not per person): this loop is over situations, not people
    for copy in range(copies):
        for key, grades, where in (
            ("inc_A_B_C", ("A", "B", "C"), home), ("inc_C_D_D", ("C", "D", "D"), home),
            ("inc_D_C_D", ("D", "C", "D"), home), ("inc_B_fail_A", ("B", "fail", "A"), home),
            ("inc_A_absent_B", ("A", "not_participated", "B"), home), ("inc_elsewhere", ("A", "A", "A"), "songjiang"),
        ):  # fmt: skip
            oid = new("incubation_base", key, where)
            for year, grade in zip(years, grades, strict=True):
                evaluations.append({"org": oid, "year": year, "grade": grade,
                                    "published_on": dt.date(year + 1, 3, 12 + copy)})  # fmt: skip
        for key, amount, where in (("gs_city_subsidy", 4000000, home), ("gs_odd_amount", 4000100, home),
                                   ("gs_elsewhere", 4000000, "songjiang")):  # fmt: skip
            oid = new("guidance_station", key, where)
            for year in years:
                subsidies.append({"org": oid, "year": year, "amount_fen": amount,
                                  "granted_on": dt.date(year + 1, 2, 6 + copy)})  # fmt: skip
        host = new("competition_host", "host_events")
        held = [dt.date(ref.year - 2, 6, 10 + copy), dt.date(ref.year - 2, 10, 10 + copy),
                dt.date(ref.year - 1, 6, 10 + copy)]  # fmt: skip
        for i, (day, cost) in enumerate(zip(held, (8000000, 10000000, 12000000), strict=True)):
            events.append({"org": host, "event_id": f"{host}-{i + 1}", "held_on": day, "cost_fen": cost})
        first_event = events[-3]
        for place in (1, 2, 3, 4):
            winner = new("startup", f"award_place_{place}")
            awards.append({"org": host, "event_id": first_event["event_id"], "place": place, "winner": winner})
        award_on = first_event["held_on"]
        for key, registered, amount, operating, employs in (
            ("landing_ok", award_on + dt.timedelta(days=30), 8000000, True, True),
            ("landing_over_cap", award_on + dt.timedelta(days=45), 15000000, True, True),
            ("landing_before_award", award_on - dt.timedelta(days=60), 8000000, True, True),
            ("landing_not_operating", award_on + dt.timedelta(days=30), 8000000, False, True),
            ("landing_no_local_hire", award_on + dt.timedelta(days=30), 8000000, True, False),
            ("landing_under_one_year", ref - dt.timedelta(days=200), 8000000, True, True),
        ):  # fmt: skip
            startup = new("startup", key)
            landings.append({"org": startup, "registered_on": registered, "award_on": award_on
                             if key != "landing_under_one_year" else events[-1]["held_on"],
                             "approved_amount_fen": amount, "operating_normally": operating,
                             "employs_jinshan_hukou": employs})  # fmt: skip
    tables = {
        "evaluations": pl.DataFrame(evaluations).filter(pl.col("published_on") < ref),
        "city_subsidies": pl.DataFrame(subsidies).filter(pl.col("granted_on") < ref),
        "events": pl.DataFrame(events).filter(pl.col("held_on") < ref),
        "awards": pl.DataFrame(awards),
        "landings": pl.DataFrame(landings).filter(pl.col("registered_on") < ref),
    }
    return pl.DataFrame(orgs), tables, pl.DataFrame(marks, schema=SITUATION_SCHEMA)
