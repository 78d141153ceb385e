"""All measures of both documents, discovered from ``jiuye/rules/measures/`` (one module per measure)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from jiuye.rules.measure import Measure


def _sort_key(measure_id: str) -> tuple[str, int, str]:
    doc, rest = measure_id.split("-", 1)
    digits = "".join(ch for ch in rest if ch.isdigit())
    return (doc == "CM" and "1") or "0", int(digits or 0), rest


@cache
def all_measures() -> tuple[Measure, ...]:
    import jiuye.rules.measures as package

    found: list[Measure] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        measure = getattr(module, "MEASURE", None)
        if isinstance(measure, Measure):
            found.append(measure)
    ids = [m.id for m in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate measure ids: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda m: _sort_key(m.id)))


def measure_ids() -> list[str]:
    return [m.id for m in all_measures()]


def get_measure(measure_id: str) -> Measure:
    return _by_id()[measure_id]  # KeyError when unknown


@cache
def _by_id() -> dict[str, Measure]:
    """The measures by id (``get_measure`` is called once per measure per settings read: a scan was ~2,000
    comparisons per self-check)."""
    return {m.id: m for m in all_measures()}
