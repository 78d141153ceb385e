"""What every Jinshan (金就办〔2023〕1号) measure shares: district, G3 exclusion, G7 term, subject universes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from jiuye.rules.dates import add_years_expr, format_month
from jiuye.rules.facts import DISTRICT_NAMES, Facts
from jiuye.rules.measure import (
    JS_DOC,
    Condition,
    Threshold,
    choice,
    detail,
    first_column,
    formats,
    labelled,
    labels_or,
    when,
)  # fmt: skip
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.shared import EMPLOYER_TYPE_LABELS, JINSHAN_EMPLOYER_EXCLUSION

DISTRICT = "jinshan"

# G3 (params/_jinshan.yaml) and the employer-type labels (params/_shanghai.yaml), declared once
EXCLUDED_EMPLOYER_TYPES: tuple[str, ...] = JINSHAN_EMPLOYER_EXCLUSION.types
EXCLUSION_CLAUSE = f"{JS_DOC} {JINSHAN_EMPLOYER_EXCLUSION.clause}"

ORGANIZATION_KIND_LABELS = {
    "internship_base": "就业见习基地", "training_institution": "职业培训机构", "incubation_base": "创业孵化基地",
    "guidance_station": "院校创业指导站", "hr_agency": "人力资源服务机构", "competition_host": "创业赛事承办单位",
    "startup": "创业组织",
}  # fmt: skip

LEVEL_LABELS = {
    "senior_technician": "高级技师（一级）", "technician": "技师（二级）", "senior": "高级（三级）",
    "intermediate": "中级（四级）", "junior": "初级（五级）",
}  # fmt: skip

EDUCATION_LABELS = {
    "secondary_vocational": "中等职业学校", "junior_college": "大专", "bachelor": "本科", "master": "硕士研究生",
    "doctor": "博士研究生",
}  # fmt: skip


def district_text(expr: pl.Expr, missing: str = "非本市") -> pl.Expr:
    """A district slug as its Chinese name (null = outside Shanghai)."""
    return labels_or(expr, DISTRICT_NAMES, missing)


def yes_no(expr: pl.Expr) -> pl.Expr:
    return choice(expr, "是", "否")


# ----------------------------------------------------------------------------- subject universes
def persons(facts: Facts) -> pl.LazyFrame:
    """Every person, with ``subject`` = ``person`` = id and the person's columns under their own names."""
    return facts.persons.lazy().rename({"id": "person"}).with_columns(subject=pl.col("person"))


def organizations(facts: Facts) -> pl.LazyFrame:
    """Every organisation: ``org`` = ``subject`` = id, ``org_kind``, ``org_district``, ``quality_certified``."""
    return facts.organizations.lazy().select(
        org="id", subject="id", org_kind="kind", org_district="district", quality_certified="quality_certified"
    )


# ----------------------------------------------------------------------------- conditions
def employer_not_excluded(type_column: str = "employer_type") -> Condition:
    """G3 as a named condition for every JS measure that names a 用人单位."""
    return Condition(
        key="employer_not_excluded",
        text=JINSHAN_EMPLOYER_EXCLUSION.text,
        clause=EXCLUSION_CLAUSE,
        expr=pl.col(type_column).is_not_null() & ~pl.col(type_column).is_in(list(EXCLUDED_EMPLOYER_TYPES)),
        detail=detail("单位类型：{}", labelled(pl.col(type_column), EMPLOYER_TYPE_LABELS, keep_unlabelled=True)),
    )


def employer_in_jinshan(district_column: str = "employer_district", clause: str = "") -> Condition:
    return Condition(
        key="employer_in_jinshan",
        text="本区（金山）用人单位",
        clause=clause,
        expr=pl.col(district_column) == DISTRICT,
        detail=detail("单位所在区：{}", district_text(pl.col(district_column))),
    )


def hukou_in_jinshan(clause: str, column: str = "hukou_district", text: str = "本区（金山）户籍") -> Condition:
    return Condition(
        "hukou", text, clause, pl.col(column) == DISTRICT,
        detail("户籍：{}", district_text(pl.col(column), "非本市户籍")),
    )  # fmt: skip


