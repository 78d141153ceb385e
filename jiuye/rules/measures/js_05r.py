"""JS-05r 取消区级创业孵化示范基地称号 — 金就办〔2023〕1号 二(五).

Reading (catalog): a Jinshan incubation base loses the district title after grade D in two consecutive
years, a grade of 不达标 ``fail`` in a year, or ``not_participated`` in an evaluation it was due for.  The
finding's ``year`` is the evaluation year that triggers it; it is printed when that evaluation was
published inside the window; a revoked base gets no JS-05 money for later years.

Our choices:
- Triggers: grade D in year Y and in year Y−1 (N consecutive evaluation years, N a parameter) → Y; ``fail``
  in Y → Y; ``not_participated`` in Y → Y.  Only the first trigger (earliest year) counts: a revoked base
  cannot be revoked again.  The finding's month is the month in which the triggering evaluation was
  published.
- D, C, D is not two consecutive years of D (the C in between breaks the run); D in 2023 and D in 2025
  without a 2024 evaluation is not consecutive either.
- Explanations: every organisation is a subject; "eligible" here means the base keeps its district title
  (it is a Jinshan incubation base and none of the three situations happened).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Condition, Context, Measure, Meta, Scope, Subjects, detail
from jiuye.rules.measures._jinshan import DISTRICT, organization_is, organizations
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 二(五)"
GRADE_LABELS = {"A": "A级", "B": "B级", "C": "C级", "D": "D级", "fail": "不达标", "not_participated": "未参加评估"}
TRIGGER_LABELS = {"consecutive_d": "连续评估为D级", "fail": "当年度被评为不达标",
                  "not_participated": "应纳入评估但未参加评估"}  # fmt: skip


def revocation_triggers(facts: Facts, p: MeasureParameters) -> pl.LazyFrame:
    """Every trigger of a Jinshan incubation base: (org, year, trigger, published_on)."""
    bases = organizations(facts).filter((pl.col("org_kind") == "incubation_base") & (pl.col("org_district") == DISTRICT))
    evaluations = facts.evaluations.lazy().join(bases.select("org"), on="org")
    years = int(p.get("consecutive_d_years"))
    d_runs = (
        evaluations.filter(pl.col("grade") == "D").sort("org", "year")
        # consecutive years share year − (position among the org's D years): a run id
        .with_columns(_run=pl.col("year") - pl.int_range(pl.len()).over("org"))
        .with_columns(_length=pl.int_range(1, pl.len() + 1).over("org", "_run"))
        .filter(pl.col("_length") == years)
        .select("org", "year", trigger=pl.lit("consecutive_d"), published_on="published_on")
    )  # fmt: skip
    single = evaluations.filter(pl.col("grade").is_in(["fail", "not_participated"])).select(
        "org", "year", trigger=pl.col("grade"), published_on="published_on"
    )
    return pl.concat([d_runs, single])


def revocations(facts: Facts, p: MeasureParameters) -> pl.LazyFrame:
    """(org, revoked_year, revoked_on, revoked_trigger): the first trigger of each base (only one counts)."""
    return (
        revocation_triggers(facts, p).sort("org", "year", "published_on")
        .group_by("org", maintain_order=True).first()
        .select("org", revoked_year="year", revoked_on="published_on", revoked_trigger="trigger")
    )  # fmt: skip


def js05r_parameters() -> MeasureParameters:
    from jiuye.rules.parameters import load_measure_parameters

    return load_measure_parameters("JS-05r")


class IncubationTitleRevoked(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-05r",
        title="取消区级创业孵化示范基地称号",
        clause=CLAUSE,
        quote="对连续两年评估为 D 级、当年度被评为不达标、应纳入评估但未参加评估的基地，取消区级创业孵化示范基地称号。",
        summary="区级创业孵化示范基地连续两年评估为D级、某年度被评为不达标，或应参加评估而未参加的，"
        "取消区级称号，此后不再享受基地运作费补贴。",
        groups=("organizations", "entrepreneurs"),
        beneficiary="none",
        frequency="none",
        kind="rule",
        reading="触发年度：连续两年（上一年与当年）评估为D级，取当年；某年度不达标或应评未评，取该年度。"
        "只以第一次触发为准（称号取消后不再重复取消），结论所属月份为触发评估结果的公布月份。"
        "D级、C级、D级不算连续两年D级；中间缺一年评估也不算连续。说明中“符合”表示基地保留区级称号。"
        "只判断位于金山的基地（G12）。",
    )
    subjects: ClassVar[Subjects] = "organizations"

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "org_district", "本区（金山）创业孵化示范基地"),)
    needs: ClassVar[tuple[str, ...]] = ('organizations', 'evaluations')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        triggers = revocation_triggers(facts, p).group_by("org", "trigger").agg(pl.col("year").min())
        first = {t: triggers.filter(pl.col("trigger") == t).select("org", pl.col("year").alias(f"{t}_year"))
                 for t in TRIGGER_LABELS}  # fmt: skip
        grades = (
            facts.evaluations.lazy().sort("org", "year")
            .group_by("org", maintain_order=True)
            .agg(grades=pl.format("{}年：{}", pl.col("year"), pl.col("grade").replace(GRADE_LABELS)).str.join("；"))
        )  # fmt: skip
        frame = organizations(facts).join(grades, on="org", how="left")
        for part in first.values():
            frame = frame.join(part, on="org", how="left")
        return frame

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        years = p.get("consecutive_d_years")
        grades = detail("评估结果：{}", pl.col("grades").fill_null("无评估记录"))

        def none_of(trigger: str, text: str) -> Condition:
            year = pl.col(f"{trigger}_year")
            return Condition(
                f"no_{trigger}", text, CLAUSE, year.is_null(),
                pl.when(year.is_null()).then(grades).otherwise(pl.format("{}年：{}；{}", year,
                                                                          pl.lit(TRIGGER_LABELS[trigger]), grades)),
            )  # fmt: skip

        return [
            organization_is("incubation_base", CLAUSE),
            none_of("consecutive_d", f"未连续{years}年评估为D级"),
            none_of("fail", "未在任一年度被评为不达标"),
            none_of("not_participated", "未出现应纳入评估但未参加评估"),
        ]

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        raise NotImplementedError("JS-05r 是资格认定规则，不产生补贴")

    def findings(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame | None:
        if derived.no_rows(facts.evaluations):  # no trigger without an evaluation: no finding, and no query for none
            return None
        return revocations(facts, p).select(
            rule=pl.lit(self.id), subject="org", year="revoked_year", kind=pl.lit("title_revoked"),
            month=pl.col("revoked_on").dt.truncate("1mo"),
        )  # fmt: skip


MEASURE = IncubationTitleRevoked()
