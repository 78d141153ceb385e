"""CM-04b 小微企业、社会组织吸纳高校毕业生社会保险补贴 — 沪崇就办〔2023〕2号 二(四).

Reading (catalog): a micro/small enterprise or a social organisation hires a graduate in the
graduation year or within 2 years of leaving school and unemployed.  Amount by municipal standard (G6).

Our choices (contract start S):
- the employer is located in Chongming (G12, rev. 2: the district pays); 小微企业 = type ``enterprise`` with
  size ``micro`` or ``small``; 社会组织 = type ``social_organization`` (any size);
- G6 trigger (rev. 2): contract start S on or after 2023-01-01 (parameter), term per G7, registered;
- 毕业年度: a full-time 专科/本科/硕士/博士 entry whose graduation year equals the year of S;
- 离校2年内未就业: a full-time higher-education entry with graduation date < S ≤ graduation date +
  2 years (以内 includes the number, G9 clamping) and unemployed (G10) on S − 1 day;
- 社会保险补贴 is monthly: one line for each insured month (G8) under that contract, from the
  measure's start (2023-01); ≤ ``cap_months`` months per employer × worker, default 12 (catalog rev. 2:
  财社〔2017〕164号 最长不超过1年), paid months counted first (G5);
- two contracts with the same employer covering the same month give one line for that month.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.dates import add_years_expr
from jiuye.rules.facts import Facts
from jiuye.rules.legal import meets
from jiuye.rules.measure import (
    AnyOf,
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
from jiuye.rules.measures._chongming import (
    CLAUSE_4,
    SIZE_LABELS,
    date_param,
    has_contract,
    person_contracts,
    start_from,
    with_graduation_flags,
    yes_no,
)
from jiuye.rules.measures._jinshan import contract_term
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary
from jiuye.rules.shared import EMPLOYER_TYPE_LABELS

CLAUSE = CLAUSE_4
SMALL_SIZES = ("micro", "small")


class SmallEmployerGraduateSocialInsuranceSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-04b",
        title="小微企业、社会组织吸纳高校毕业生社会保险补贴",
        clause=CLAUSE,
        quote="本市小微企业和社会组织招用符合条件的毕业年度及离校2年内未就业高校毕业生，可按规定申请享受社会保险补贴。",
        summary="本市的小型、微型企业和社会组织，招用毕业当年的高校毕业生，或离校两年内还没有就业的高校毕业生，"
        "为其缴纳社保的，可按月申请社会保险补贴，标准按市里规定执行。",
        groups=("employers", "graduates"),
        beneficiary="employer_per_worker",
        frequency="monthly",
        kind="pending",
        line_bound_yuan=3_000,
        reading="本区（崇明）用人单位（G12），类型为小型或微型企业，或社会组织；劳动合同起始日S不早于2023-01-01（G6 触发"
        "条件，此前开始的合同不启动本补贴），期限1年及以上（G7），已办理用工登记备案。招用对象："
        "①全日制高校毕业生，毕业年份与S的年份相同（毕业年度）；或②全日制高校毕业生，毕业日<S≤毕业日+2年，且S前一日"
        "未就业（无劳动合同、无灵活就业登记）。自招用当月起，该合同期间在该单位缴纳城镇职工社保的每个月各计一行；"
        "每个单位每名员工累计不超过补贴期限参数（默认12个月，财社〔2017〕164号“最长不超过1年”），已发放月份先计入。"
        "金额按市级标准，待管理员设定前为待定金额。",
    )

    cap: ClassVar[Cap | None] = Cap(limit="cap_months", key=("beneficiary", "subject"), counts="months")
    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("monthly_amount",)
    needs: ClassVar[tuple[str, ...]] = ('contracts', 'employers', 'education', 'social_insurance')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × contract (a person without contracts keeps one row)."""
        years = p.get("graduate_within_years")
        s, grad = pl.col("S"), pl.col("graduation_date")
        units = with_graduation_flags(person_contracts(facts), facts, "contract_id", {
            "graduation_year_hire": grad.dt.year() == s.dt.year(),
            "recent_graduate": (grad < s) & meets("以内", s, add_years_expr(grad, years)),
        }, earliest={  # the first day of a graduation year still ahead of S (a hire then is 毕业年度)
            "graduation_year_ahead": pl.when(grad.dt.year() > s.dt.year()).then(pl.date(grad.dt.year(), 1, 1)),
        })  # fmt: skip
        return derived.mark_unemployed(units, facts, "day_before_S", "unemployed_before_S",
                                       no_days=derived.no_rows(facts.contracts))  # no hire: no day before one

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        small = (pl.col("employer_type") == "enterprise") & pl.col("employer_size").is_in(list(SMALL_SIZES))
        social = pl.col("employer_type") == "social_organization"
        a = pl.col("graduation_year_hire")
        b = pl.col("recent_graduate") & pl.col("unemployed_before_S")
        return [
            has_contract(CLAUSE),
            start_from(CLAUSE, date_param(p, "new_employment_from")),
            contract_term(int(p.get("min_contract_years")), CLAUSE, start="S", end="contract_end"),
            Condition("registered", "已办理用工登记备案", CLAUSE, pl.col("registered").fill_null(False),
                      detail("用工登记备案：{}", yes_no(pl.col("registered")))),
            Condition("small_or_social", "小微企业或社会组织", CLAUSE, small | social,
                      detail("单位类型：{}，规模：{}", labelled(pl.col("employer_type"), EMPLOYER_TYPE_LABELS, keep_unlabelled=True),
                             labelled(pl.col("employer_size"), SIZE_LABELS, keep_unlabelled=True))),
            Condition.of("graduate", "毕业年度或离校2年内未就业的高校毕业生", CLAUSE, AnyOf((a, b, Threshold(
                "以上", pl.col("S"), pl.col("graduation_year_ahead"), "date", action="招用", limit_label="进入毕业年度",
                fact="contracts.start")), fact="contracts.start"),
                      detail("毕业年度内招用：{}；离校2年内：{}，入职前一日未就业：{}；学历：{}",
                             yes_no(a), yes_no(pl.col("recent_graduate")), yes_no(pl.col("unemployed_before_S")),
                             pl.col("graduations"))),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        months = derived.month_panel(eligible, pl.col("S"), pl.col("contract_end"), ctx.horizon_end)
        insured = derived.insured_months(facts, among=eligible).select("contract_id", "month").with_columns(insured=pl.lit(True))
        return (
            months.select("contract_id", "employer", "person", "month")
            .join(insured, on=["contract_id", "month"], how="left")
            .group_by(beneficiary="employer", subject="person", month="month")
            .agg(insured=pl.col("insured").fill_null(False).any())
            .with_columns(amount_fen=p.fen_expr("monthly_amount", pl.col("month")))
        )  # fmt: skip

    def monthly_conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [Condition("insured", "当月在该单位缴纳城镇职工社会保险", CLAUSE, pl.col("insured"))]


MEASURE = SmallEmployerGraduateSocialInsuranceSubsidy()