def organization_is(kind: str, clause: str, column: str = "org_kind", key: str = "is_org_kind") -> Condition:
    """The organisation is of ``kind`` (e.g. the subject universe holds every organisation)."""
    return Condition(
        key, f"属于{ORGANIZATION_KIND_LABELS[kind]}", clause, pl.col(column) == kind,
        detail("机构类型：{}", labelled(pl.col(column), ORGANIZATION_KIND_LABELS, keep_unlabelled=True)),
    )  # fmt: skip


def organization_in_jinshan(clause: str, column: str = "org_district", key: str = "is_org_in_jinshan",
                            text: str = "位于本区（金山）") -> Condition:  # fmt: skip
    return Condition(key, text, clause, pl.col(column) == DISTRICT,
                     detail("所在区：{}", district_text(pl.col(column))))  # fmt: skip


def term_end_needed(start: pl.Expr, years: int) -> pl.Expr:
    """G7: the last day a contract of ``years`` years must reach: start + years − 1 day (clamped, G9)."""
    return add_years_expr(start, years) - dt.timedelta(days=1)


def contract_term(years: int, clause: str, start: str = "start", end: str = "end") -> Condition:
    """G7：“1年及以上/一年以上劳动合同” = 无固定期限（end 为空）或 end ≥ start + 1年 − 1日."""
    needed = term_end_needed(pl.col(start), years)
    return Condition.of(
        "contract_term", f"劳动合同期限{years}年及以上", clause,
        Threshold("以上", pl.col(end), needed, "end", action="劳动合同期限延长（续订）", fact="contracts.end",
                  requires=pl.col(start).is_not_null(), unless=pl.col(end).is_null()),
        when(pl.col(start).is_null(), "无劳动合同",
             when(pl.col(end).is_null(), formats("{} 起，无固定期限", pl.col(start)),
                  formats("{} 至 {}，满{}年须至 {}", pl.col(start), pl.col(end), pl.lit(years), needed))),
    )  # fmt: skip


def contract_registered(clause: str, column: str = "registered") -> Condition:
    return Condition("registered", "已办理用工登记备案手续", clause, pl.col(column).fill_null(False),
                     detail("用工登记备案：{}", yes_no(pl.col(column))))  # fmt: skip


WINDOW_CLAUSE = f"{JS_DOC} 七(二)"


def in_window(p: MeasureParameters, month: pl.Expr, what: str = "补贴所属月份", over: tuple[str, ...] = (),
              clause: str = WINDOW_CLAUSE) -> Condition:  # fmt: skip
    """G4 as a visible condition for once-only measures whose month is known before the lines are built.

    With ``over`` (the once-key's columns, rev. 2) the condition reads the *first* occurrence of the key —
    the earliest ``month`` among the rows of the same key that meet every other condition: when it falls
    before the window nothing is paid under this document, and a later occurrence does not revive it.
    The engine drops lines outside the window anyway; the condition makes the explanation say so.  A null
    month (no record yet) does not fail this condition: another condition of the measure fails instead.
    """
    window = p.window
    end = "" if window.end is None else format_month(window.end)
    first = "最早" if over else ""
    text = f"{first}{what}在本意见有效期内（{format_month(window.start)}起" + (f"至{end}）" if end else "）")
    checked = pl.col(first_column("in_policy_window")) if over else month
    expr = checked >= window.start
    if window.end is not None:
        expr &= checked <= window.end
    return Condition("in_policy_window", text, clause, checked.is_null() | expr,
                     when(checked.is_null(), f"{first}{what}：尚无（见其他条件）",
                          formats(f"{first}{what}：{{}}", checked.dt.strftime("%Y-%m"))),
                     first_of=month if over else None, first_over=over)  # fmt: skip


def month_in_window(p: MeasureParameters) -> Condition:
    """G4 for a monthly measure, as a monthly condition: a line's month outside 2023-01 … 2027-12 is not paid.

    The engine drops those lines anyway; as a named condition the explanation of a subject whose every month lies
    outside the window (an internship or a first employment in 2022) says so instead of "eligible" without a line.
    """
    return in_window(p, pl.col("month"), "补贴月份")


def amount_by(column: str, parameters: dict[Any, str], p: MeasureParameters, on: pl.Expr) -> pl.Expr:
    """Amount in fen chosen by the value of ``column`` (grade, level, place …), each a dated parameter."""
    amount: pl.Expr = pl.lit(None, pl.Int64)
    for value, name in parameters.items():
        amount = pl.when(pl.col(column) == value).then(p.fen_expr(name, on)).otherwise(amount)
    return amount


