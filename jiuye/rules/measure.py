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
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import polars as pl

from jiuye.rules.facts import DISTRICT_NAMES, Facts
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

Kind = Literal["money", "pending", "application", "reviewer", "rule", "indicator"]
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
    "application": "依申请办理：申请表收集所需事实，经办人员审核认定并核定金额",
    "reviewer": "须经审核认定",
    "rule": "资格认定规则（无资金）",
    "indicator": "监测指标",
}


# the registry table whose natural keys name a beneficiary of each kind (a line's beneficiary id is one of them)
PAYEE_TABLES: dict[str, str] = {
    "person": "persons", "employer": "employers", "employer_per_worker": "employers", "organization": "organizations",
}  # fmt: skip
# the kinds of beneficiary that are employers (paid per worker or not)
EMPLOYER_KINDS: tuple[str, ...] = tuple(kind for kind, table in PAYEE_TABLES.items() if table == "employers")


@dataclass(frozen=True)
class Payee:
    """Who one route of a measure pays (the catalog row's beneficiary column).

    A measure paying one kind declares it as a plain key (``Meta.beneficiary="person"``); one whose lines go
    to more than one kind declares a route each (CM-10a: the employer for a hire, the person for flexible
    work; JS-07b: a winning person or organisation).  The kind of one line is then decided from the line
    itself (:func:`line_payee_kind`): by ``pays_subject`` where the routes differ in it, else by the
    registry table that holds the beneficiary id."""

    kind: str  # key of BENEFICIARY_LABELS
    route: str = ""  # when this kind is paid, in words ("单位招用的"); shown in the label
    # the route pays the line's subject itself (True), someone else on the subject's account (False), or either
    pays_subject: bool | None = None
    # the parameters whose dated values are the possible amounts of one line of this route, where the routes
    # have their own standards (CM-10a: employers' and flexible workers'); else ``Measure.line_amounts``
    amounts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if not self.route:
            return BENEFICIARY_LABELS[self.kind]
        noun = BENEFICIARY_LABELS[self.kind].partition("（")[0]  # 用人单位（按招用人员） → 用人单位
        return f"{noun}（{self.route}）"


@dataclass(frozen=True)
class Meta:
    id: str
    title: str
    clause: str  # e.g. "金就办〔2023〕1号 一(二)"
    quote: str  # exact words of the clause in ../shared/seeds (whitespace-insensitive)
    summary: str  # plain language for residents
    groups: tuple[str, ...]
    # who is paid: a key of BENEFICIARY_LABELS, or one Payee per route where the catalog row names more
    # than one kind — the one fact the policy list, who may apply and supervision read (``payees``)
    beneficiary: str | tuple[Payee, ...]
    frequency: str  # key of FREQUENCY_LABELS
    kind: Kind
    reading: str = ""  # the catalog's reading and our own choices, shown next to results
    # plausibility bound of one line in yuan (issue 9): the published amount, or for amounts computed from
    # facts (fees, grants) a ceiling no genuine line reaches.  ``approve`` and ``pay`` refuse a line above
    # it and supervision flags it.  Required for every measure that produces money lines (kind money or
    # pending); None only for measures without money.
    line_bound_yuan: int | None = None

    @property
    def payees(self) -> tuple[Payee, ...]:
        return (Payee(self.beneficiary),) if isinstance(self.beneficiary, str) else self.beneficiary

    @property
    def payee_kinds(self) -> tuple[str, ...]:
        """The kinds of beneficiary this measure's lines may go to (one, or one per route)."""
        return tuple(dict.fromkeys(p.kind for p in self.payees))

    @property
    def pays(self) -> bool:
        """The measure has money lines (a beneficiary other than ``none``)."""
        return self.payee_kinds != ("none",)

    @property
    def beneficiary_label(self) -> str:
        return "或".join(p.label for p in self.payees)

    @property
    def line_bound_fen(self) -> int | None:
        return None if self.line_bound_yuan is None else self.line_bound_yuan * 100

    @property
    def document(self) -> str:
        return "JS" if self.id.startswith("JS") else "CM"

    @property
    def district(self) -> str:
        """G12: the district whose funds pay this measure (its document's district)."""
        return DOCUMENT_DISTRICT[self.document]


