"""What the Chongming (沪崇就办〔2023〕2号) measures share: clauses, district conditions, candidate frames.

Clause citations read ``沪崇就办〔2023〕2号 三(十)``: the part (一 … 五) and the clause number, which
the Chongming document numbers continuously across parts ((一) … (十七)).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_years_expr
from jiuye.rules.facts import DISTRICT_NAMES, Facts
from jiuye.rules.measure import (
    CM_DOC,
    AnyOf,
    Condition,
    Threshold,
    detail,
    first_column,
    labelled,
    labels_or,
)  # fmt: skip
from jiuye.rules.measures import _jinshan
from jiuye.rules.parameters import MeasureParameters

DISTRICT = "chongming"


def clause(part: str, number: str) -> str:
    return f"{CM_DOC} {part}({number})"


CLAUSE_1 = clause("一", "一")  # 加大对吸纳就业能力强的行业企业扩岗政策支持
CLAUSE_2 = clause("一", "二")  # 发挥创业带动就业倍增效应
CLAUSE_3 = clause("一", "三")  # 加大技能培训支持力度
CLAUSE_4 = clause("二", "四")  # 鼓励用人单位吸纳就业
CLAUSE_5 = clause("二", "五")  # 鼓励引导基层就业
CLAUSE_8 = clause("二", "八")  # 提升就业见习质量
CLAUSE_9 = clause("二", "九")  # 强化高校毕业生就业服务
CLAUSE_10 = clause("三", "十")  # 加强困难人员就业帮扶

# G4: the document (issued 2023-09-05) applies its measures from 2023; most have no end date.
WINDOW_SOURCE = "沪崇就办〔2023〕2号（2023年9月5日印发）自2023年1月1日起适用，文件未规定终止日期（政策目录 G4）"
WINDOW_CLAUSE = f"{CM_DOC}；政策目录 G4"

LEVEL_LABELS = {"junior_college": "专科", "bachelor": "本科", "master": "硕士", "doctor": "博士",
                "secondary_vocational": "中职"}  # fmt: skip
STATUS_LABELS = {
    "employment_hardship": "就业困难人员", "min_living_allowance_family": "低保家庭",
    "low_income_family": "低收入困难家庭", "disabled": "残疾", "zero_employment_family": "零就业家庭",
    "paired_region_rural_labor": "对口地区农村劳动力",
}  # fmt: skip
SIZE_LABELS = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}

ONE_DAY = dt.timedelta(days=1)


def district_text(column: str) -> pl.Expr:
    return labels_or(pl.col(column), DISTRICT_NAMES, "非本市", keep_unlabelled=True)


# ----------------------------------------------------------------------------- conditions
def hukou_in_chongming(at: str) -> Condition:
    return Condition("hukou", "本区（崇明）户籍", at, pl.col("hukou_district") == DISTRICT,
                     detail("户籍：{}", district_text("hukou_district")))  # fmt: skip


def employer_in_chongming(at: str) -> Condition:
    return Condition("employer_in_chongming", "本区（崇明）用人单位", at, pl.col("employer_district") == DISTRICT,
                     detail("用人单位 {} 所在区：{}", pl.col("employer"), district_text("employer_district")))  # fmt: skip


def employer_in_shanghai(at: str) -> Condition:
    return Condition("employer_in_shanghai", "本市用人单位", at, pl.col("employer_district").is_not_null(),
                     detail("用人单位 {} 所在区：{}", pl.col("employer"), district_text("employer_district")))  # fmt: skip


def has_contract(at: str) -> Condition:
    return Condition("has_contract", "与用人单位签订劳动合同（招用）", at, pl.col("contract_id").is_not_null(),
                     detail("劳动合同：{}，起始日 {}", pl.col("employer"), pl.col("S")))  # fmt: skip


def in_window(p: MeasureParameters, month: pl.Expr, what: str, over: tuple[str, ...] = ()) -> Condition:
    """G4 as a visible condition (:func:`jiuye.rules.measures._jinshan.in_window`), cited to this document's window:
    for a once-only measure whose month is not a G6 trigger date (CM-10c), the key's first occurrence before 2023
    takes its one slot and is not paid — the explanation says so instead of "eligible" without a line."""
    return _jinshan.in_window(p, month, what, over, clause=WINDOW_CLAUSE)


def start_between(at: str, first: dt.date, last: dt.date, column: str = "S", text: str = "劳动合同起始日",
                  over: tuple[str, ...] = ()) -> Condition:  # fmt: skip
    """A hire date inside a policy period given by parameters (both ends included).

    With ``over`` (a once-only measure's key, G4 rev. 2) the *first* qualifying hire of the key is tested:
    a hire before the period takes the key's one occurrence and a later hire does not revive it.
    """
    checked = pl.col(first_column("start_in_period")) if over else pl.col(column)
    label = f"最早一次符合条件的{text}" if over else text
    return Condition(
        "start_in_period", f"{label}在 {first} 至 {last} 之间", at, (checked >= first) & (checked <= last),
        detail(f"{label}：{{}}", checked), first_of=pl.col(column) if over else None, first_over=over,
    )  # fmt: skip


def start_from(at: str, first: dt.date, column: str = "S", text: str = "劳动合同起始日",
               over: tuple[str, ...] = (), fact: str = "contracts.start") -> Condition:  # fmt: skip
    """G6 (rev. 2): the triggering hire or registration falls on or after the document's start.

    With ``over`` (a once-only measure's key, G4 rev. 2) the key's *first* qualifying occurrence is tested:
    a later hire does not revive the key, so nothing would change it (no threshold, no hint).  Without it a
    new hire or registration on or after the start would: the condition declares its threshold (``fact``).
    """
    if over:
        checked = pl.col(first_column("start_from"))
        label = f"最早一次符合条件的{text}"
        return Condition("start_from", f"{label}在 {first} 或之后（新增就业）", at, checked >= first,
                         detail(f"{label}：{{}}", checked), first_of=pl.col(column), first_over=over)  # fmt: skip
    return Condition.of("start_from", f"{text}在 {first} 或之后（新增就业）", at,
                        Threshold("以上", pl.col(column), first, "date", action=text, fact=fact),
                        detail(f"{text}：{{}}", pl.col(column)))  # fmt: skip


# ----------------------------------------------------------------------------- candidate frames
def persons(facts: Facts) -> pl.LazyFrame:
    """The subject universe: every person, ``person`` = ``subject``."""
    return facts.persons.lazy().select(
        person="id", subject="id", birth_date="birth_date", gender="gender", hukou_district="hukou_district",
        hukou_agricultural="hukou_agricultural",
    )  # fmt: skip


def person_contracts(facts: Facts) -> pl.LazyFrame:
    """Every person left-joined with their contracts (employer attributes, ``S`` = start, ``day_before_S``)."""
    return derived.shared_when_tiny(facts, "person_contracts", lambda: _person_contracts(facts))


def _person_contracts(facts: Facts) -> pl.LazyFrame:
    if derived.no_rows(facts.contracts):  # every person without one (a web form's, usually): nulls, without the join
        return _without_rows(facts, "person_contracts", _with_contracts)
    return _with_contracts(facts)


PERSON_COLUMNS = ("person", "subject", "birth_date", "gender", "hukou_district", "hukou_agricultural")


def _without_rows(facts: Facts, key: str, joined: Callable[[Facts], pl.LazyFrame]) -> pl.LazyFrame:
    """:func:`persons` with the columns ``joined`` adds, null (:func:`jiuye.rules.derived.null_columns`)."""
    return persons(facts).with_columns(derived.null_columns(key, lambda: joined(facts), PERSON_COLUMNS))


def _with_contracts(facts: Facts) -> pl.LazyFrame:
    contracts = derived.contracts_with_employers(facts).select(
        "contract_id", "person", "employer", S="start", contract_end="end", registered="registered",
        employer_type="employer_type", employer_district="employer_district", employer_size="employer_size",
    )  # fmt: skip
    return persons(facts).join(contracts, on="person", how="left").with_columns(day_before_S=pl.col("S") - ONE_DAY)


def higher_education(facts: Facts) -> pl.LazyFrame:
    """Full-time higher-education entries with a graduation date: (person, level, graduation_date, graduation)."""
    return derived.shared_when_tiny(facts, "higher_education", lambda: _higher_education(facts))


def _higher_education(facts: Facts) -> pl.LazyFrame:
    return (
        facts.education.lazy()
        .filter(pl.col("full_time") & derived.is_in("level", derived.HIGHER_EDUCATION)
                & pl.col("graduation_date").is_not_null())
        .select("person", "level", "graduation_date")
        .with_columns(graduation=pl.format("{}毕业 {}", labelled(pl.col("level"), LEVEL_LABELS, keep_unlabelled=True),
                                           pl.col("graduation_date")))
    )  # fmt: skip


NO_GRADUATION = "无全日制高等教育毕业记录"  # ``graduations`` of a person without an entry


def with_graduation_flags(
    units: pl.LazyFrame, facts: Facts, key: str, flags: dict[str, pl.Expr], day: str = "S",
    earliest: dict[str, pl.Expr] | None = None,
) -> pl.LazyFrame:  # fmt: skip
    """For each unit (``key``), whether *some* full-time higher-education entry meets each flag expression.

    The flag expressions see the unit's ``day`` column and the entry's ``graduation_date``.  Adds the
    flags (false when the person has no such entry) and ``graduations`` (all entries, for explanations).
    ``earliest`` adds the smallest value of each (date) expression over the entries (null where none gives one):
    the first day an entry not yet reached would be (what an :class:`AnyOf` hint names).  Facts without any
    education entry get what the join with no entry gives, without its operators (issue 11: a web form's person).
    """
    if derived.no_rows(facts.education):
        return units.with_columns(_no_graduations(tuple(flags), tuple(earliest or {})))
    per_unit = (
        units.select(key, "person", day).unique().filter(pl.col(key).is_not_null())
        .join(higher_education(facts), on="person")
        .group_by(key)
        .agg(*[expr.fill_null(False).any().alias(name) for name, expr in flags.items()],
             *[expr.min().alias(name) for name, expr in (earliest or {}).items()],
             graduations=pl.col("graduation").sort().str.join("、"))
    )  # fmt: skip
    return units.join(per_unit, on=key, how="left").with_columns(
        *[pl.col(name).fill_null(False) for name in flags], pl.col("graduations").fill_null(NO_GRADUATION)
    )


@functools.lru_cache(maxsize=256)
def _no_graduations(flags: tuple[str, ...], earliest: tuple[str, ...]) -> list[pl.Expr]:
    """What :func:`with_graduation_flags` adds without any education entry, kept by the columns' names: a typed
    null literal costs a Series cast (issue 11: ~0.2 ms of a one-person evaluation's main thread, 3 measures)."""
    return [
        *[pl.lit(False).alias(name) for name in flags], *[pl.lit(None, pl.Date).alias(name) for name in earliest],
        pl.lit(NO_GRADUATION).alias("graduations"),
    ]  # fmt: skip


def person_employments(facts: Facts) -> pl.LazyFrame:
    """Every person left-joined with their employments: contracts and flexible registrations.

    Columns ``employment`` (contract | flexible), ``employment_id``, ``E`` (start), ``employment_end``,
    ``employer`` (null for flexible employment), ``employment_registered`` (the contract's 用工登记备案; a
    flexible-employment registration is itself a registration: true).
    """
    return derived.shared_when_tiny(facts, "person_employments", lambda: _person_employments(facts))


def _person_employments(facts: Facts) -> pl.LazyFrame:
    if derived.no_rows(facts.contracts) and derived.no_rows(facts.flexible):
        return _without_rows(facts, "person_employments", _with_employments)
    return _with_employments(facts)


def _with_employments(facts: Facts) -> pl.LazyFrame:
    contracts = facts.contracts.lazy().select(
        "person", employment=pl.lit("contract"), employment_id="contract_id", E="start", employment_end="end",
        employer="employer", employment_registered="registered",
    )  # fmt: skip
    flexible = derived.case_row_index(facts.flexible.lazy(), "_i", "person").select(
        "person", employment=pl.lit("flexible"), employment_id=pl.format("{}#f{}", pl.col("person"), pl.col("_i")),
        E="start", employment_end="end", employer=pl.lit(None, pl.String), employment_registered=pl.lit(True),
    )  # fmt: skip
    # only the kinds the facts hold (a web form's person has one or none): each branch of the concat is a query of its
    # own however few its rows (issue 11: ~0.4 ms CPU of a one-person evaluation); the rows are the same
    held = [part for part, table in ((contracts, facts.contracts), (flexible, facts.flexible)) if not derived.no_rows(table)]
    return persons(facts).join(pl.concat(held or [contracts, flexible]), on="person", how="left")


EMPLOYMENT_LABEL = labelled(pl.col("employment"), {"contract": "用人单位招用", "flexible": "灵活就业"}, keep_unlabelled=True)


yes_no = _jinshan.yes_no  # one rendering of a yes/no fact for both documents


def date_param(p: MeasureParameters, name: str) -> dt.date:
    """A date parameter; a case override may give it as text ("2023-12-31")."""
    value = p.get(name)
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def year_param(p: MeasureParameters, name: str) -> int:
    return int(p.get(name))


def recent_graduate_condition(at: str, years: int, new_employment_from: dt.date) -> Condition:
    """Reads the ``recent_graduate`` flag and ``graduation_ahead`` (:data:`GRADUATION_AHEAD`) of
    :func:`with_graduation_flags`: any entry graduated ≤ S ≤ graduated + N years, or — what would change it —
    a hire on or after the graduation still ahead of S (the earliest one).  The hire must also fall within
    the N years and on or after ``new_employment_from`` (新增就业): a graduation whose N years ended before
    that day gives no hint (a hire in those years would not be new employment, one today is too late)."""
    last = add_years_expr(pl.col("graduation_ahead"), years)
    ahead = Threshold("以上", pl.col("S"), pl.col("graduation_ahead"), "date", action="招用", limit_label="毕业",
                      fact="contracts.start", latest=pl.when(last >= new_employment_from).then(last))  # fmt: skip
    return Condition.of("recent_graduate", f"离校{years}年内的全日制高校毕业生（以劳动合同起始日计）", at,
                        AnyOf((pl.col("recent_graduate"), ahead), fact="contracts.start"),
                        detail("学历：{}；劳动合同起始日：{}", pl.col("graduations"), pl.col("S")))  # fmt: skip


# an entry whose graduation is still ahead of the hire S: a hire on that day would meet 毕业日≤S (the earliest)
GRADUATION_AHEAD = pl.when(pl.col("graduation_date") > pl.col("S")).then(pl.col("graduation_date"))


def once_at_contract_start(eligible: pl.LazyFrame, p: MeasureParameters, beneficiary: str = "person") -> pl.LazyFrame:
    """Lines of a one-time G6 subsidy dated in the contract start's month (the cap keeps the earliest)."""
    month = pl.col("S").dt.truncate("1mo")
    return eligible.select(
        beneficiary=beneficiary, subject="person", month=month, amount_fen=p.fen_expr("amount", month)
    ).unique()
