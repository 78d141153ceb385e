"""JS-01c 就业见习基地申报资格 — 金就办〔2023〕1号 一(一).

Reading (catalog + lead's decision): an employer whose district (where it is registered and operates) is
Jinshan may apply to become an internship base.  Subjects are employers.

Our choice: the clause names a 用人单位, so the document's definition of 用人单位 (七(一), G3: "for every
JS measure that names a 用人单位") applies too: agencies, public institutions, social-work organisations,
informal and public-welfare labour organisations and labour-dispatch companies do not qualify.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Condition, Context, Measure, Meta, Scope, Subjects
from jiuye.rules.measures._jinshan import employer_not_excluded
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 一(一)"


class InternshipBaseApplication(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-01c",
        title="就业见习基地申报资格",
        clause=CLAUSE,
        quote="支持生产或经营地在本区的用人单位申报就业见习基地，建立多产业就业见习基地。",
        summary="生产或经营地在金山区的用人单位，可以申报就业见习基地。",
        groups=("employers",),
        beneficiary="none",
        frequency="none",
        kind="rule",
        reading="以用人单位登记和经营所在区为准：在金山区的用人单位可以申报；按本意见七(一)，机关、事业单位、"
        "社工组织、非正规劳动组织、公益性劳动组织、劳务派遣公司不属于本意见所称用人单位。",
    )
    subjects: ClassVar[Subjects] = "employers"

    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "employer_district"),)
    needs: ClassVar[tuple[str, ...]] = ('employers',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        return facts.employers.lazy().select(subject="id", employer_type="type", employer_district="district")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [employer_not_excluded()]

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        raise NotImplementedError("JS-01c 是资格认定规则，不产生补贴")


MEASURE = InternshipBaseApplication()