def line_payee_kind(
    meta: Meta, beneficiary: pl.Expr, subject: pl.Expr, registered: Mapping[str, pl.Expr]
) -> pl.Expr:
    """String expression: the kind of one line's beneficiary (a key of BENEFICIARY_LABELS), decided from the
    line itself.  A measure paying one kind pays that kind (an unregistered id included: supervision must
    still see an employer line paid to an employer missing from the registry).  Where its routes pay
    different kinds: the one route the line fits by ``Payee.pays_subject`` (CM-10a: paid to someone other
    than the worker → the hiring employer, registered or not) unless the registry holds the id as another
    declared kind (a line granted on an employer's own application names the employer as its subject too);
    else the route whose registry table holds the beneficiary id (JS-07b: a person or an organisation
    wins); null when neither decides (an id no table holds).

    ``registered``: registry table name (``PAYEE_TABLES``) → boolean expression "the beneficiary id is a
    natural key of that table"."""
    payees = meta.payees
    if len(payees) == 1:
        return pl.lit(payees[0].kind, pl.String)
    own = beneficiary == subject
    fits = [pl.lit(True) if p.pays_subject is None else (own if p.pays_subject else ~own) for p in payees]
    in_table = [registered.get(PAYEE_TABLES.get(p.kind, ""), pl.lit(False)).fill_null(False) for p in payees]
    by_route = pl.coalesce([pl.when(f).then(pl.lit(p.kind, pl.String)) for p, f in zip(payees, fits, strict=True)])
    route_in_table = pl.any_horizontal([f & t for f, t in zip(fits, in_table, strict=True)])
    by_table = pl.coalesce([pl.when(t).then(pl.lit(p.kind, pl.String)) for p, t in zip(payees, in_table, strict=True)])
    route_decides = (pl.sum_horizontal([f.cast(pl.Int8) for f in fits]) == 1) & (
        route_in_table | ~pl.any_horizontal(in_table)
    )
    return pl.when(route_decides).then(by_route).otherwise(by_table)


# G12 (rev. 2): each document is paid from its own district's funds (JS 六(三); CM (十六))
DOCUMENT_DISTRICT: dict[str, str] = {"JS": "jinshan", "CM": "chongming"}
DOCUMENT_OF_DISTRICT: dict[str, str] = {district: doc for doc, district in DOCUMENT_DISTRICT.items()}
# a deployment's own district (jiuye settings district): which documents its matching covers
BUREAU_DISTRICTS: dict[str, str] = {"jinshan": "金山区", "chongming": "崇明区", "all": "全部（金山区和崇明区）"}
G12_CLAUSE = "政策目录 G12（金就办〔2023〕1号 六(三)；沪崇就办〔2023〕2号 (十六)“区财政做好相关资金保障工作”）"
# G13 (rev. 2) is the catalog's reading (no clause of either document names an end); cited as the catalog words it
G13_CLAUSE = "政策目录 G13（死亡、户籍迁出本区或单位、机构注销的当月以后不再发放，当月仍计）"
G13_TEXT = "在死亡、户籍迁出或注销的当月及以前"

Sense = Literal["employer", "hukou", "origin", "organization"]
SENSE_TEXT: dict[str, str] = {
    "employer": "本区（{}）用人单位",
    "hukou": "本区（{}）户籍",
    "origin": "{}籍（生源地）",
    "organization": "位于本区（{}）",
}
# G12 where a row is silent: a person measure needs hukou in the district, an employer measure an employer there
# and an organisation measure an organisation there — the senses of a measure that declares no Scope
# (the reviewer-decided ones), by who it pays
DEFAULT_SENSE: dict[str, Sense] = {"person": "hukou", "employer": "employer", "employer_per_worker": "employer",
                                   "organization": "organization"}  # fmt: skip
SENSE_DETAIL: dict[str, str] = {
    "employer": "用人单位所在区：{}", "hukou": "户籍：{}", "origin": "生源地：{}", "organization": "所在区：{}",
}  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """G12: in which sense a measure's subject belongs to its district, read from a candidates column.

    ``employer``: the employer is located in the district; ``hukou``: the person's hukou is there;
    ``origin``: the person's origin (JS-03a); ``organization``: the organisation (or school) is located
    there.  ``text`` replaces the default label (e.g. "培训机构为本区（金山）职业培训机构").
    """

    sense: Sense
    column: str
    text: str = ""


