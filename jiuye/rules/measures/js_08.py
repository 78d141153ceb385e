"""JS-08 一次性获证补贴 — 金就办〔2023〕1号 三(八).

Reading (catalog): completed government-subsidised skills training at a Jinshan training institution and
obtained a certificate of level 高级技师(一级) / 技师(二级) / 高级(三级) → 2,000 / 1,500 / 1,000; once per
person per level; payable in the certificate's month.

Our choices:
- The case format has no fact "纳入本市政府补贴培训范围"; a certificate recorded with a training institution
  (organisation of kind ``training_institution`` located in Jinshan) stands for the subsidised training.
  The reviewer checks the training record when the application is made.
- A certificate without a training institution does not qualify (the text requires training at one).
- Two certificates of the same level: only the earliest is paid (once per person per level).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, detail, labelled
from jiuye.rules.measures._jinshan import (
    LEVEL_LABELS,
    in_window,
    organization_is,
    organizations,
    persons,
)
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 三(八)"
# certificate level -> amount parameter (the three levels the clause names)
AMOUNT_PARAMETER = {
    "senior_technician": "senior_technician_amount",
    "technician": "technician_amount",
    "senior": "senior_amount",
}


class SkillCertificateBonus(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-08",
        title="一次性获证补贴",
        clause=CLAUSE,
        quote="参加本区职业培训机构开展的纳入本市政府补贴培训范围技能项目培训，经技能鉴定或技能等级认定合格，"
        "取得高级技师（一级）、技师（二级）、高级（三级）职业资格证书或技能等级证书的个人，分别给予 2000 元、"
        "1500 元、1000 元的一次性获证补贴。",
        summary="在金山区职业培训机构参加政府补贴的技能培训，取得高级技师（一级）、技师（二级）或高级（三级）"
        "证书的，一次性分别补贴2000元、1500元、1000元；同一等级只补一次。",
        groups=("skills",),
        beneficiary="person",
        frequency="once",
        kind="money",
        line_bound_yuan=5_000,
        reading="以证书记录的培训机构为准：该机构为金山区职业培训机构，证书等级为高级技师（一级）、技师（二级）"
        "或高级（三级）；按取得证书的月份发放；每人每个等级一次（同一等级多张证书只补最早一张）。"
        "案例格式中没有“纳入本市政府补贴培训范围”的事实，视为由证书所载培训机构开展的补贴培训，申请时由经办人员核实。"
        "原文未限定个人户籍：G12 按本行所写以培训机构位于金山为准，不要求本区户籍（本软件的理解）。",
    )
    # once per person per level; "level" is in the key too because the engine partitions by ``key`` only
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary", "level"), "lines", extra=("level",))

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "org_district", "培训机构为本区（金山）职业培训机构"),)
    needs: ClassVar[tuple[str, ...]] = ('certificates', 'organizations')  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per person × certificate (a person without certificates keeps one row)."""
        institutions = organizations(facts).select(
            training_institution="org", org_kind="org_kind", org_district="org_district"
        )
        certificates = facts.certificates.lazy().join(institutions, on="training_institution", how="left")
        return derived.left_join(persons(facts).select("person", "subject"), certificates, "person",
                                 derived.no_rows(facts.certificates), "JS-08 certificates")  # fmt: skip

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        level_text = labelled(pl.col("level"), LEVEL_LABELS, keep_unlabelled=True)
        return [
            Condition("has_certificate", "取得职业资格证书或技能等级证书", CLAUSE, pl.col("obtained_on").is_not_null(),
                      detail("证书：{}，取得日期 {}", level_text, pl.col("obtained_on"))),
            Condition("level_named", "证书等级为高级技师（一级）、技师（二级）或高级（三级）", CLAUSE,
                      pl.col("level").is_in(list(AMOUNT_PARAMETER)), detail("证书等级：{}", level_text)),
            organization_is("training_institution", CLAUSE),
            in_window(p, pl.col("obtained_on").dt.truncate("1mo"), "取得证书月份", over=("person", "level")),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("obtained_on").dt.truncate("1mo")
        amount: pl.Expr = pl.lit(None, pl.Int64)
        for level, name in AMOUNT_PARAMETER.items():
            amount = pl.when(pl.col("level") == level).then(p.fen_expr(name, month)).otherwise(amount)
        return eligible.select(beneficiary="person", subject="person", month=month, amount_fen=amount, level="level")


MEASURE = SkillCertificateBonus()
