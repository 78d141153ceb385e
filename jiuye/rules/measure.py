"""How a measure is declared.

A measure module reads like its clause: metadata (title, quote, groups, reading), named conditions —
each a Chinese label, a clause citation and a Polars expression over whole columns — and how eligible
candidates turn into entitlement lines.  The engine (``jiuye.rules.engine``) does the rest the same way
for every measure: windows (G4), caps and once-only rules (G5), payments already made, merging, and
explanations built from the condition columns.

Evaluation order (prune before expanding):

1. ``candidates``  — one row per candidate unit (person × registration, contract, organisation × year …),
   left-joined from the subject universe so that every subject gets an explanation;
2. ``conditions``  — static conditions on those rows; rows meeting all of them are *eligible*;
3. ``lines``       — only eligible rows are expanded (e.g. into months); columns ``beneficiary``,
   ``subject``, ``month``, ``amount_fen`` (null = amount pending, G6), plus any ``cap.extra`` columns and
   the columns that ``monthly_conditions`` read;
4. ``monthly_conditions`` — per-line conditions (e.g. insured in that month); failing lines are dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import polars as pl

from jiuye.rules.facts import Facts
from jiuye.rules.parameters import MeasureParameters

Kind = Literal["money", "pending", "reviewer", "rule", "indicator"]
Subjects = Literal["persons", "organizations", "employers", "none"]

JS_DOC = "金就办〔2023〕1号"
CM_DOC = "沪崇就办〔2023〕2号"

GROUP_LABELS: dict[str, str] = {
    "graduates": "高校毕业生",
    "students": "在校学生",
    "youth": "青年",
    "long_term_unemployed": "长期失业人员",
    "hardship": "就业困难人员及困难家庭",
    "rural_labor": "农村劳动力",
    "paired_region": "对口地区劳动力",
    "skills": "技能人才",
    "entrepreneurs": "创业者",
    "employers": "用人单位",
    "organizations": "服务机构和载体",
}

BENEFICIARY_LABELS: dict[str, str] = {
    "person": "个人",
    "employer": "用人单位",
    "employer_per_worker": "用人单位（按招用人员）",
    "organization": "机构",
    "none": "无资金",
}

FREQUENCY_LABELS: dict[str, str] = {
    "monthly": "按月",
    "once": "一次性",
    "yearly": "每年一次",
    "per_event": "每次赛事一次",
    "none": "—",
}

KIND_LABELS: dict[str, str] = {
    "money": "文件明确金额，自动计算",
    "pending": "按市级标准，金额待管理员设定（待定金额）",
    "reviewer": "须经审核认定",
    "rule": "资格认定规则（无资金）",
    "indicator": "监测指标",
}


@dataclass(frozen=True)
class Meta:
    id: str
    title: str
    clause: str  # e.g. "金就办〔2023〕1号 一(二)"
    quote: str  # exact words of the clause in ../shared/seeds (whitespace-insensitive)
    summary: str  # plain language for residents
    groups: tuple[str, ...]
    beneficiary: str  # key of BENEFICIARY_LABELS
    frequency: str  # key of FREQUENCY_LABELS
    kind: Kind
    reading: str = ""  # the catalog's reading and our own choices, shown next to results
    # plausibility bound of one line in yuan (issue 9): the published amount, or for amounts computed from
    # facts (fees, grants) a ceiling no genuine line reaches.  ``approve`` and ``pay`` refuse a line above
    # it and supervision flags it.  Required for every measure that produces money lines (kind money or
    # pending); None only for measures without money.
    line_bound_yuan: int | None = None

    @property
    def line_bound_fen(self) -> int | None:
        return None if self.line_bound_yuan is None else self.line_bound_yuan * 100

    @property
    def document(self) -> str:
        return "JS" if self.id.startswith("JS") else "CM"


@dataclass(frozen=True)
class ApplicationField:
    """One question of a measure's application form (点单式申请), declared on the measure."""

    key: str
    label: str
    kind: Literal["text", "textarea", "date", "choice", "credit_code", "file"]
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()


# what every application asks when the measure declares nothing more specific
APPLICATION_REASON = ApplicationField("reason", "申请事由", "textarea", help="简要说明您符合本政策的情况")
APPLICATION_PROOF = ApplicationField("proof", "证明材料", "file", help="PDF、JPG 或 PNG 文件，不超过 5 MB")
# a measure paying an organisation: which one (the applicant may act for it)
ORGANIZATION_FIELDS = (
    ApplicationField("org_name", "机构名称", "text"),
    ApplicationField("org_code", "机构统一社会信用代码", "credit_code", help="18 位，按 GB 32100 校验"),
)