@dataclass(frozen=True)
class Threshold:
    """The structure of a threshold condition ``value ⋄ limit`` (a counting word of G1), declared so that
    a failed condition can say what would change it — computed here, the same way for every measure.

    ``kind`` says how the compared value can change:

    - ``age``: the value is an age in 周岁 at the day of an event (``birth`` is the birth date); a minimum
      age is reached on a computable day ("年满50周岁后（2030-05-01起）办理灵活就业登记即可申请", G2/G9:
      the birthday by adding years); a maximum age never again.
    - ``date``: the value is the day the person does something (``action``, e.g. "办理灵活就业登记");
      an earliest day is computable ("失业登记满6个月后（2024-03-06起）办理灵活就业登记即可申请": the
      limit is computed by adding the duration to the start, G9, and 超过 excludes the day itself, G1);
      a latest day that has passed cannot be changed.
    - ``end``: the value is the last day of a period the person can extend (a contract's end); the day it
      must reach is computable ("劳动合同期限延长（续订）至2025-06-30或之后即可申请").
    - ``count``: the value is a count that grows one ``unit`` at a time (insured months); the missing
      number is computable ("在该单位缴纳社会保险费再满2个月后").

    Only a limit the value must reach from below can be reached by waiting or acting; a maximum (a latest
    day, an age limit passed, a ceiling) gives no hint.  ``requires`` must hold for the condition to be met
    at all (a contract exists) and ``unless`` meets it whatever the value (an open-ended contract); the
    condition is ``requires & (unless | value ⋄ limit)``.  ``fact`` names the case fact (case-format path)
    that the hint asks to move; a test moves it to the hinted day or count and checks the condition is met.
    ``latest`` is the last day on which acting still meets the condition's other premises (the
    unemployment registration still open the day before): a hinted day after it is no promise, so no hint.
    """

    word: str  # counting word of jiuye.rules.legal (满, 超过, 及以下 …)
    value: pl.Expr  # the compared value
    limit: Any  # the threshold: a number, a date, or an expression
    kind: Literal["age", "date", "end", "count"]
    action: str = ""  # age/date: what the person does on that day; end: what extends the period; count: what adds one unit
    limit_label: str = ""  # date: how the threshold day reads ("失业登记满6个月")
    unit: str = ""  # count: 个月 …
    birth: pl.Expr | None = None  # age: the birth date
    fact: str = ""  # the case fact the hint moves, e.g. "flexible_employment.registered_on"
    requires: pl.Expr | None = None
    unless: pl.Expr | None = None
    latest: pl.Expr | None = None  # date/age: the last day acting still meets the other premises (null: none)

    @property
    def compares(self) -> pl.Expr:
        from jiuye.rules.legal import meets

        return meets(self.word, self.value, self.limit)

    @property
    def expr(self) -> pl.Expr:
        out = self.compares if self.unless is None else self.unless.fill_null(False) | self.compares
        return out if self.requires is None else self.requires & out

    @property
    def upward(self) -> bool:
        """The value must reach the limit from below (≥, >): waiting or acting can meet it."""
        from jiuye.rules.legal import symbol

        return symbol(self.word) in ("≥", ">")

    def hint(self, until: dt.date | None = None, where: pl.Expr | None = None) -> pl.Expr:
        """String expression: what would make the condition met, or null when nothing can (or it is met).

        ``until`` is the last day of the measure's window (G4): a day after it changes nothing.  ``where``: the
        hint only on the rows where it holds (the engine's "the condition failed"), in the same ``when``."""
        text, _, _, possible = self.hint_parts(until)
        if possible is None:
            return _NO_HINT
        return pl.when(_where(where, possible)).then(text)

    def hint_parts(
        self, until: dt.date | None = None
    ) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None, pl.Expr | None]:
        """(text, day, missing, possible): the hint's text, the day it names (age/date/end) or the number of
        units missing (count), and where it may be said at all (a predicate: null is "no"; None: on no row).
        :class:`AnyOf` compares branches by them.

        Polars evaluates every node of an expression on every evaluation however few the rows (a one-person
        explanation is mostly that, issue 11 item 4), so each part is built with as few nodes as it takes: a
        day computed from constants is computed here, and the day appears once in ``possible``."""
        from jiuye.rules.dates import add_years_expr
        from jiuye.rules.legal import includes_number

        strict = not includes_number(self.word)
        if not self.upward or (self.kind == "age" and self.birth is None):
            # a maximum age / latest day / maximum count passed: time does not undo it
            return _NO_HINT, None, None, None
        limit = self.limit if isinstance(self.limit, pl.Expr) else pl.lit(self.limit)
        day: pl.Expr | None = None
        missing: pl.Expr | None = None
        known: dt.date | None = None  # the day, when it is the same on every row
        if self.kind == "age":
            assert self.birth is not None
            then = f"（{{}}起）{self.action}即可申请" if self.action else "（{}起）"
            if type(self.limit) is int:  # the age a constant: its text and the day's offset too ("192mo")
                n = self.limit + 1 if strict else self.limit
                day = add_years_expr(self.birth, n)
                text = pl.format(f"年满{n}周岁后" + then, day.dt.strftime("%Y-%m-%d"))
            else:
                years = limit + 1 if strict else limit
                day = add_years_expr(self.birth, years.cast(pl.Int32))
                text = pl.format("年满{}周岁后" + then, years, day.dt.strftime("%Y-%m-%d"))
        elif self.kind in ("date", "end"):
            if type(self.limit) is dt.date:  # the same day on every row: its text is a constant
                known = self.limit + dt.timedelta(days=1) if strict else self.limit
                day = pl.lit(known)
                shown = known.isoformat()  # as Polars' %Y-%m-%d writes a Date (four-digit year)
                if self.kind == "end":
                    text = pl.lit(f"{self.action}至{shown}或之后即可申请")
                elif self.limit_label:
                    text = pl.lit(f"{self.limit_label}后（{shown}起）{self.action}即可申请")
                else:
                    text = pl.lit(f"{self.action}在{shown}或之后即可申请")
            else:
                day = limit + dt.timedelta(days=1) if strict else limit
                shown_expr = day.dt.strftime("%Y-%m-%d")
                if self.kind == "end":
                    text = pl.format(f"{self.action}至{{}}或之后即可申请", shown_expr)
                elif self.limit_label:
                    text = pl.format(f"{self.limit_label}后（{{}}起）{self.action}即可申请", shown_expr)
                else:
                    text = pl.format(f"{self.action}在{{}}或之后即可申请", shown_expr)
        else:
            missing = (limit + 1 if strict else limit) - self.value.fill_null(0)
            text = pl.format(f"{self.action}再满{{}}{self.unit}后", missing)
        terms: list[pl.Expr] = []
        if missing is not None:
            terms.append(missing > 0)
        elif known is not None:
            if until is not None and known > until:
                return text, day, None, None  # G4: after the window nothing is paid, so nothing to promise
            if self.latest is not None:
                # the column on the left: Polars 2.1 compares a literal on the LEFT with a column of one
                # repeated value into ONE row (as in ``legal.meets``)
                terms.append(self.latest >= day)
        else:
            assert day is not None
            # G4: after the window nothing is paid, so nothing to promise; and a day on which another premise
            # has ended (the registration closed before it) is no promise (a null latest: it holds on no day).
            # One comparison (a null day fails it as it failed "is not null"): clip keeps a null latest null.
            if self.latest is not None:
                terms.append(day <= (self.latest if until is None else self.latest.clip(upper_bound=until)))
            elif until is not None:
                terms.append(day <= until)
            else:
                terms.append(day.is_not_null())
        if self.requires is not None:
            terms.append(self.requires)  # null: not met (a predicate's null is "no")
        if not terms:
            return text, day, missing, _EVERYWHERE
        possible = terms[0]
        for term in terms[1:]:
            possible = possible & term
        return text, day, missing, possible


