"""Facts every room shares, each declared once: Shanghai's districts and towns (``params/districts.csv``),
the employer-type labels and the city minimum contribution base (``params/_shanghai.yaml``), the Jinshan
window and G3 employer exclusion (``params/_jinshan.yaml``).  Read by the measures, the registry, the demo
district and supervision; the measures' parameter files refer to the shared values with ``{shared: …}``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl

from jiuye.rules.parameters import MeasureParameters, parse_parameter_file, shared_file

# --- districts and towns --------------------------------------------------------------------------


@cache
def district_rows() -> tuple[dict[str, str], ...]:
    """Rows of ``districts.csv`` (district, district_name, admin_code, town, town_kind); the town is empty on
    the district's own row.  The file is the shared catalog's ``districts.csv``."""
    text = resources.files("jiuye.rules.params").joinpath("districts.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def _districts() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for row in district_rows():
        out.setdefault(row["district"], (row["district_name"], row["admin_code"]))
    return out


DISTRICTS: tuple[str, ...] = tuple(_districts())
DISTRICT_NAMES: dict[str, str] = {d: name for d, (name, _) in _districts().items()}  # jinshan → 金山区
ADMIN_CODES: dict[str, str] = {d: code for d, (_, code) in _districts().items()}  # jinshan → 310116
TOWNS: dict[str, tuple[tuple[str, str], ...]] = {
    d: tuple((r["town"], r["town_kind"]) for r in district_rows() if r["district"] == d and r["town"])
    for d in DISTRICTS
}

# --- Shanghai ---------------------------------------------------------------------------------------
_SHANGHAI = shared_file("_shanghai")

EMPLOYER_TYPE_LABELS: dict[str, str] = dict(_SHANGHAI["employer_type_labels"]["labels"])
EMPLOYER_TYPE_ALIASES: dict[str, str] = dict(_SHANGHAI["employer_type_labels"].get("aliases") or {})  # label → code

SHANGHAI: MeasureParameters = parse_parameter_file(
    {"measure": "_shanghai", "window": {"from": "1900-01"}, "parameters": _SHANGHAI["parameters"]}
)


def city_min_base_fen_expr(on: pl.Expr) -> pl.Expr:
    """本市职工基本保险最低月缴费基数 in force on the date in ``on`` (fen; null before the first value)."""
    return SHANGHAI.fen_expr("city_min_base", on)


def city_min_base_fen(day: dt.date) -> int | None:
    return SHANGHAI.fen("city_min_base", day)


# --- Jinshan (金就办〔2023〕1号) --------------------------------------------------------------------------
_JINSHAN = shared_file("_jinshan")


@dataclass(frozen=True)
class EmployerExclusion:
    """G3: employer types a measure's 用人单位 may not be."""

    clause: str  # e.g. 七(一)
    source: str  # the clause with its quote
    text: str  # the condition as shown
    types: tuple[str, ...]


JINSHAN_EMPLOYER_EXCLUSION = EmployerExclusion(
    clause=_JINSHAN["employer_exclusion"]["clause"],
    source=_JINSHAN["employer_exclusion"]["source"],
    text=_JINSHAN["employer_exclusion"]["text"],
    types=tuple(_JINSHAN["employer_exclusion"]["types"]),
)
