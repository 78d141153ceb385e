"""Dated parameters (catalog G4, G6): amounts, thresholds and windows live in YAML, never in code.

One file per measure, ``params/<ID>.yaml``, and shared files (``params/_shanghai.yaml``,
``params/_jinshan.yaml``) for what several measures share: an entry ``{shared: _jinshan}`` (a window or a
parameter) stands for the same entry of the shared file::

    measure: JS-02
    window:                      # G4: the months this measure pays for
      from: 2023-01
      to: 2027-12                # null = until an administrator sets an end
      source: 金就办〔2023〕1号 七(二)“本意见从2023年1月1日起实施，有效期至2027年12月31日”
    parameters:
      monthly_amount:
        label: 每月补贴标准（元）
        unit: yuan               # yuan | count | months | years | ratio | text | grade_map
        values:
          - since: 2023-01-01
            value: 1000          # null = not set yet (G6: amount_pending)
            source: 金就办〔2023〕1号 一(二)“给予个人灵活就业补贴1000元/月”

A value applies from its ``since`` date until the next value's ``since``.  A case (or the bureau's
settings) may override a parameter for every date with ``{"JS-04.monthly_amount": 800}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import yaml

from jiuye.rules.dates import parse_month


class ParameterError(KeyError):
    pass


@dataclass(frozen=True)
class DatedValue:
    since: dt.date
    value: Any
    source: str


@dataclass(frozen=True)
class Unit:
    """What a parameter's value may be: its kind, range and whether null ("not set yet", G6) is allowed.

    Declared per unit here; a parameter file may narrow (or, for ``ratio``, must give) the range with
    ``min:`` / ``max:``.
    """

    kind: str  # "integer" | "decimal" | "date"
    label: str  # shown in messages
    minimum: Decimal | dt.date | None = None
    maximum: Decimal | dt.date | None = None
    decimals: int = 0  # decimal places allowed (decimal kind)
    nullable: bool = False


UNITS: dict[str, Unit] = {
    "yuan": Unit("decimal", "元", Decimal(0), Decimal(10_000_000), decimals=2, nullable=True),
    "months": Unit("integer", "个月", Decimal(0), Decimal(600)),
    "years": Unit("integer", "年（周岁）", Decimal(0), Decimal(150)),
    "year": Unit("integer", "年份", Decimal(2000), Decimal(2100)),
    "count": Unit("integer", "个", Decimal(0), Decimal(1_000_000)),
    "ratio": Unit("decimal", "倍或百分比", decimals=4),  # range declared per parameter (min/max)
    "date": Unit("date", "日期", dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
}


class ParameterValueError(ValueError):
    """A value (from a case's ``parameters`` or the bureau's settings) outside what the parameter allows."""


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    values: tuple[DatedValue, ...]
    aliases: tuple[str, ...] = ()  # other names a case may use for it (e.g. amount / monthly_amount)
    minimum: Decimal | dt.date | None = None  # None: the unit's
    maximum: Decimal | dt.date | None = None

    def bounds(self) -> tuple[Any, Any]:
        unit = UNITS.get(self.unit)
        if unit is None:
            return None, None
        low = self.minimum if self.minimum is not None else unit.minimum
        high = self.maximum if self.maximum is not None else unit.maximum
        return low, high

    def check(self, value: Any) -> Any:
        """``value`` as this parameter holds it (int, Decimal or date), or ParameterValueError (Chinese).

        Every override goes through here, so a case cannot set ``-800`` yuan, ``0.001`` months or
        ``"abc"`` for a date.
        """
        unit = UNITS.get(self.unit)
        if unit is None:
            raise ParameterValueError(f"该参数（单位 {self.unit!r}）不能在案例中覆盖")
        low, high = self.bounds()
        shown = _shown(value)
        if value is None:
            # null = "not set yet" (G6): allowed for money, and for any parameter shipped without a value
            if unit.nullable or any(dated.value is None for dated in self.values):
                return None
            raise ParameterValueError("不能为 null（此参数必须有值）")
        if unit.kind == "date":
            if isinstance(value, dt.date):
                day = value
            else:
                try:
                    if not isinstance(value, str) or len(value) != 10:
                        raise ValueError
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    raise ParameterValueError(f"应为日期（YYYY-MM-DD）：{shown}") from None
            if not low <= day <= high:
                raise ParameterValueError(f"应在 {low} 至 {high} 之间：{shown}")
            return day
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ParameterValueError(f"应为数字（单位：{unit.label}）：{shown}")
        number = Decimal(value)
        if not number.is_finite():
            raise ParameterValueError(f"应为有限的数：{shown}")
        if low is None or high is None:
            raise ParameterValueError("该参数没有声明取值范围，不能在案例中覆盖")
        if not low <= number <= high:
            raise ParameterValueError(f"应在 {low} 至 {high} {unit.label}之间：{shown}")
        if unit.kind == "integer":
            if number != number.to_integral_value():
                raise ParameterValueError(f"应为整数（单位：{unit.label}）：{shown}")
            return int(number)
        if number.as_tuple().exponent < -unit.decimals:  # type: ignore[operator]
            raise ParameterValueError(f"最多 {unit.decimals} 位小数：{shown}")
        return int(number) if number == number.to_integral_value() else number

    def at(self, day: dt.date) -> Any:
        current: Any = None
        for dated in self.values:
            if dated.since <= day:
                current = dated.value
        return current


@dataclass(frozen=True)
class Window:
    start: dt.date  # first month
    end: dt.date | None  # last month, None = open
    source: str

    def contains(self, month: dt.date) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)


@dataclass(frozen=True)
class MeasureParameters:
    measure: str
    window: Window
    parameters: dict[str, Parameter]
    overrides: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, day: dt.date | None = None) -> Any:
        """Value of ``name`` on ``day`` (default: its latest value); overrides win for every date."""
        if name in self.overrides:
            return self.overrides[name]
        try:
            parameter = self.parameters[name]
        except KeyError as exc:
            raise ParameterError(f"{self.measure} 没有参数 {name}") from exc
        if day is None:
            return parameter.values[-1].value if parameter.values else None
        return parameter.at(day)

    def fen(self, name: str, day: dt.date | None = None) -> int | None:
        """A money parameter in integer fen, or None when not set (G6)."""
        from jiuye.rules.money import yuan_to_fen

        value = self.get(name, day)
        return None if value is None else yuan_to_fen(_exact(value))

    def value_expr(self, name: str, on: pl.Expr, dtype: Any = None) -> pl.Expr:
        """The parameter's value on the date in column ``on`` (dated values become a when-chain)."""
        pairs = self.dated(name)
        expr: Any = pl
        for since, value in reversed(pairs):
            expr = expr.when(on >= since).then(pl.lit(_plain(value), dtype))
        return expr.otherwise(pl.lit(None, dtype))

    def fen_expr(self, name: str, on: pl.Expr) -> pl.Expr:
        """A money parameter in fen for the month/date in column ``on``; null where not set (G6)."""
        from jiuye.rules.money import yuan_to_fen

        pairs = [(since, None if v is None else yuan_to_fen(_exact(v))) for since, v in self.dated(name)]
        expr: Any = pl
        for since, fen in reversed(pairs):
            expr = expr.when(on >= since).then(pl.lit(fen, pl.Int64))
        return expr.otherwise(pl.lit(None, pl.Int64))

    def dated(self, name: str) -> list[tuple[dt.date, Any]]:
        """All (since, value) pairs, for joins on dated thresholds; an override is one value forever."""
        if name in self.overrides:
            return [(dt.date(1900, 1, 1), self.overrides[name])]
        return [(v.since, v.value) for v in self.parameters[name].values]

    def source(self, name: str, day: dt.date | None = None) -> str:
        if name in self.overrides:
            return "本案例参数覆盖（parameters）"
        values = self.parameters[name].values
        chosen = values[-1]
        for dated in values:
            if day is None or dated.since <= day:
                chosen = dated
        return chosen.source

    def canonical(self, name: str) -> list[str]:
        """The parameters a case's name sets: itself, or every parameter that lists it as an alias."""
        if name in self.parameters:
            return [name]
        return [p.name for p in self.parameters.values() if name in p.aliases]

    def with_overrides(self, overrides: dict[str, Any]) -> MeasureParameters:
        """A case's overrides (one value for every date) and the bureau's dated values.

        A value that is a tuple of :class:`DatedValue` adds dated values to the parameter (a value with the
        same ``since`` replaces the file's); anything else overrides the parameter for every date.
        """
        mine: dict[str, Any] = {}
        dated: dict[str, tuple[DatedValue, ...]] = {}
        for key, value in overrides.items():
            measure, _, name = key.partition(".")
            if measure != self.measure:
                continue
            if isinstance(value, tuple) and value and all(isinstance(v, DatedValue) for v in value):
                dated |= dict.fromkeys(self.canonical(name), value)
            else:
                mine |= dict.fromkeys(self.canonical(name), value)
        if not mine and not dated:
            return self
        params = dict(self.parameters)
        for name, values in dated.items():
            merged = {v.since: v for v in params[name].values} | {v.since: v for v in values}
            params[name] = replace(params[name], values=tuple(sorted(merged.values(), key=lambda v: v.since)))
        return MeasureParameters(self.measure, self.window, params, {**self.overrides, **mine})


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else f"{text[:30]}…"