_NO_HINT = pl.lit(None, pl.String)
_EVERYWHERE = pl.lit(True)  # a hint that may be said on every row (``hint`` then needs no test of it)


def _where(where: pl.Expr | None, possible: pl.Expr) -> pl.Expr:
    return possible if where is None else where if possible is _EVERYWHERE else where & possible


@dataclass(frozen=True)
class AnyOf:
    """A condition met when any of its branches is (e.g. "离校2年内未就业毕业生 或 毕业学年学生"), declared
    so that what would change it is computed from the branches, the same way for every measure.

    A branch is a :class:`Threshold` (which can say what would meet it) or a plain boolean expression (a
    branch nothing the person does can reach, e.g. "2023届毕业生").  The hint is the branch hint naming the
    earliest day; failing any, the one missing the fewest units.  ``fact`` is the case fact the hinted
    branches move (one fact for all of them, so a test can apply the hint).
    """

    branches: tuple[Threshold | pl.Expr, ...]
    fact: str = ""

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        return tuple(b for b in self.branches if isinstance(b, Threshold))

    @property
    def expr(self) -> pl.Expr:
        branches = [b.expr if isinstance(b, Threshold) else b for b in self.branches]
        return pl.any_horizontal(branches).fill_null(False)

    @property
    def upward(self) -> bool:
        """Some branch can be reached by waiting or acting."""
        return any(t.upward for t in self.thresholds)

    def hint(self, until: dt.date | None = None, where: pl.Expr | None = None) -> pl.Expr:
        """The hint of the branch reachable first: the earliest day, else the fewest missing units (``where``: as
        :meth:`Threshold.hint`).  A group of one branch needs no comparison: where it may be said, it names a day
        (or a number) and is the earliest — every measure's AnyOf has one hinted branch."""
        parts = [t.hint_parts(until) for t in self.thresholds if t.upward]
        dated = [(text, day, ok) for text, day, _, ok in parts if day is not None and ok is not None]
        counted = [(text, missing, ok) for text, _, missing, ok in parts if missing is not None and ok is not None]
        chosen: list[tuple[pl.Expr, pl.Expr | None]] = []  # (text, where it is chosen; None: where it is not null)
        for group in (dated, counted):
            if len(group) == 1:
                chosen.append((group[0][0], group[0][2]))
            elif group:
                best = pl.min_horizontal([pl.when(ok).then(key) for _, key, ok in group])
                chosen += [(pl.when(ok & (key == best)).then(text), None) for text, key, ok in group]
        if not chosen:
            return _NO_HINT
        text, ok = chosen[0]
        if len(chosen) == 1 and ok is not None:
            return pl.when(_where(where, ok)).then(text)
        picked = pl.coalesce([text if ok is None else pl.when(ok).then(text) for text, ok in chosen])
        return picked if where is None else pl.when(where).then(picked)


@dataclass(frozen=True)
class Condition:
    key: str  # column name, unique within the measure
    text: str  # Chinese label shown to users
    clause: str
    expr: pl.Expr  # boolean; null counts as not met
    detail: pl.Expr | None = None  # string describing the values compared
    # G4 (rev. 2) "the first occurrence decides": when ``first_over`` is set, ``expr`` and ``detail`` read the
    # column ``first_column(key)``, which the engine fills with the earliest ``first_of`` among the rows of
    # the same ``first_over`` group that meet every other (plain) condition
    first_of: pl.Expr | None = None
    first_over: tuple[str, ...] = ()
    threshold: Threshold | AnyOf | None = None  # declared structure of a threshold (what would change it)

    @classmethod
    def of(cls, key: str, text: str, clause: str, threshold: Threshold | AnyOf, detail: pl.Expr | None = None
           ) -> Condition:  # fmt: skip
        """A threshold condition: its expression is the threshold's, so the two cannot disagree."""
        return cls(key, text, clause, threshold.expr, detail, threshold=threshold)


