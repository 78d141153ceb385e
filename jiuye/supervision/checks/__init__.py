"""Fund-supervision checks: one pure function per check, whole-column Polars work, no loop over people.

Every check returns a frame of *flags* (疑点) with :data:`FLAG_SCHEMA`: a flag asks a person to review a
case; nothing is rejected or withheld automatically.  Each flag cites the fund-safety clause
(金就办〔2023〕1号 六(三) / 沪崇就办〔2023〕2号 (十六)) and the clause of the measure it protects, and explains
itself in Chinese.  ``(check, subject_kind, subject_id, flag_key)`` identifies a flag across runs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType

import polars as pl

from jiuye.supervision.checks._common import FIELD_LABELS, FLAG_SCHEMA, SEVERITY_LABELS, empty_flags
from jiuye.supervision.checks.churning import churn_rates
from jiuye.supervision.checks.identifiers import credit_code_valid, id_number_valid
from jiuye.supervision.checks.incompatible import incompatible_pairs
from jiuye.supervision.frames import Inputs

__all__ = [
    "CHECKS", "CHECK_TITLES", "FIELD_LABELS", "FLAG_SCHEMA", "SEVERITY_LABELS", "churn_rates", "credit_code_valid",
    "empty_flags", "id_number_valid", "incompatible_pairs", "run_checks",
]  # fmt: skip


def _families() -> list[ModuleType]:
    """Every module of this package that declares checks (``FAMILY`` and ``TITLES``), in family order."""
    modules = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    return sorted((m for m in modules if hasattr(m, "TITLES")), key=lambda m: m.FAMILY)


CHECKS: dict[str, Callable[[Inputs], pl.DataFrame]] = {
    name: getattr(family, name) for family in _families() for name in family.TITLES
}
CHECK_TITLES: dict[str, str] = {
    name: title for family in _families() for name, title in family.TITLES.items()
}


def run_checks(inputs: Inputs, only: list[str] | None = None) -> pl.DataFrame:
    """Every check (or ``only`` those), concatenated; duplicates of one flag identity merged."""
    frames = [fn(inputs) for name, fn in CHECKS.items() if only is None or name in only]
    flags = pl.concat(frames, how="vertical") if frames else empty_flags()
    return flags.unique(
        ["check", "subject_kind", "subject_id", "flag_key"], keep="first", maintain_order=True
    )
