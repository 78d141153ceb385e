"""JS-01a 一次性评价费补贴 — 金就办〔2023〕1号 一(一).

Reading (catalog + lead's decision): a full-time education entry (secondary vocational or higher) at a
school located in Jinshan, whose graduation date D satisfies evaluation date ≤ D < evaluation date + 12 months (the
12 months up to and including D, tested by adding per G9 rev. 2: an evaluation on 2024-02-29 is not in the
graduating year of a 2025-02-28 graduation, since 2024-02-29 + 12 months = 2025-02-28); evaluation level 高级(三级) or above (``senior``, ``technician``,
``senior_technician``); no earlier skill evaluation of the person at any level (strictly earlier date);
amount = the evaluation's published fee (``fee``); once per person; payable in the evaluation's month.

Our choices:
- School, full-time and graduating year are checked on the same education entry (one row per evaluation ×
  education entry), so a Jinshan school finished long ago plus another school's graduating year does not
  combine into a pass.
- Two evaluations on the same first day both count as first; once per person keeps one (the higher fee).
- The first evaluation must itself be of 高级 or above: a student whose first evaluation was 中级 gets
  nothing for a later 高级 one (对首次参加评价的学生).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_months_expr
from jiuye.rules.facts import Facts
from jiuye.rules.legal import meets
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, detail, labelled
from jiuye.rules.measures._jinshan import (
    EDUCATION_LABELS,
    LEVEL_LABELS,
    district_text,
    in_window,
    persons,
    yes_no,
)
from jiuye.rules.money import yuan_text
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 一(一)"
SENIOR_OR_ABOVE = ("senior", "technician", "senior_technician")  # 高级（三级）及以上


class SkillEvaluationFeeSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-01a",
        title="一次性评价费补贴",
        clause=CLAUSE,
        quote="鼓励本区中等职业学校和高等院校毕业学年学生积极参与高级及以上项目职业技能评价，对首次参加评价的学生给予"
        "一次性评价费补贴，补贴标准参照经市人社局备案的社会评价组织公示项目评价考核费用。",
        summary="金山区中职学校、高校的全日制学生，在毕业前一年内首次参加高级（三级）及以上职业技能评价的，"
        "按评价机构公示的评价考核费用一次性补贴，在参加评价的月份发放。",
        groups=("students", "skills", "youth"),
        beneficiary="person",
        frequency="once",
        kind="money",
        line_bound_yuan=5_000,
        reading="学校位于金山区的全日制中职或高校学生；评价日在该学历毕业日前12个月内（含毕业日）；评价等级为高级"
        "（三级）、技师（二级）或高级技师（一级）；此前未参加过任何等级的职业技能评价（首次评价本身须为高级及以上）；"
        "按该次评价公示的评价考核费用补贴，每人一次，所属月份为评价月份。学校、全日制和毕业学年须是同一学历。"
        "原文未限定学生户籍：G12 按本行所写以就读学校位于金山为准，不要求本区户籍（本软件的理解）。",
    )
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary",), "lines")
    # G12: the row names the school's location (本区中等职业学校、高等院校), not the student's hukou
    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "school_district", "就读学校位于本区（金山）"),)

    needs: ClassVar[tuple[str, ...]] = ('skill_evaluations', 'education')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × skill evaluation × education entry (missing ones stay null)."""
        evaluations = facts.skill_evaluations.lazy().select(
            "person", eval_level="level", eval_date="date", fee_fen="fee_fen"
        ).with_columns(first_eval_date=pl.col("eval_date").min().over("person"))
        education = facts.education.lazy().select(
            "person", "full_time", "graduation_date", "school_district", edu_level="level"
        )
        # a web form's person often has neither: their joins would add nulls (derived.left_join)
        frame = derived.left_join(persons(facts).select("person", "subject"), evaluations, "person",
                                  derived.no_rows(facts.skill_evaluations), "JS-01a evaluations")  # fmt: skip
        return derived.left_join(frame, education, "person", derived.no_rows(facts.education), "JS-01a education")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        months = p.get("graduating_year_months")
        level = labelled(pl.col("eval_level"), LEVEL_LABELS, keep_unlabelled=True)
        # G9 (rev. 2): a duration before a date is tested by adding — the evaluation lies in the 12 months up to
        # and including D when the 12 months from the evaluation day (eval … eval + 12 months − 1 day) reach D
        year_end = add_months_expr(pl.col("eval_date"), months)
        return [
            Condition("evaluated", "参加职业技能评价", CLAUSE, pl.col("eval_date").is_not_null(),
                      detail("评价：{}，{}，评价考核费用 {}", level, pl.col("eval_date"), yuan_text(pl.col("fee_fen"), "元"))),
            Condition("senior_or_above", "评价项目为高级（三级）及以上", CLAUSE,
                      pl.col("eval_level").is_in(list(SENIOR_OR_ABOVE)), detail("评价等级：{}", level)),
            Condition("first_evaluation", "首次参加职业技能评价", CLAUSE,
                      pl.col("eval_date") <= pl.col("first_eval_date"),
                      detail("本次评价 {}，最早一次评价 {}", pl.col("eval_date"), pl.col("first_eval_date"))),
            Condition("jinshan_student", "中等职业学校或高等院校全日制学生", CLAUSE,
                      pl.col("full_time").fill_null(False),
                      pl.when(pl.col("edu_level").is_null()).then(pl.lit("无学历记录")).otherwise(
                          detail("{}，学校所在区：{}，全日制：{}", labelled(pl.col("edu_level"), EDUCATION_LABELS, keep_unlabelled=True),
                                 district_text(pl.col("school_district")), yes_no(pl.col("full_time"))))),
            Condition("graduating_year", f"评价时处于毕业学年（毕业日前{months}个月内，含毕业日）", CLAUSE,
                      meets("超过", year_end, pl.col("graduation_date"))
                      & (pl.col("eval_date") <= pl.col("graduation_date")),
                      detail(f"评价日 {{}}，评价日+{months}个月为 {{}}（须晚于毕业日），毕业日 {{}}", pl.col("eval_date"),
                             year_end, pl.col("graduation_date"))),
            in_window(p, pl.col("eval_date").dt.truncate("1mo"), "评价月份", over=("person",)),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return eligible.select(
            beneficiary="person", subject="person", month=pl.col("eval_date").dt.truncate("1mo"), amount_fen="fee_fen"
        ).unique()


MEASURE = SkillEvaluationFeeSubsidy()