def first_column(key: str) -> str:
    """The column a first-occurrence condition reads (see :attr:`Condition.first_over`)."""
    return f"_first_{key}"


@dataclass(frozen=True)
class Cap:
    """G5: ``limit`` lines/months per ``key``, consumed chronologically, payments included."""

    limit: int | str  # a number, or the name of a parameter (null = not set yet: lines stay pending, G6)
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


# the facts table of each kind of subject (a measure without subjects has no candidate row at all)
SUBJECT_TABLES: dict[str, tuple[str, ...]] = {
    "persons": ("persons",), "organizations": ("organizations",), "employers": ("employers",), "none": (),
}  # fmt: skip


class Measure:
    """Base class; a measure module defines one subclass and an instance ``MEASURE``."""

    meta: ClassVar[Meta]
    subjects: ClassVar[Subjects] = "persons"
    cap: ClassVar[Cap | None] = None
    # facts tables without which no candidate can be eligible: when one is empty the batch path skips the
    # measure (explanations still evaluate it, and a property test checks both paths give the same lines)
    needs: ClassVar[tuple[str, ...]] = ()
    # the parameters whose dated values are the possible amounts of one line (supervision checks a paid line
    # against the largest in force in its month); empty where a line's amount is computed from facts or where
    # one line may merge several subsidies (G5)
    line_amounts: ClassVar[tuple[str, ...]] = ()
    # G12 (rev. 2): the senses in which a subject must belong to the measure's district; the engine adds one
    # condition per entry, so no module writes its own district test.  Empty only for measures without money.
    scope: ClassVar[tuple[Scope, ...]] = ()
    # prune first (issue 11): conditions every eligible candidate row meets on its subject person alone, checked
    # for all measures in one shared pass before any join (names in jiuye.rules.prune.NECESSARY_TEXT)
    necessary: ClassVar[tuple[Necessary, ...]] = ()
    # the facts tables whose rows the candidate rows start from (``candidates`` left-joins everything else to
    # them): with all of them empty there is no candidate row, hence no line and no explanation, and the engine
    # plans no query for the measure (issue 11 item 4: a web form's person has no organisations).  None: the
    # subjects' table (:data:`SUBJECT_TABLES`).  tests/rules/test_engine.py checks every measure's on random cases.
    universe: ClassVar[tuple[str, ...] | None] = None

    @property
    def universe_tables(self) -> tuple[str, ...]:
        return SUBJECT_TABLES[self.subjects] if self.universe is None else self.universe

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def district(self) -> str:
        return self.meta.district

    @property
    def requires_hukou(self) -> bool:
        """G13: a measure that requires hukou in its district stops after the month the hukou moved out."""
        return any(s.sense == "hukou" for s in self.scope)

    def district_senses(self) -> Mapping[Sense, str]:
        """G12: each sense in which a subject must belong to the measure's district, with its text ("本区（崇明）
        户籍") — the declared :attr:`scope`, or for a measure that declares none, G12's default by who it pays.
        Built once per measure and shared (the self-check asks it of a visitor's measures on every submit)."""
        return _district_senses(self)

    def scope_conditions(self) -> list[Condition]:
        """G12 as named conditions, one per declared :class:`Scope` (the same code for every measure)."""
        name = DISTRICT_NAMES[self.district].removesuffix("区")
        out = []
        for s in self.scope:
            out.append(Condition(
                key=f"g12_{s.sense}", text=s.text or SENSE_TEXT[s.sense].format(name), clause=G12_CLAUSE,
                expr=pl.col(s.column) == self.district,
                detail=detail(SENSE_DETAIL[s.sense], labels_or(pl.col(s.column), DISTRICT_NAMES, "非本市")),
            ))  # fmt: skip
        return out

    def all_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        """The measure's own conditions with the G12 district conditions first."""
        return [*self.scope_conditions(), *self.conditions(p, ctx)]

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

    def line_amounts_by_kind(self) -> dict[str, tuple[str, ...]]:
        """Kind of beneficiary → the parameters whose dated values are the possible amounts of one line paid
        to it: the route's own (``Payee.amounts``), else the measure's ``line_amounts``."""
        out: dict[str, tuple[str, ...]] = {}
        for payee in self.meta.payees:
            out[payee.kind] = tuple(dict.fromkeys((*out.get(payee.kind, ()), *(payee.amounts or self.line_amounts))))
        return out

    def form_fields(self) -> tuple[FormField, ...]:
        """The questions of this measure's application form (点单式): a measure decided on application
        declares its own (``DecidedOnApplication.form``); any other measure applied for gets the generic
        form (which organisation, for a measure paying one; the reason; a supporting document)."""
        own = getattr(self, "form", ())
        if own:
            return tuple(own)
        org = ORGANIZATION_FORM if self.meta.payee_kinds == ("organization",) else ()
        return (*org, *GENERIC_FORM)

    def findings(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame | None:
        """Rules without money may report findings: columns rule, subject, year, kind, month."""
        return None


class ReviewerDecided(Measure):
    """A measure the documents name without a computable rule: listed, applied for, decided by a reviewer."""

    subjects: ClassVar[Subjects] = "none"


FieldType = Literal["text", "integer", "money", "date", "month", "boolean", "choice", "district", "file",
                    "person", "employer", "organization"]  # fmt: skip
FIELD_TYPE_LABELS: dict[str, str] = {
    "text": "文本", "integer": "整数", "money": "金额（元，最多两位小数）", "date": "日期", "month": "月份",
    "boolean": "是/否", "choice": "单选", "district": "上海市区", "file": "附件（证明材料）",
    "person": "身份证号码", "employer": "统一社会信用代码", "organization": "机构编号",
}  # fmt: skip


@dataclass(frozen=True)
class FormField:
    """One field of a measure's application form (catalog rev. 2: the form collects the facts it needs).

    ``person`` / ``employer`` / ``organization`` fields name a registry subject by its natural key;
    ``choice`` fields list their ``choices`` as (value, Chinese label).
    """

    name: str  # machine name, unique within the form
    label: str  # Chinese label shown on the form
    type: FieldType
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""  # Chinese hint under the field

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type,
                               "type_label": FIELD_TYPE_LABELS[self.type], "required": self.required}  # fmt: skip
        if self.choices:
            out["choices"] = [{"value": v, "label": label} for v, label in self.choices]
        if self.help:
            out["help"] = self.help
        return out


