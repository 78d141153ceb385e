"""JS-01b 就业见习对象 — 金就办〔2023〕1号 一(一).

Reading (catalog + lead's decision): on a day X a person may join the internship programme when
(a) Shanghai hukou (district not null), aged ≤ 35 on X (35周岁以下 includes 35) and unemployed on X (G10); or
(b) a full-time graduate (any level) with graduation_date ≤ X ≤ graduation_date + 2 years (离校2年内,
    以内 includes the number) and unemployed on X; or
(c) a full-time student of a school in Shanghai (``school_district`` not null; secondary vocational or
    higher education) in the graduating school year on X: X ≤ graduation_date < X + 12 months (by adding, G9 rev. 2).
X is each internship's first day; a person without an internship is checked on the last day of the
evaluated range.  A rule without money: explanations only, no findings.

Our choices:
- The three groups are one condition ("符合任一类见习对象") whose detail shows each group's result, because
  the engine requires every listed condition; the explanation is evaluated on the internship closest to
  meeting it.
- :func:`mark_internship_eligible` is the reusable test (JS-03b asks it on the internship's first day).  It
  reads JS-01b's own parameter file; a case override of ``JS-01b.*`` changes JS-01b's explanations but
  not JS-03b, which reads the packaged values.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_months_expr, add_years_expr, age_on_expr
from jiuye.rules.facts import Facts
from jiuye.rules.legal import meets
from jiuye.rules.measure import JS_DOC, AnyOf, Condition, Context, Measure, Meta, Threshold
from jiuye.rules.measures._jinshan import persons, yes_no
from jiuye.rules.parameters import MeasureParameters, load_measure_parameters

CLAUSE = f"{JS_DOC} 一(一)"


def js01b_parameters() -> MeasureParameters:
    return load_measure_parameters("JS-01b")


def mark_internship_eligible(
    frame: pl.LazyFrame, facts: Facts, p: MeasureParameters, day: str, out: str, on: dt.date | None = None
) -> pl.LazyFrame:
    """Add boolean ``out`` (the person in column ``person`` meets JS-01b on ``frame[day]``) and ``{out}_detail``.

    ``on``: every row's day is that day and ``frame`` has every person (JS-01b without internships): the persons
    checked on it are read from the persons table — the same rows as the distinct (person, day) of ``frame`` with
    their people, without deriving ``frame`` again in the test (issue 11: with optimisations off for a tiny case,
    Polars runs each copy of a sub-plan; the test's keys read ``frame`` twice)."""
    e = _test_of(p.get("max_age"), p.get("years_after_leaving_school"), p.get("graduating_year_months"), day, out)
    if on is None:
        keys = frame.select(e.keys).unique().filter(e.known)
        people = keys.join(facts.persons.lazy().select(e.people), on="person", how="left")
    else:
        keys = facts.persons.lazy().select(e.keys_on(on))
        people = facts.persons.lazy().select(e.people_on(on))
    checked = derived.mark_unemployed(people, facts, "_x", "_unemployed")
    if derived.no_rows(facts.education):  # no schooling to find: what the join would add, without its operators (issue 11)
        checked = checked.with_columns(e.no_schooling)
    else:
        schooling = (
            keys.join(facts.education.lazy().filter(e.full_time), on="person")
            .group_by("person", "_x").agg(e.schooling)
        )  # fmt: skip
        checked = checked.join(schooling, on=["person", "_x"], how="left")
    checked = checked.with_columns(e.checked).select(e.result)
    return frame.join(checked, left_on=["person", day], right_on=["person", "_x"], how="left").with_columns(e.filled)


@functools.lru_cache(maxsize=64)
def without_day(out: str) -> list[pl.Expr]:
    """What :func:`mark_internship_eligible` adds to rows whose day is null (no key to test): not met, no school year
    ahead, no detail — for a caller that knows every row's day is null, without the test's joins (issue 11)."""
    return [pl.lit(False).alias(out), pl.lit(None, pl.Date).alias(f"{out}_student_from"),
            pl.lit(None, pl.String).alias(f"{out}_detail")]  # fmt: skip


@dataclass(frozen=True)
class _Test:
    """The data-independent expressions of :func:`mark_internship_eligible` (see :func:`_test_of`)."""

    keys: list[pl.Expr]
    known: pl.Expr
    people: list[pl.Expr]
    full_time: pl.Expr
    schooling: list[pl.Expr]
    no_schooling: list[pl.Expr]
    checked: list[pl.Expr]
    result: list[pl.Expr]
    filled: pl.Expr

    def keys_on(self, day: dt.date) -> list[pl.Expr]:
        """:attr:`keys` of the persons table, every person on ``day``."""
        return _keys_on(day)

    def people_on(self, day: dt.date) -> list[pl.Expr]:
        """:attr:`keys` joined with :attr:`people`, every person on ``day``: the join's columns in its order."""
        return [*_keys_on(day), *self.people[1:]]


@functools.lru_cache(maxsize=64)
def _keys_on(day: dt.date) -> list[pl.Expr]:
    return [pl.col("id").alias("person"), pl.lit(day, pl.Date).alias("_x")]


_TESTS: dict[str, _Test] = {}


def _test_of(max_age: Any, years: Any, months: Any, day: str, out: str) -> _Test:
    """The expressions of the test, kept by the parameters' values (their repr: an override may be of any type)
    and the columns: building them was ~0.3 ms of every evaluation, twice (JS-01b and JS-03b; issue 11)."""
    key = repr((max_age, years, months, day, out))
    found = _TESTS.get(key)
    if found is not None:
        return found
    x = pl.col("_x")
    grad = pl.col("graduation_date")
    shanghai_school = pl.col("school_district").is_not_null()
    # the first day D with D + months > graduation (超过, G1; adding months clamps, G9): one month-end clamp
    # away from graduation + 1 day − months, so the day after it when the clamp fell short
    after = grad + dt.timedelta(days=1)
    back = add_months_expr(after, -months)
    short = add_months_expr(back, months) < after
    student_from = pl.when(short).then(back + dt.timedelta(days=1)).otherwise(back)
    a = pl.col("_hukou").is_not_null() & meets("以下", pl.col("_age"), max_age) & pl.col("_unemployed")
    b = pl.col("_graduate") & pl.col("_unemployed")
    c = pl.col("_student")
    found = _Test(
        keys=[pl.col("person"), pl.col(day).alias("_x")],
        known=x.is_not_null(),
        people=[pl.col("id").alias("person"), pl.col("birth_date").alias("_birth"),
                pl.col("hukou_district").alias("_hukou")],
        full_time=pl.col("full_time"),
        schooling=[
            ((grad <= x) & meets("以内", x, add_years_expr(grad, years))).any().alias("_graduate"),
            (shanghai_school & meets("超过", add_months_expr(x, months), grad) & (x <= grad)).any().alias("_student"),
            # a school year still ahead of x: the first day in it (what would make (c) met), the earliest
            student_from.filter(shanghai_school & (x < student_from)).min().alias("_student_from"),
        ],
        no_schooling=[pl.lit(False).alias("_graduate"), pl.lit(False).alias("_student"),
                      pl.lit(None, pl.Date).alias("_student_from")],
        checked=[age_on_expr(pl.col("_birth"), x).alias("_age"), pl.col("_graduate").fill_null(False),
                 pl.col("_student").fill_null(False)],
        result=[
            pl.col("person"), x,
            (a | b | c).alias(out),
            pl.col("_student_from").alias(f"{out}_student_from"),
            pl.format(
                "{}：（一）本市户籍{}、{}周岁、未就业{} → {}；（二）离校{}年内全日制毕业生{}、未就业{} → {}；"
                "（三）本市院校全日制毕业学年学生 → {}",
                x, yes_no(pl.col("_hukou").is_not_null()), pl.col("_age"), yes_no(pl.col("_unemployed")), yes_no(a),
                pl.lit(years), yes_no(pl.col("_graduate")), yes_no(pl.col("_unemployed")), yes_no(b), yes_no(c),
            ).alias(f"{out}_detail"),
        ],
        filled=pl.col(out).fill_null(False),
    )  # fmt: skip
    if len(_TESTS) > 4096:
        _TESTS.clear()
    _TESTS[key] = found
    return found


def internship_group_condition(out: str, clause: str, text: str, day: str) -> Condition:
    """The JS-01b test on ``day`` (column of :func:`mark_internship_eligible`).  Of its three groups only the
    student's graduating school year comes by waiting: what would change it is an internship starting in it
    (the age limit and the two years after leaving school are maxima; being unemployed on a future day is
    nothing we can promise)."""
    student = Threshold("以上", pl.col(day), pl.col(f"{out}_student_from"), "date", action="参加就业见习",
                        limit_label="进入毕业学年", fact="internships.start")  # fmt: skip
    return Condition.of(out, text, clause, AnyOf((pl.col(out), student), fact="internships.start"),
                        pl.col(f"{out}_detail"))  # fmt: skip


class InternshipEligibility(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-01b",
        title="就业见习对象认定",
        clause=CLAUSE,
        quote="鼓励35周岁以下本市户籍未就业人员、离校2年内未就业全日制毕业生、参加见习计划的本市高等学校和中等职业学校"
        "全日制毕业学年学生参加就业见习。",
        summary="可以参加就业见习的人：35周岁以下、本市户籍、未就业的人；离校2年内、未就业的全日制毕业生；"
        "本市高校和中职学校处于毕业学年的全日制学生。",
        groups=("youth", "graduates", "students"),
        beneficiary="none",
        frequency="none",
        kind="rule",
        reading="在见习开始之日（无见习记录的，以查询区间最后一天）判断，符合任一类即可：（一）本市户籍、年满35周岁"
        "及以下（含35周岁）、当日未就业（无劳动合同也无灵活就业登记）；（二）全日制毕业生，当日在毕业日至毕业后2年"
        "（含）之内，且当日未就业；（三）本市中职或高校全日制学生，当日在毕业日前12个月内（含毕业日）。",
    )

    needs: ClassVar[tuple[str, ...]] = ('persons',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × internship first day; a person without internships on the range's last day."""
        days = facts.internships.lazy().select("person", internship_start="start")
        frame = (
            derived.left_join(persons(facts).select("person", "subject"), days, "person",
                              derived.no_rows(facts.internships), "JS-01b internships")
            .with_columns(check_day=pl.col("internship_start").fill_null(pl.lit(ctx.horizon_end)))
        )  # fmt: skip
        # without internships every person is checked on the range's last day
        on = ctx.horizon_end if derived.no_rows(facts.internships) else None
        return mark_internship_eligible(frame, facts, p, "check_day", "internship_group", on)

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [internship_group_condition(
            "internship_group",
            CLAUSE,
            day="check_day",
            text=
            f"属于见习对象：{p.get('max_age')}周岁以下本市户籍未就业人员、离校{p.get('years_after_leaving_school')}年内"
            "未就业全日制毕业生或本市高校、中职学校全日制毕业学年学生（任一）",
        )]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        raise NotImplementedError("JS-01b 是资格认定规则，不产生补贴")


MEASURE = InternshipEligibility()
