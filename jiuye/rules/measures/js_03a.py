"""JS-03a 金山籍应届高校毕业生一次性就业补贴 — 金就办〔2023〕1号 一(三).

Reading (catalog + lead's decision): origin (``origin_district``, default hukou district) Jinshan; the
person's highest full-time degree is bachelor / master / doctor; a contract with a Jinshan employer not
excluded by G3, starting in the calendar year of that degree's graduation date (应届), term per G7 (end
empty or end ≥ start + 1 year − 1 day), registered; ≥ 6 insured months under that contract (G8, 满6个月).
With several qualifying contracts the earliest 6th insured month counts.  Bachelor 3,000 / master 8,000
/ doctor 18,000; once per person; payable in the month of the 6th insured month.  A person whose first
6th insured month is before 2023-01 belongs to the earlier policy: no line ever (G4), even when a later
contract would also qualify.

Our choices:
- "高校毕业生" by the highest full-time degree only: a junior-college (大专) graduate is not paid, since the
  clause gives amounts for 本科/硕士/博士 only.
- The contract-level conditions are evaluated per contract; the earliest 6th insured month over the
  qualifying contracts is computed before the window (condition "第6个月在有效期内").
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import (
    JS_DOC,
    Cap,
    Condition,
    Context,
    Measure,
    Meta,
    Scope,
    Threshold,
    detail,
    labelled,
)
from jiuye.rules.measures._jinshan import (
    EDUCATION_LABELS,
    amount_by,
    contract_registered,
    contract_term,
    employer_not_excluded,
    in_window,
    persons,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 一(三)"
AMOUNT_PARAMETER = {"bachelor": "bachelor_amount", "master": "master_amount", "doctor": "doctor_amount"}


class ReturningGraduateBonus(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-03a",
        title="金山籍应届高校毕业生一次性就业补贴",
        clause=CLAUSE,
        quote="对与本区用人单位签订1年及以上劳动合同并办理用工登记备案手续的金山籍应届高校毕业生，缴纳社会保险费满6个月后，"
        "按照本科、硕士研究生、博士研究生分别给予3000元、8000元、18000元的一次性就业补贴。",
        summary="金山籍的本科、硕士、博士应届毕业生，毕业当年与金山的用人单位签订1年及以上劳动合同并办理用工登记，"
        "在该单位缴纳社保满6个月后，一次性分别补贴3000元、8000元、18000元。",
        groups=("graduates", "youth"),
        beneficiary="person",
        frequency="once",
        kind="money",
        line_bound_yuan=18_000,
        reading="生源地（籍贯，未填写的按户籍）为金山；最高全日制学历为本科、硕士或博士（大专不在补贴范围）；"
        "劳动合同在该学历毕业当年开始（应届），期限1年及以上（无固定期限，或结束日不早于开始日+1年−1日），"
        "用人单位在金山且不属于机关、事业单位等（七(一)），已办理用工登记备案；该合同期间在该单位缴纳城镇职工社会保险"
        "满6个月（不要求连续）。有多份符合条件的合同时以最早的第6个参保月为准，补贴所属该月；该月在2023年1月前的，"
        "属于原政策，本意见不再补贴。每人一次。",
    )
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary",), "lines")
    scope: ClassVar[tuple[Scope, ...]] = (Scope("origin", "origin_district"), Scope("employer", "employer_district"))
    necessary: ClassVar[tuple[Necessary, ...]] = ("origin", "contract_employer")  # prune first: see jiuye.rules.prune

    def _contract_conditions(self, p: MeasureParameters) -> list[Condition]:
        months, years = p.get("min_insured_months"), p.get("min_contract_years")
        return [
            Condition("university_graduate", "高校毕业生：最高全日制学历为本科、硕士研究生或博士研究生", CLAUSE,
                      pl.col("degree").is_in(list(AMOUNT_PARAMETER)),
                      pl.when(pl.col("degree").is_null()).then(pl.lit("无全日制学历记录"))
                      .otherwise(detail("最高全日制学历：{}，毕业日 {}", labelled(pl.col("degree"), EDUCATION_LABELS, keep_unlabelled=True),
                                        pl.col("degree_graduation_date")))),
            Condition("has_contract", "与用人单位签订劳动合同", CLAUSE, pl.col("contract_id").is_not_null(),
                      detail("用人单位 {}，合同 {} 起", pl.col("employer"), pl.col("start"))),
            employer_not_excluded(),
            Condition("fresh_graduate", "应届：劳动合同在毕业当年开始", CLAUSE,
                      pl.col("start").dt.year() == pl.col("degree_graduation_date").dt.year(),
                      detail("毕业日 {}，合同开始日 {}", pl.col("degree_graduation_date"), pl.col("start"))),
            contract_term(years, CLAUSE),
            contract_registered(CLAUSE),
            Condition.of("insured_months", f"在该单位缴纳社会保险费满{months}个月", CLAUSE,
                      Threshold("满", pl.col("insured_count"), months, "count", action="在该单位缴纳社会保险费",
                                unit="个月", fact="social_insurance"),
                      detail(f"该合同期间缴纳城镇职工社会保险 {{}} 个月（须满{months}个月），第{months}个月为 {{}}",
                             pl.col("insured_count"), pl.col("qualifying_month").dt.strftime("%Y-%m"))),
        ]  # fmt: skip

    line_amounts: ClassVar[tuple[str, ...]] = ("bachelor_amount", "master_amount", "doctor_amount")
    needs: ClassVar[tuple[str, ...]] = ('education', 'contracts', 'employers', 'social_insurance')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (the earliest qualifying month is the first-occurrence condition's)."""
        months = int(p.get("min_insured_months"))
        # facts without education entries or contracts (a web form's person, often): their joins would add nulls
        frame = derived.left_join(persons(facts).select("person", "subject", "origin_district"),
                                  derived.highest_full_time_degree(facts), "person", derived.no_rows(facts.education),
                                  "JS-03a degree")  # fmt: skip
        none = derived.no_rows(facts.contracts)
        frame = derived.left_join(frame, derived.contracts_with_employers(facts), "person", none, "JS-03a contracts")
        frame = derived.left_join(frame, derived.insured_month_count(facts, "insured_count"), "contract_id", none,
                                  "JS-03a insured count")  # fmt: skip
        frame = derived.left_join(frame, derived.nth_insured_month(facts, months, "qualifying_month"), "contract_id",
                                  none, "JS-03a qualifying month")  # fmt: skip
        return frame.with_columns(pl.col("insured_count").fill_null(0))

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        months = p.get("min_insured_months")
        return [
            *self._contract_conditions(p),
            in_window(p, pl.col("qualifying_month"), f"满{months}个月的月份", over=("person",)),
        ]

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("qualifying_month")
        return eligible.select(
            beneficiary="person", subject="person", month=month, amount_fen=amount_by("degree", AMOUNT_PARAMETER, p, month)
        ).unique()


MEASURE = ReturningGraduateBonus()