def _bound(value: Any) -> Decimal | dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else value


def _exact(value: Any) -> Any:
    if isinstance(value, float):  # YAML floats: read them back through their text
        return Decimal(repr(value))
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return parse_month(text) if len(text) == 7 else dt.date.fromisoformat(text)


def load_yaml(text: str) -> Any:
    """Safe YAML, through libyaml when PyYAML has it (same constructors, a C parser: a cold
    ``jiuye evaluate`` reads ~30 parameter files)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def shared_file(name: str) -> dict[str, Any]:
    """A shared parameter file, ``params/<name>.yaml`` (``_shanghai``, ``_jinshan``): facts several measures
    (and the registry, demo and supervision) read, declared once."""
    text = resources.files("jiuye.rules.params").joinpath(f"{name}.yaml").read_text("utf-8")
    data: dict[str, Any] = load_yaml(text)
    return data


def _shared(spec: Any, section: str, name: str | None = None) -> Any:
    """``{shared: _jinshan}`` in a measure's file stands for the same entry of the shared file."""
    if isinstance(spec, dict) and set(spec) == {"shared"}:
        entry = shared_file(spec["shared"])[section]
        return entry if name is None else entry[name]
    return spec


def parse_parameter_file(data: dict[str, Any]) -> MeasureParameters:
    window = _shared(data["window"], "window")
    end = window.get("to")
    params = {
        name: Parameter(
            name=name,
            label=spec.get("label", name),
            unit=spec.get("unit", ""),
            values=tuple(
                DatedValue(_date(v["since"]), _exact(v["value"]), v.get("source", ""))
                for v in sorted(spec.get("values", []), key=lambda v: _date(v["since"]))
            ),
            aliases=tuple(spec.get("aliases", ())),
            minimum=_bound(spec.get("min")),
            maximum=_bound(spec.get("max")),
        )
        for name, spec in (
            (name, _shared(spec, "parameters", name)) for name, spec in (data.get("parameters") or {}).items()
        )
    }
    return MeasureParameters(
        measure=data["measure"],
        window=Window(_date(window["from"]), None if end is None else _date(end), window.get("source", "")),
        parameters=params,
    )


