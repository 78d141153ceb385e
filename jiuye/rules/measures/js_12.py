"""JS-12 人力资源服务机构一次性推荐就业补贴 — 金就办〔2023〕1号 四(十二).

Reading (catalog): a city-recognised quality HR agency (``quality_certified``) referred the worker
(``referred_by`` on the contract); worker and contract as in JS-11 (``_paired_region``); 1,000 per
worker; once per worker, whichever agency; payable in the month of the 3rd insured month.

Our choices:
- The agency is the organisation named in the qualifying contract's ``referred_by``; it must be of kind
  ``hr_agency`` and ``quality_certified`` (the city's recognition).  G12 (rev. 2): the agency is the
  measure's beneficiary, an organisation, so it must be located in Jinshan (the row is silent on it, and
  "a JS measure pays only Jinshan subjects"), besides the worker's Jinshan employer.
- Beneficiary the agency, subject the worker; "once per worker whichever agency": a worker referred
  twice yields at most one line over all agencies (the earliest).
- A 3rd insured month before 2023-01 belongs to the earlier policy: no line ever (G4).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, detail
from jiuye.rules.measures._jinshan import in_window, organizations, yes_no
from jiuye.rules.measures._paired_region import SCOPE, worker_contract_conditions, worker_contracts
from jiuye.rules.parameters import MeasureParameters
from jiuye.rules.prune import Necessary

CLAUSE = f"{JS_DOC} 四(十二)"


class HrAgencyReferralSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-12",
        title="人力资源服务机构一次性推荐就业补贴",
        clause=CLAUSE,
        quote="本市优质人力资源服务机构推荐本区对口地区农村劳动力在金山实现首次就业，与在金山用人单位签订劳动合同，"
        "办理用工登记备案手续并缴纳本市社会保险费满 3 个月的，给予人力资源服务机构一次性推荐就业补贴 1000 元/人。",
        summary="本市优质人力资源服务机构推荐对口地区农村劳动力首次来金山就业，签订劳动合同、办理用工登记并缴纳社保"
        "满3个月的，机构按每人1000元一次性领取推荐就业补贴；每名劳动者只补一次。",
        groups=("organizations", "paired_region", "rural_labor"),
        beneficiary="organization",
        frequency="once",
        kind="money",
        line_bound_yuan=1_000,
        reading="推荐机构为劳动合同上登记的推荐机构，须为经市认定的优质人力资源服务机构；"
        "劳动者和劳动合同的条件同JS-11；在该单位缴纳城镇职工社会保险第3个月所在月份补贴1000元；"
        "每名劳动者只补贴一次（不论由哪家机构推荐）；待遇行的受益方为推荐机构、对象为该劳动者（按人补贴，"
        "已发放记录据此对应到人）；第3个月在2023年1月前的，不属于本意见补贴范围。推荐机构须位于金山（政策目录第2版 G12：金山的措施只补金山的对象）。",
    )
    cap: ClassVar[Cap | None] = Cap(1, ("subject",), "lines")

    scope: ClassVar[tuple[Scope, ...]] = (*SCOPE, Scope("organization", "agency_district", "推荐机构位于本区（金山）"))
    necessary: ClassVar[tuple[Necessary, ...]] = ("contract_employer",)  # prune first: see jiuye.rules.prune
    line_amounts: ClassVar[tuple[str, ...]] = ("amount",)
    needs: ClassVar[tuple[str, ...]] = ('statuses', 'contracts', 'employers', 'social_insurance', 'organizations')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        agencies = organizations(facts).select(referred_by="org", agency_kind="org_kind",
                                               agency_certified="quality_certified", agency_district="org_district")  # fmt: skip
        return derived.left_join(worker_contracts(facts, p), agencies, "referred_by",
                                 derived.no_rows(facts.organizations), "JS-12 agencies")  # fmt: skip

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            Condition("referred", "由人力资源服务机构推荐就业", CLAUSE,
                      pl.col("referred_by").is_not_null() & (pl.col("agency_kind") == "hr_agency"),
                      detail("推荐机构：{}", pl.col("referred_by"))),
            Condition("agency_certified", "推荐机构为本市优质人力资源服务机构", CLAUSE,
                      pl.col("agency_certified").fill_null(False),
                      detail("经市认定的优质人力资源服务机构：{}", yes_no(pl.col("agency_certified")))),
            *worker_contract_conditions(p, CLAUSE),
            in_window(p, pl.col("qualifying_month"), f"缴纳社会保险费满{p.get('min_insured_months')}个月的月份",
                      over=("person",)),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("qualifying_month")
        return eligible.select(beneficiary="referred_by", subject="person", month=month,
                               amount_fen=p.fen_expr("amount", month))  # fmt: skip


MEASURE = HrAgencyReferralSubsidy()
