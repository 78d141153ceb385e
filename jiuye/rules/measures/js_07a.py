"""JS-07a 创业赛事承办费补贴 — 金就办〔2023〕1号 二(七).

Reading (catalog): the host organisation of an entrepreneurship competition organised by the district HR
bureau: actual cost, at most 100,000 (不超过 includes the number); once per event; payable in the month it is held.

Our choices:
- The case format's ``events`` of an organisation of kind ``competition_host`` are the district
  HR-sponsored competitions it hosted; the host's own district does not matter (the text names none).
- An event with cost 0 pays nothing (no line).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Scope, Subjects, detail
from jiuye.rules.measures._jinshan import in_window, organization_is, organizations
from jiuye.rules.money import yuan_text
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 二(七)"


class CompetitionHostingSubsidy(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-07a",
        title="创业赛事承办费补贴",
        clause=CLAUSE,
        quote="鼓励创业对象积极参与由区人力资源社会保障部门主办的创业赛事活动，给予承办相关赛事的单位不超过 10 万元的"
        "一次性创业赛事承办费补贴。",
        summary="承办区人社部门主办的创业赛事的单位，按实际承办费用给予补贴，每场赛事一次，最多10万元，"
        "在赛事举办的月份发放。",
        groups=("organizations", "entrepreneurs"),
        beneficiary="organization",
        frequency="per_event",
        kind="money",
        line_bound_yuan=500_000,
        reading="承办单位（创业赛事承办单位）每承办一场区人社部门主办的创业赛事，按实际承办费用补贴一次，"
        "不超过10万元（含10万元）；所属月份为赛事举办月份；承办费用为0的不补贴。承办单位须位于金山（G12：机构措施以机构所在区为准）。",
    )
    subjects: ClassVar[Subjects] = "organizations"
    # once per event ("event_id" in the key: the engine partitions by Cap.key only)
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary", "event_id"), "lines", extra=("event_id",))

    scope: ClassVar[tuple[Scope, ...]] = (Scope("organization", "org_district", "承办单位位于本区（金山）"),)
    needs: ClassVar[tuple[str, ...]] = ('events',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per organisation × hosted event (an organisation without events keeps one row)."""
        return organizations(facts).join(facts.events.lazy(), on="org", how="left")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return [
            organization_is("competition_host", CLAUSE),
            Condition("hosted", "承办区人力资源社会保障部门主办的创业赛事（承办费用大于0）", CLAUSE,
                      pl.col("cost_fen") > 0,
                      detail("赛事 {}，{} 举办，承办费用 {}", pl.col("event_id"), pl.col("held_on"),
                             yuan_text(pl.col("cost_fen"), "元"))),
            in_window(p, pl.col("held_on").dt.truncate("1mo"), "赛事举办月份", over=("org", "event_id")),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("held_on").dt.truncate("1mo")
        cap = p.fen_expr("max_amount", month)
        # 不超过 10 万元: the actual cost, at most the cap (a cap not set would leave the amount pending, G6)
        amount = pl.when(pl.col("cost_fen") <= cap).then(pl.col("cost_fen")).otherwise(cap)
        return eligible.select(beneficiary="org", subject="org", month=month, amount_fen=amount, event_id="event_id")


MEASURE = CompetitionHostingSubsidy()
