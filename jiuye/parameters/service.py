"""The bureau's dated parameter values: list, set (audited), apply, and a what-if preview.

Services take the session and never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.service import record
from jiuye.errors import BAD_INPUT, CONFLICT, NOT_FOUND, UserError
from jiuye.parameters.models import parameter_values
from jiuye.rules.parameters import DatedValue, MeasureParameters, load_measure_parameters

MAX_YUAN = Decimal("1000000")  # no single measure pays a million yuan a month; a typo guard


def _measure_parameters(measure: str) -> MeasureParameters:
    from jiuye.rules.catalog import measure_ids

    if measure not in measure_ids():
        raise UserError(f"未知的政策编号：{measure}。", NOT_FOUND, "measure")
    return load_measure_parameters(measure)


def stored_overrides(session: Session, measures: list[str] | None = None) -> dict[str, Any]:
    """Every stored value as the engine's dated overrides: ``{"JS-04.monthly_amount": (DatedValue, …)}``."""
    if not sa.inspect(session.connection()).has_table("parameter_values"):
        return {}
    stmt = sa.select(parameter_values).order_by(parameter_values.c.since, parameter_values.c.id)
    if measures is not None:
        stmt = stmt.where(parameter_values.c.measure.in_(measures))
    out: dict[str, list[DatedValue]] = {}
    for r in session.execute(stmt).mappings():
        value = None if r["value_text"] == "" else Decimal(r["value_text"])
        out.setdefault(f"{r['measure']}.{r['name']}", []).append(DatedValue(r["since"], value, r["source"]))
    return {k: tuple(v) for k, v in out.items()}


def effective(session: Session, measure: str) -> MeasureParameters:
    return _measure_parameters(measure).with_overrides(stored_overrides(session, [measure]))


def history(session: Session, measure: str) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(parameter_values).where(parameter_values.c.measure == measure)
        .order_by(parameter_values.c.name, parameter_values.c.since)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class Change:
    measure: str
    name: str
    since: dt.date
    value: Decimal
    source: str


def parse_change(
    measure: str, name: str, since: str | dt.date, value: str | Decimal | int, source: str
) -> Change:
    """Check a proposed value: a known money parameter, a date, an exact non-negative amount, a source."""
    p = _measure_parameters(measure)
    if name not in p.parameters:
        raise UserError(f"{measure} 没有参数 {name}。", BAD_INPUT, "name")
    param = p.parameters[name]
    if param.unit != "yuan":
        raise UserError(
            f"{measure} 的参数“{param.label}”不是金额，网页上只能设定金额类参数。", BAD_INPUT, "name"
        )
    try:
        day = since if isinstance(since, dt.date) else dt.date.fromisoformat(str(since).strip())
    except ValueError as exc:
        raise UserError(f"生效日期格式不对：{since}（应为 YYYY-MM-DD）。", BAD_INPUT, "since") from exc
    if day.day != 1:
        raise UserError("生效日期应为某月的第一天（按月发放）。", BAD_INPUT, "since")
    if not p.window.contains(day.replace(day=1)):
        raise UserError(f"生效日期 {day} 不在政策 {measure} 的有效期内。", BAD_INPUT, "since")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise UserError(f"金额格式不对：{value}（应为元，最多两位小数）。", BAD_INPUT, "value") from exc
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_YUAN
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise UserError("金额应为 0 至 1,000,000 元之间、最多两位小数的数。", BAD_INPUT, "value")
    source = source.strip()
    if len(source) < 4:
        raise UserError("请写明依据（文件名称和文号、条款），至少 4 个字。", BAD_INPUT, "source")
    if len(source) > 500:
        raise UserError("依据过长（最多 500 字）。", BAD_INPUT, "source")
    return Change(measure, name, day, amount.quantize(Decimal("0.01")), source)


def set_value(session: Session, change: Change, actor: str) -> int:
    """Store the dated value (append-only: one value per date) and write the audit event."""
    exists = session.execute(
        sa.select(parameter_values.c.id).where(
            parameter_values.c.measure == change.measure, parameter_values.c.name == change.name,
            parameter_values.c.since == change.since)
    ).first()  # fmt: skip
    if exists is not None:
        raise UserError(
            f"{change.measure} 的该参数在 {change.since} 已有设定值；请选择另一个生效日期。",
            CONFLICT,
            "since",
        )
    before = effective(session, change.measure).get(change.name, change.since)
    new_id = session.execute(
        sa.insert(parameter_values).values(
            measure=change.measure, name=change.name, since=change.since, value_text=str(change.value),
            source=change.source, set_by=actor, set_at=dt.datetime.now(dt.UTC))
        .returning(parameter_values.c.id)
    ).scalar_one()  # fmt: skip
    record(session, actor, "parameter.set", "parameter_values", int(new_id),
           None if before is None else str(before), str(change.value), change.source,
           {"measure": change.measure, "name": change.name, "since": str(change.since)})  # fmt: skip
    return int(new_id)


@dataclass
class Preview:
    change: Change
    month_from: dt.date
    month_to: dt.date
    lines_affected: int
    subjects_affected: int
    fen_before: int
    fen_after: int
    pending_before: int  # lines whose amount was pending (G6) before the change
    by_month: list[dict[str, Any]]

    @property
    def fen_difference(self) -> int:
        return self.fen_after - self.fen_before


def preview(
    session: Session, change: Change, month_to: dt.date, subjects: list[str] | None = None
) -> Preview:
    """What the change would do over the registry, from ``change.since`` to ``month_to``, before saving:
    the lines whose amount changes, the people concerned and the money (fen), per month.

    ``subjects`` limits the registry read (e.g. to the user's district); ``None`` reads every person.
    """
    from jiuye.ledger.service import payment_history
    from jiuye.matching.sources import RegistrySource
    from jiuye.rules.catalog import get_measure
    from jiuye.rules.engine import evaluate_facts

    measure = get_measure(change.measure)
    start = change.since.replace(day=1)
    if month_to < start:
        month_to = start
    current = stored_overrides(session)
    key = f"{change.measure}.{change.name}"
    proposed = dict(current)
    proposed[key] = (*current.get(key, ()), DatedValue(change.since, change.value, change.source))
    facts = RegistrySource(session).load(subjects).with_payments(payment_history(session))
    window_start = load_measure_parameters(change.measure).window.start
    before = evaluate_facts(facts, window_start, month_to, current, measures=[measure]).entitlements
    after = evaluate_facts(facts, window_start, month_to, proposed, measures=[measure]).entitlements
    keys = ["policy", "beneficiary", "subject", "month"]
    joined = (
        before.select(*keys, fen_before=pl.col("amount_fen"), pending=pl.col("amount_fen").is_null())
        .join(after.select(*keys, fen_after=pl.col("amount_fen")), on=keys, how="full", coalesce=True)
        .filter(pl.col("month") >= start)
        .with_columns(pl.col("fen_before").fill_null(0), pl.col("fen_after").fill_null(0),
                      pl.col("pending").fill_null(False))
    )  # fmt: skip
    changed = joined.filter(pl.col("fen_before") != pl.col("fen_after"))
    by_month = (
        changed.group_by("month").agg(lines=pl.len(), fen_before=pl.col("fen_before").sum(),
                                      fen_after=pl.col("fen_after").sum()).sort("month").to_dicts()
    )  # fmt: skip
    return Preview(
        change,
        start,
        month_to,
        changed.height,
        changed["subject"].n_unique() if changed.height else 0,
        int(changed["fen_before"].sum()),
        int(changed["fen_after"].sum()),
        int(changed["pending"].sum()),
        by_month,
    )