@cache
def load_measure_parameters(measure_id: str) -> MeasureParameters:
    text = resources.files("jiuye.rules.params").joinpath(f"{measure_id}.yaml").read_text("utf-8")
    return parse_parameter_file(load_yaml(text))


@cache
def known_parameter_keys() -> frozenset[str]:
    """Every ``ID.name`` a case may override (aliases included)."""
    keys: set[str] = set()
    for entry in resources.files("jiuye.rules.params").iterdir():
        if entry.name.endswith(".yaml") and not entry.name.startswith("_"):
            p = load_measure_parameters(entry.name[: -len(".yaml")])
            for name, parameter in p.parameters.items():
                keys.update(f"{p.measure}.{n}" for n in (name, *parameter.aliases))
    return frozenset(keys)


def parameter_for_key(key: str) -> list[Parameter]:
    """The parameters a case key ``ID.name`` sets (an alias may set several); empty when unknown."""
    measure, _, name = key.partition(".")
    try:
        p = load_measure_parameters(measure)
    except (FileNotFoundError, OSError, ValueError):
        return []
    return [p.parameters[n] for n in p.canonical(name)]


def check_override(key: str, value: Any) -> Any:
    """A case's / the bureau's override checked against every parameter it sets; ParameterValueError."""
    checked = value
    for parameter in parameter_for_key(key):
        checked = parameter.check(value)
    return checked
