"""CM-10a 就业困难人员社会保险补贴 — 沪崇就办〔2023〕2号 三(十).

Reading (catalog rev. 2): hukou Chongming; certified 就业困难人员 on the day of a hire (contract start on
or after 2023-01-01, registered) or of a flexible-employment registration (on or after 2023-01-01); each
month M in which the status, the job and a paid insurance month hold; the employer is paid for the hired
route, the person for the flexible route; ≤ ``cap_months`` months per person across both routes, default
36 (财社〔2017〕164号: 最长不超过3年); amount by municipal standard (G6).

Our choices:
- (i) hired by an employer: a line for each insured month (G8: paid, urban_employee, that employer,
  within the contract) in which the ``employment_hardship`` status is active (G9: covers any day of the
  month) → beneficiary the employer, subject the person;
- (ii) flexible employment: a line for each month in which a flexible-employment registration is active,
  a social-insurance record of any scheme is paid (the row's "a paid insurance month" names no scheme, the
  same words as CM-10f's; the person may pay as a flexible worker or under 城镇职工) and the status is
  active → beneficiary = subject = the person;
- G12: hukou Chongming (the row's sense); and, since "a CM measure pays only Chongming subjects", the
  employer paid on the hired route must be located in Chongming too (our choice: the row is silent on it);
- the cap counts months per person: a month with lines on both routes counts once;
- the municipal standards differ for employers and for flexible workers, so there are two G6 amounts,
  ``monthly_amount_employer`` and ``monthly_amount_flexible``, both null until an administrator sets them;
- overlapping contracts with the same employer, or overlapping registrations, give one line per month.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import active_in_month_expr
from jiuye.rules.facts import Facts
from jiuye.rules.measure import Cap, Condition, Context, Measure, Meta, Payee, Scope, detail
from jiuye.rules.measures._chongming import (
    CLAUSE_10,
    EMPLOYMENT_LABEL,
    date_param,
    person_employments,
    start_from,
    yes_no,
)
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = CLAUSE_10


def hardship_months(panel: pl.LazyFrame, facts: Facts) -> pl.LazyFrame:
    """(person, month, hardship=True) for the panel's months in which an employment_hardship status is active."""
    return (
        panel.select("person", "month").unique()
        .join(derived.statuses_of(facts, "employment_hardship"), on="person")
        .filter(active_in_month_expr(pl.col("start"), pl.col("end"), pl.col("month")))
        .select("person", "month").unique().with_columns(hardship=pl.lit(True))
    )  # fmt: skip


class HardshipSocialInsuranceSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-10a",
        title="就业困难人员社会保险补贴",
        clause=CLAUSE,
        quote="就业困难人员实现用人单位吸纳就业或灵活就业的，按规定给予社会保险补贴。",
        summary="经认定的就业困难人员被用人单位招用或实现灵活就业并缴纳社保的，按月给予社会保险补贴："
        "被单位招用的补贴给单位，灵活就业的补贴给本人，标准按市里规定执行。",
        groups=("hardship", "employers"),
        # lines(): the employer on the hired route (the worker is the subject), the person on the flexible one
        # each route has its own municipal standard (G6), the largest one line of it may be
        beneficiary=(Payee("employer_per_worker", "单位招用的", pays_subject=False, amounts=("monthly_amount_employer",)),
                     Payee("person", "灵活就业的", pays_subject=True, amounts=("monthly_amount_flexible",))),
        frequency="monthly",
        kind="pending",
        line_bound_yuan=3_000,
        reading="本区（崇明）户籍（G12）；招用之日（劳动合同起始日，不早于2023-01-01，已办理用工登记备案）或灵活就业"
        "登记之日（不早于2023-01-01）为经认定的就业困难人员（G6 触发条件）。①用人单位招用：劳动合同期间在该单位缴纳"
        "城镇职工社保且当月仍为就业困难人员（认定有效期覆盖当月任一天）的每个月，补贴给用人单位；②灵活就业：灵活就业"
        "登记有效、当月已缴纳社会保险（任一险种：政策目录第2版本行只要求当月有已缴费的社保记录，未限定险种，与CM-10f相同）且当月为就业困难人员的每个月，补贴给本人。每人两种途径合计累计不超过"
        "补贴期限参数（默认36个月，财社〔2017〕164号“最长不超过3年”；同一月两种途径只计一个月），已发放月份先计入；"
        "单位招用的，用人单位须位于崇明（G12，本软件的理解）。单位和个人的补贴标准分别设定（按市级标准，待管理员设定前为待定金额）。",
    )

    cap: ClassVar[Cap | None] = Cap(limit="cap_months", key=("subject",), counts="months")
    scope: ClassVar[tuple[Scope, ...]] = (
        Scope("hukou", "hukou_district"),
        # the payee: the employer on the hired route, the person (hukou, above) on the flexible route
        Scope("employer", "payee_district", "单位招用的，用人单位位于本区（崇明）"),
    )
    necessary: ClassVar[tuple[Necessary, ...]] = ("hukou",)  # prune first: see jiuye.rules.prune
    needs: ClassVar[tuple[str, ...]] = ('statuses',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × employment (contract or flexible registration)."""
        employers = facts.employers.lazy().select(employer="id", employer_district="district")
        units = derived.left_join(person_employments(facts), employers, "employer", derived.no_rows(facts.employers),
                                  "CM-10a employers").with_columns(
            payee_district=pl.when(pl.col("employment") == "contract").then(pl.col("employer_district"))
            .otherwise(pl.col("hukou_district"))
        )  # fmt: skip
        return derived.mark_status(units, facts, ("employment_hardship",), "E", "hardship_at_E")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            Condition("employed", "实现用人单位吸纳就业或灵活就业", CLAUSE, pl.col("employment_id").is_not_null(),
                      detail("{}：{} 至 {}", EMPLOYMENT_LABEL, pl.col("E"), pl.col("employment_end"))),
            start_from(CLAUSE, date_param(p, "trigger_from"), column="E", text="招用或灵活就业登记之日",
                       fact="contracts.start|flexible_employment.registered_on"),
            Condition("registered", "已办理用工登记备案（单位招用）", CLAUSE,
                      pl.col("employment_registered").fill_null(False),
                      detail("用工登记备案：{}", yes_no(pl.col("employment_registered")))),
            Condition("hardship_at_E", "招用或灵活就业登记之日为经认定的就业困难人员", CLAUSE, pl.col("hardship_at_E"),
                      detail("{} 为就业困难人员：{}", pl.col("E"), yes_no(pl.col("hardship_at_E")))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        panel = derived.month_panel(eligible, pl.col("E"), pl.col("employment_end"), ctx.horizon_end).select(
            "person", "employment", "employment_id", "employer", "month"
        )
        insured = derived.insured_months(facts, among=eligible, on="employment_id").select(employment_id="contract_id", month="month", employee=pl.lit(True))
        # the flexible route: "a paid insurance month" (catalog CM-10a), of any scheme as for CM-10f and JS-02
        flexible = derived.paid_insurance_months(facts, panel).with_columns(flexible_paid=pl.lit(True))
        is_contract = pl.col("employment") == "contract"
        month = pl.col("month")
        return (
            panel.join(insured, on=["employment_id", "month"], how="left")
            .join(flexible, on=["person", "month"], how="left")
            .join(hardship_months(panel, facts), on=["person", "month"], how="left")
            .with_columns(
                insured=pl.when(is_contract).then(pl.col("employee")).otherwise(pl.col("flexible_paid")).fill_null(False),
                hardship=pl.col("hardship").fill_null(False),
                amount_fen=pl.when(is_contract).then(p.fen_expr("monthly_amount_employer", month))
                .otherwise(p.fen_expr("monthly_amount_flexible", month)),
            )
            .group_by(beneficiary=pl.when(is_contract).then(pl.col("employer")).otherwise(pl.col("person")),
                      subject="person", month="month")
            .agg(pl.col("insured").any(), pl.col("hardship").any(), pl.col("amount_fen").first())
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            Condition("hardship", "当月为经认定的就业困难人员", CLAUSE, pl.col("hardship")),
            Condition("insured", "当月缴纳社会保险（单位招用：在该单位缴纳城镇职工社保；灵活就业：任一险种）",
                      CLAUSE, pl.col("insured")),
        ]  # fmt: skip


MEASURE = HardshipSocialInsuranceSubsidy()