# the generic application form (a measure applied for that declares no form of its own)
GENERIC_FORM: tuple[FormField, ...] = (
    FormField("reason", "申请事由", "text", help="简要说明您符合本政策的情况"),
    FormField("proof", "证明材料", "file", help="PDF、JPG 或 PNG 文件，不超过 5 MB"),
)
ORGANIZATION_FORM: tuple[FormField, ...] = (
    FormField("org_name", "机构名称", "text"),
    FormField("org_code", "机构统一社会信用代码", "employer", help="18 位，按 GB 32100 校验"),
)


class DecidedOnApplication(ReviewerDecided):
    """Catalog rev. 2: a measure decided on application.  Its form (``form``) collects the facts it needs;
    the reviewer records the decision and the approved amount (G6), and the approved application becomes a
    ledger entitlement like any other.  ``scope`` (G12) says in which sense the applicant must belong to
    the document's district; the form asks for the fact that shows it."""

    form: ClassVar[tuple[FormField, ...]] = ()


# ----------------------------------------------------------------------------- detail helpers
def labelled(expr: pl.Expr, labels: Mapping[str, str], keep_unlabelled: bool = False) -> Text:
    """A String column's values as their labels: ``expr.replace_strict(labels, default=None,
    return_dtype=pl.String)`` — or with ``keep_unlabelled``, ``expr.replace(labels)`` (a value without a
    label stays as it is) — with the same values and name.

    Computed as the value's position among the labelled values (a non-strict cast to an Enum) and a gather
    of the labels: Polars evaluates ``replace``/``replace_strict`` as a join, ~0.3–0.6 ms even on one row —
    most of an explanation row's cost in a one-person evaluation (issue 11 item 4); the gather takes a few
    microseconds there and less than the join on a million rows.
    """
    out = _gathered(expr, tuple(labels.items()), keep_unlabelled)
    name = expr.meta.output_name(raise_if_undetermined=False)
    return Text.of(out if name is None else out.alias(name), nullable=True,
                   python=(expr, _label_of(dict(labels), keep_unlabelled)))  # fmt: skip


def _label_of(labels: dict[str, str], keep_unlabelled: bool) -> Callable[[Any], str | None]:
    """:func:`labelled` of one plain value in Python (a value that is no String key has no label)."""

    def label(value: Any) -> str | None:
        if value is None:
            return None
        found = labels.get(value) if isinstance(value, str) else None
        return value if found is None and keep_unlabelled else found

    return label


def labels_or(expr: pl.Expr, labels: Mapping[str, str], missing: str, keep_unlabelled: bool = False) -> Text:
    """``labelled(expr, labels, keep_unlabelled).fill_null(missing)``, as a :class:`Text` that a one-placeholder
    :func:`detail` folds its template into (the labels formatted at build time: fewer nodes per collect)."""
    items = tuple(labels.items())

    def fold(template: str) -> pl.Expr:
        *texts, missing_text = formatted(template, (*(v for _, v in items), missing))
        out = _gathered(expr, tuple((k, t) for (k, _), t in zip(items, texts, strict=True)), False)
        if keep_unlabelled:
            out = pl.coalesce(out, pl.format(template, expr))
        return out.fill_null(pl.lit(missing_text))

    label = _label_of(dict(labels), keep_unlabelled)
    return Text.of(labelled(expr, labels, keep_unlabelled).fill_null(missing), fold=fold,
                   python=(expr, lambda value: missing if (text := label(value)) is None else text))  # fmt: skip


def _gathered(expr: pl.Expr, items: tuple[tuple[str, str], ...], keep_unlabelled: bool) -> pl.Expr:
    keys, values = _label_table(items)
    out = pl.lit(values).gather(expr.cast(keys, strict=False).to_physical())
    return pl.coalesce(out, expr) if keep_unlabelled else out