@dataclass(frozen=True)
class Threshold:
    """The structure of a threshold condition ``value ⋄ limit`` (a counting word of G1), declared so that
    a failed condition can say what would change it — computed here, the same way for every measure.

    ``kind`` says how the compared value can change:

    - ``age``: the value is an age in 周岁 that grows with time (``birth`` is the birth date); a minimum
      age is reached on a computable day ("年满16周岁后（2026-05-01起）"); a maximum age never again.
    - ``date``: the value is the day the person does something (``action``, e.g. "办理灵活就业登记");
      an earliest day is computable ("失业登记满6个月后（2024-03-06起）办理灵活就业登记即可申请");
      a latest day that has passed cannot be changed.
    - ``count``: the value is a count that grows one ``unit`` at a time (insured months); the missing
      number is computable ("再缴纳 2 个月后").
    """

    word: str  # counting word of jiuye.rules.legal (满, 超过, 及以下 …)
    value: pl.Expr  # the compared value
    limit: Any  # the threshold: a number, a date, or an expression
    kind: Literal["age", "date", "count"]
    action: str = ""  # date: what the person does on that day; count: what adds one unit
    limit_label: str = ""  # date: how the threshold day reads ("失业登记满6个月")
    unit: str = ""  # count: 个月 …
    birth: pl.Expr | None = None  # age: the birth date

    @property
    def expr(self) -> pl.Expr:
        from jiuye.rules.legal import meets

        return meets(self.word, self.value, self.limit)

    def hint(self) -> pl.Expr:
        """String expression: what would make the condition met, or null when nothing can (or it is met)."""
        from jiuye.rules.dates import add_years_expr
        from jiuye.rules.legal import includes_number, symbol

        upward = symbol(self.word) in ("≥", ">")  # the value must reach the limit from below
        strict = not includes_number(self.word)
        none = pl.lit(None, pl.String)
        if not upward:
            return none  # a maximum age / latest day / maximum count passed: time does not undo it
        limit = self.limit if isinstance(self.limit, pl.Expr) else pl.lit(self.limit)
        if self.kind == "age":
            if self.birth is None:
                return none
            years = limit + 1 if strict else limit
            day = add_years_expr(self.birth, years.cast(pl.Int32))
            return pl.when(self.birth.is_not_null()).then(
                pl.format("年满{}周岁后（{}起）", years, day.dt.strftime("%Y-%m-%d"))
            )
        if self.kind == "date":
            earliest = limit + pl.duration(days=1) if strict else limit
            label = self.limit_label or "满足条件"
            return pl.when(earliest.is_not_null()).then(
                pl.format(f"{label}后（{{}}起）{self.action}即可申请", earliest.dt.strftime("%Y-%m-%d"))
            )
        missing = (limit + 1 if strict else limit) - self.value.fill_null(0)
        return pl.when(missing > 0).then(pl.format(f"{self.action}再满{{}}{self.unit}后", missing))


@dataclass(frozen=True)
class Condition:
    key: str  # column name, unique within the measure
    text: str  # Chinese label shown to users
    clause: str
    expr: pl.Expr  # boolean; null counts as not met
    detail: pl.Expr | None = None  # string describing the values compared
    threshold: Threshold | None = None  # declared structure of a threshold (what would change it)

    @classmethod
    def of(cls, key: str, text: str, clause: str, threshold: Threshold, detail: pl.Expr | None = None) -> Condition:
        """A threshold condition: its expression is the threshold's, so the two cannot disagree."""
        return cls(key, text, clause, threshold.expr, detail, threshold)


@dataclass(frozen=True)
class Cap:
    """G5: ``limit`` lines/months per ``key``, consumed chronologically, payments included."""

    limit: int | str  # a number, or the name of a parameter
    key: tuple[str, ...] = ("beneficiary", "subject")
    counts: Literal["months", "lines"] = "months"  # months: 补贴期限累计不超过N个月; lines: 一次性
    extra: tuple[str, ...] = field(default_factory=tuple)  # line columns that are part of the key


@dataclass(frozen=True)
class Context:
    window_from: dt.date
    window_to: dt.date  # lines are computed from each measure's start up to this month (G5)
    overrides: dict[str, Any] = field(default_factory=dict)  # the case's / bureau's parameter overrides

    def parameters_of(self, measure_id: str) -> MeasureParameters:
        """Another measure's parameters as this evaluation sees them (overrides applied)."""
        from jiuye.rules.parameters import load_measure_parameters

        return load_measure_parameters(measure_id).with_overrides(self.overrides)

    @property
    def horizon_end(self) -> dt.date:
        from jiuye.rules.dates import month_end

        return month_end(self.window_to)


class Measure:
    """Base class; a measure module defines one subclass and an instance ``MEASURE``."""

    meta: ClassVar[Meta]
    subjects: ClassVar[Subjects] = "persons"
    cap: ClassVar[Cap | None] = None
    # facts tables without which no candidate can be eligible: when one is empty the batch path skips the
    # measure (explanations still evaluate it, and a property test checks both paths give the same lines)
    needs: ClassVar[tuple[str, ...]] = ()
    # the application form of a measure decided on application (点单式); empty: the generic form
    application_fields: ClassVar[tuple[ApplicationField, ...]] = ()

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def computable(self) -> bool:
        return self.meta.kind in ("money", "pending", "rule")

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        raise NotImplementedError

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        raise NotImplementedError

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        raise NotImplementedError

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return []

    def form_fields(self) -> tuple[ApplicationField, ...]:
        """The questions of this measure's application form: its own declaration, else the generic ones
        (which organisation, for a measure paying an organisation; the reason; a supporting document)."""
        if self.application_fields:
            return self.application_fields
        org = ORGANIZATION_FIELDS if self.meta.beneficiary == "organization" else ()
        return (*org, APPLICATION_REASON, APPLICATION_PROOF)

    def findings(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame | None:
        """Rules without money may report findings: columns rule, subject, year, kind, month."""
        return None


class ReviewerDecided(Measure):
    """A measure the documents name without a computable rule: listed, applied for, decided by a reviewer."""

    subjects: ClassVar[Subjects] = "none"


# ----------------------------------------------------------------------------- detail helpers
def text_of(expr: pl.Expr, missing: str = "无") -> pl.Expr:
    """A column rendered for explanations, with a Chinese placeholder for null."""
    return expr.cast(pl.String).fill_null(missing)


def detail(template: str, *exprs: pl.Expr) -> pl.Expr:
    """``detail("登记日 {}，年龄 {} 周岁", col("R"), col("age"))`` with nulls shown as 无."""
    return pl.format(template, *(text_of(e) for e in exprs))
