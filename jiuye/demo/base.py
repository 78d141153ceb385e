"""The demo district's configuration, its result type, seeded random streams and the shared constants
(distributions documented in docs/demo-data.md).  Imported by the generator (:mod:`jiuye.demo.district`)
and by the planted situations (:mod:`jiuye.demo.situations`), which no longer import each other in a cycle.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from jiuye.rules.dates import add_months
from jiuye.rules.facts import Facts
from jiuye.rules.shared import (
    SHANGHAI,
    city_min_base_fen,
    city_min_base_fen_expr,
)

DEFAULT_REFERENCE_MONTH = dt.date(2026, 11, 1)
HISTORY_MONTHS = 24


# The district's 街镇 (shared/districts.csv) with a rough weight (resident population share).
TOWNS: dict[str, tuple[tuple[str, float], ...]] = {
    "jinshan": (
        ("石化街道", 13), ("朱泾镇", 11), ("枫泾镇", 10), ("张堰镇", 6), ("亭林镇", 12), ("吕巷镇", 6),
        ("廊下镇", 4), ("金山卫镇", 11), ("漕泾镇", 5), ("山阳镇", 14), ("上海湾区高新技术产业开发区", 8),
    ),
    "chongming": (
        ("城桥镇", 14), ("堡镇", 8), ("新河镇", 6), ("庙镇", 5), ("竖新镇", 5), ("向化镇", 4), ("三星镇", 4),
        ("港沿镇", 4), ("中兴镇", 4), ("陈家镇", 9), ("绿华镇", 2), ("港西镇", 3), ("建设镇", 3), ("新海镇", 2),
        ("东平镇", 2), ("长兴镇", 16), ("新村乡", 2), ("横沙乡", 3),
    ),
}  # fmt: skip
DEMO_DISTRICTS: tuple[str, ...] = tuple(TOWNS)

# Area codes (first six digits of an ID number) for people with a hukou outside Shanghai: counties of
# the provinces most migrants to Shanghai's outer districts come from.  The Yunnan codes stand for the
# paired-assistance regions (对口帮扶地区) whose rural labour JS-11/12/13 reward.
OUTSIDE_AREA_CODES: tuple[tuple[str, float], ...] = (
    ("340121", 8), ("341221", 8), ("341322", 6), ("411323", 7), ("411522", 6), ("320321", 5), ("321322", 4),
    ("360722", 4), ("421126", 4), ("511322", 5), ("513030", 3), ("522121", 3), ("430624", 3), ("370826", 3),
    ("330381", 3), ("350583", 2), ("130627", 2), ("230182", 1),
)  # fmt: skip
PAIRED_AREA_CODES: tuple[str, ...] = ("530302", "530321", "532621", "532622", "530828", "530827")

EMPLOYER_TYPES: tuple[tuple[str, float], ...] = (
    ("enterprise", 86.0), ("government_agency", 1.0), ("public_institution", 3.0), ("social_work_org", 1.0),
    ("informal_labor_org", 2.0), ("public_welfare_labor_org", 1.0), ("labor_dispatch", 2.5),
    ("social_organization", 3.5),
)  # fmt: skip
EMPLOYER_SIZES: tuple[tuple[str, float, float], ...] = (  # size, share of employers, relative headcount
    ("micro", 62.0, 1.0), ("small", 27.0, 6.0), ("medium", 8.5, 40.0), ("large", 2.5, 250.0),
)
EMPLOYER_DISTRICT_SHARE = {"home": 0.72, "shanghai": 0.23, "outside": 0.05}

# Age pyramid (completed years at the reference month): 5-year bins and weights, shaped on the 2020
# census of Jinshan / Chongming (an ageing outer district: bulges at 30–39 and 50–64).
AGE_BINS: tuple[tuple[int, int, float], ...] = (
    (16, 19, 3.2), (20, 24, 5.4), (25, 29, 7.2), (30, 34, 9.6), (35, 39, 9.8), (40, 44, 8.4),
    (45, 49, 8.1), (50, 54, 9.9), (55, 59, 10.2), (60, 64, 9.6), (65, 69, 9.2), (70, 75, 9.4),
)  # fmt: skip
HUKOU_MIX = {  # home district / other Shanghai district / outside Shanghai
    "jinshan": (0.66, 0.08, 0.26),
    "chongming": (0.79, 0.06, 0.15),
}
AGRICULTURAL_SHARE = {"jinshan": 0.52, "chongming": 0.66, "shanghai": 0.25, "outside": 0.62}

EDUCATION_LEVELS = ("secondary_vocational", "junior_college", "bachelor", "master", "doctor")
# Highest level by age group (share of people; the rest have no post-compulsory school record).
EDUCATION_MIX_YOUNG = (0.22, 0.23, 0.20, 0.035, 0.004)  # born within 40 years of the reference
EDUCATION_MIX_OLD = (0.15, 0.08, 0.06, 0.008, 0.001)
GRADUATION_AGE = (19, 21, 22, 25, 28)

LABOUR_STATES = ("employed", "unemployed", "flexible", "inactive")
LABOUR_MIX = (0.74, 0.055, 0.065, 0.14)

CERTIFICATE_LEVELS = ("junior", "intermediate", "senior", "technician", "senior_technician")
CERTIFICATE_MIX = (0.30, 0.36, 0.24, 0.08, 0.02)
EVALUATION_FEE_FEN = (20000, 30000, 40000, 60000, 80000)


@dataclass(frozen=True)
class DemoConfig:
    district: str = "jinshan"
    persons: int = 10_000
    seed: int = 1
    reference_month: dt.date = DEFAULT_REFERENCE_MONTH
    planted_share: float = 0.0005  # share of the population per planted person situation
    planted_minimum: int = 2  # at least this many people per planted situation

    def __post_init__(self) -> None:
        if self.district not in DEMO_DISTRICTS:
            raise ValueError(f"demo district must be one of {DEMO_DISTRICTS}")
        if self.reference_month.day != 1:
            raise ValueError("reference_month must be the first day of a month")

    @property
    def window_start(self) -> dt.date:
        """First month of the insurance history (``HISTORY_MONTHS`` before the reference month)."""
        return add_months(self.reference_month, -HISTORY_MONTHS)

    @property
    def window_end(self) -> dt.date:
        """Last month of the insurance history (the month before the reference month)."""
        return add_months(self.reference_month, -1)


@dataclass
class DemoData:
    config: DemoConfig
    facts: Facts
    extras: dict[str, pl.DataFrame]  # persons / employers / organizations / events: registry-only columns
    situations: pl.DataFrame  # situation, measure, expect, subject, subject_kind


# --------------------------------------------------------------------------- random streams
def rng_for(seed: int, name: str) -> np.random.Generator:
    """An independent stream per (seed, component): stable across runs and Python versions."""
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(name.encode())])


def choice(rng: np.random.Generator, n: int, weights: tuple[float, ...] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(w), size=n, p=w / w.sum())


def days(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """Uniform integer day offsets in [low, high]."""
    return rng.integers(low, high + 1, size=n)


def np_date(day: dt.date) -> np.datetime64:
    return np.datetime64(day, "D")


def to_date_series(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values.astype("datetime64[D]")).cast(pl.Date)


def min_base_fen_expr(month: pl.Expr) -> pl.Expr:
    """Shanghai's minimum monthly contribution base in force in ``month`` (fen; before the first declared
    value, that value)."""
    return city_min_base_fen_expr(month).fill_null(_FIRST_MIN_BASE_FEN)


_FIRST_MIN_BASE_FEN = city_min_base_fen(SHANGHAI.dated("city_min_base")[0][0])


# --------------------------------------------------------------------------- identifiers
def padded_ids(prefix: str, start: int, n: int, width: int) -> pl.Series:
    return pl.select(
        (pl.lit(prefix) + pl.int_range(start, start + n, dtype=pl.Int64).cast(pl.String).str.zfill(width))
        .alias("id")
    ).to_series()