@functools.lru_cache(maxsize=256)
def _district_senses(measure: Measure) -> Mapping[Sense, str]:
    name = DISTRICT_NAMES[measure.district].removesuffix("区")
    if measure.scope:
        return MappingProxyType({s.sense: s.text or SENSE_TEXT[s.sense].format(name) for s in measure.scope})
    senses = [DEFAULT_SENSE[k] for k in measure.meta.payee_kinds if k in DEFAULT_SENSE]
    texts = SENSE_TEXT | {"organization": "机构位于本区（{}）"}
    return MappingProxyType({sense: texts[sense].format(name) for sense in senses})


@functools.lru_cache(maxsize=256)
def _label_table(items: tuple[tuple[str, str], ...]) -> tuple[pl.Enum, pl.Series]:
    return pl.Enum([k for k, _ in items]), pl.Series([v for _, v in items], dtype=pl.String)


class Text(pl.Expr):
    """A String expression rendered for an explanation, which :func:`text_of` and :func:`detail` take as it is: no
    cast, and no placeholder for null where it is never null.  On a one-person evaluation Polars costs a few µs per
    expression node per collect (issue 11), and ~130 details are evaluated each time.

    ``fold``: for a template with one ``{}``, the expression of ``pl.format(template, self)`` with the template
    formatted into each possible text at build time (``detail("户籍：{}", district_text(...))`` is one gather of
    "户籍：金山区", …); None: not foldable.  ``python``: the expression whose plain value the text is made from and
    how, in Python (None: the text is null), for :class:`Detail`.  Anything else done with a Text is a plain
    ``pl.Expr``."""

    nullable: bool
    fold: Callable[[str], pl.Expr] | None
    python: tuple[pl.Expr, Callable[[Any], str | None]] | None

    @classmethod
    def of(cls, expr: pl.Expr, nullable: bool = False, fold: Callable[[str], pl.Expr] | None = None,
           python: tuple[pl.Expr, Callable[[Any], str | None]] | None = None) -> Text:  # fmt: skip
        out = cls.__new__(cls)
        out._pyexpr = expr._pyexpr
        out.nullable, out.fold, out.python = nullable, fold, python
        return out


# a part of a detail made in Python: the plain value of an expression and its dtype → the part's text
PartText = Callable[[Any, pl.DataType], str | None]
# a detail made in Python: the expressions whose plain values it is made from, and how (values, their dtypes →
# the text, None where the Polars detail is null)
Made = tuple[tuple[pl.Expr, ...], Callable[[list[Any], list[pl.DataType]], str | None]]


class Detail(pl.Expr):
    """A detail made by :func:`detail`, which the engine may also make in Python from the plain values of its
    parts (``python``): on a handful of candidate rows the explanations' values come to Python anyway, and each
    detail's casts, placeholders and format cost ~10–40 µs of Polars per evaluation (issue 11).

    ``python``: the expressions whose plain values the text is made from and how — the same text as the Polars
    expression's (None: made by Polars only)."""

    python: Made | None

    @classmethod
    def of(cls, expr: pl.Expr, python: Made | None) -> Detail:
        out = cls.__new__(cls)
        out._pyexpr = expr._pyexpr
        out.python = python
        return out


@functools.lru_cache(maxsize=1024)
def formatted(template: str, texts: tuple[str, ...]) -> tuple[str, ...]:
    """``pl.format(template, text)`` of each text, computed by Polars itself (the same bytes by construction)."""
    return tuple(pl.select(pl.format(template, pl.Series(texts, dtype=pl.String))).to_series().to_list())


@functools.lru_cache(maxsize=1024)
def _python_template(template: str, n: int) -> str | None:
    """``template`` as a ``str.format`` string with ``n`` placeholders that gives what ``pl.format`` gives (the
    pieces around the placeholders checked against Polars with marker parts at build time, braces escaped), or
    None where Python's split would differ."""
    pieces = tuple(template.split("{}"))
    if len(pieces) != n + 1:
        return None
    markers = [f"\x00{i}\x00" for i in range(n)]
    made = pl.select(pl.format(template, *(pl.lit(m) for m in markers))).item()
    python = pieces[0] + "".join(m + piece for m, piece in zip(markers, pieces[1:], strict=True))
    return "{}".join(piece.replace("{", "{{").replace("}", "}}") for piece in pieces) if made == python else None


def as_text(value: Any, dtype: pl.DataType) -> str:
    """``cast(pl.String)`` of one plain value of a column of ``dtype``, in Python for the common types."""
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if kind is dt.date:
        return value.isoformat()
    if kind is bool:
        return "true" if value else "false"
    out: str = pl.Series([value], dtype=dtype).cast(pl.String).item()  # anything else: Polars' own cast
    return out


def choice(condition: pl.Expr, yes: str, no: str) -> Text:
    """``when(condition.fill_null(False)).then(yes).otherwise(no)`` as a :class:`Text` (never null, foldable)."""
    met = condition.fill_null(False)

    def build(yes: str, no: str) -> pl.Expr:
        return pl.when(met).then(pl.lit(yes)).otherwise(pl.lit(no))

    return Text.of(build(yes, no), fold=lambda template: build(*formatted(template, (yes, no))),
                   python=(condition, lambda v: yes if v else no))  # fmt: skip


def text_of(expr: pl.Expr, missing: str = "无") -> pl.Expr:
    """A column rendered for explanations, with a Chinese placeholder for null."""
    if isinstance(expr, Text):
        return expr.fill_null(missing) if expr.nullable else expr
    return expr.cast(pl.String).fill_null(missing)


def _part_text(expr: pl.Expr, missing: str = "无") -> tuple[pl.Expr, PartText] | None:
    """How :func:`text_of` of ``expr`` is made in Python from a plain value (None: not known)."""
    if isinstance(expr, Text):
        if expr.python is None:
            return None
        source, text = expr.python

        def shown(value: Any, dtype: pl.DataType) -> str:
            out = text(value)
            return missing if out is None else out

        return source, shown
    return expr, lambda value, dtype: missing if value is None else as_text(value, dtype)


def _formatted(template: str, parts: list[tuple[pl.Expr, PartText] | None]) -> Made | None:
    """How ``pl.format(template, …)`` of the parts is made in Python (None: a part or the template is not known)."""
    into = _python_template(template, len(parts))
    known = [p for p in parts if p is not None]
    if into is None or len(known) < len(parts):
        return None
    texts = [text for _, text in known]

    def made(values: list[Any], dtypes: list[pl.DataType]) -> str | None:
        shown = [text(v, d) for text, v, d in zip(texts, values, dtypes, strict=True)]
        return None if None in shown else into.format(*shown)

    return tuple(e for e, _ in known), made


def _plain(value: Any, dtype: pl.DataType) -> str | None:
    return None if value is None else as_text(value, dtype)


def formats(template: str, *exprs: pl.Expr) -> Detail:
    """``pl.format(template, *exprs)`` (null where a part is null), also made in Python (:class:`Detail`); a part
    may be a Detail made in Python itself (:func:`when`)."""
    expr = pl.format(template, *exprs)
    into = _python_template(template, len(exprs))
    if into is None:
        return Detail.of(expr, None)
    parts = [e.python if isinstance(e, Detail) and e.python is not None else ((e,), _one_plain) for e in exprs]
    cuts = [0]
    for part_exprs, _ in parts:
        cuts.append(cuts[-1] + len(part_exprs))
    spans = [(a, b, make) for a, b, (_, make) in zip(cuts, cuts[1:], parts, strict=False)]

    def made(values: list[Any], dtypes: list[pl.DataType]) -> str | None:
        shown = [make(values[a:b], dtypes[a:b]) for a, b, make in spans]
        return None if None in shown else into.format(*shown)

    return Detail.of(expr, (tuple(e for part_exprs, _ in parts for e in part_exprs), made))


def _one_plain(values: list[Any], dtypes: list[pl.DataType]) -> str | None:
    return _plain(values[0], dtypes[0])


def when(condition: pl.Expr, then: str | pl.Expr, otherwise: str | pl.Expr) -> Detail:
    """``pl.when(condition).then(then).otherwise(otherwise)`` of texts (a str is a literal), also made in Python
    where both branches are (:class:`Detail`): a detail that reads differently where a fact is missing."""
    branches: list[Made] = []
    for branch in (then, otherwise):
        if isinstance(branch, str):
            branches.append(((), _constant(branch)))
        elif isinstance(branch, Detail) and branch.python is not None:
            branches.append(branch.python)
    expr = pl.when(condition).then(_literal(then)).otherwise(_literal(otherwise))
    if len(branches) < 2:
        return Detail.of(expr, None)
    (yes_exprs, yes), (no_exprs, no) = branches
    cut = 1 + len(yes_exprs)

    def made(values: list[Any], dtypes: list[pl.DataType]) -> str | None:
        if values[0]:  # a null condition takes the otherwise branch, as in Polars
            return yes(values[1:cut], dtypes[1:cut])
        return no(values[cut:], dtypes[cut:])

    return Detail.of(expr, ((condition, *yes_exprs, *no_exprs), made))


def _constant(text: str) -> Callable[[list[Any], list[pl.DataType]], str | None]:
    return lambda values, dtypes: text


def _literal(text: str | pl.Expr) -> pl.Expr:
    return pl.lit(text) if isinstance(text, str) else text


def detail(template: str, *exprs: pl.Expr) -> pl.Expr:
    """``detail("登记日 {}，年龄 {} 周岁", col("R"), col("age"))`` with nulls shown as 无."""
    python = _formatted(template, [_part_text(e) for e in exprs])
    if len(exprs) == 1:
        (e,) = exprs
        if isinstance(e, Text) and e.fold is not None and not e.nullable:
            return Detail.of(e.fold(template), python)
        if template == "{}":
            return Detail.of(text_of(e), python)
    return Detail.of(pl.format(template, *(text_of(e) for e in exprs)), python)
