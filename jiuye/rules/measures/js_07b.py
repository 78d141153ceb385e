"""JS-07b 创业项目资助 — 金就办〔2023〕1号 二(七).

Reading (catalog): 1st / 2nd / 3rd prize in a competition organised by the district HR bureau (JS-07a's
events): 50,000 / 30,000 / 10,000; 4th place and below nothing; once per award; payable in the month of
the event.  Beneficiary and subject are the winner (a person or an organisation).

Our choices:
- "赛事" = the events recorded under an organisation of kind ``competition_host`` (the district
  HR-sponsored competitions); an award in an event of another kind of organisation does not count.
- Once per award = one line per winner and event; a winner listed twice in one event gets the first
  (highest-paid) place only.
- Subjects: every person and every organisation, so that anyone asking gets an explanation.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules import derived
from jiuye.rules.facts import Facts
from jiuye.rules.measure import JS_DOC, Cap, Condition, Context, Measure, Meta, Payee, Scope, Subjects, detail
from jiuye.rules.measures._jinshan import amount_by, in_window, organizations
from jiuye.rules.parameters import MeasureParameters

CLAUSE = f"{JS_DOC} 二(七)"
AMOUNT_PARAMETER = {1: "first_prize_amount", 2: "second_prize_amount", 3: "third_prize_amount"}
PLACE_LABELS = {1: "一等奖", 2: "二等奖", 3: "三等奖"}


class CompetitionPrizeFunding(Measure):
    meta: ClassVar[Meta] = Meta(
        id="JS-07b",
        title="创业项目资助",
        clause=CLAUSE,
        quote="对在赛事中获一、二、三等奖的参赛对象，分别给予 5 万、3 万、1 万元的一次性创业项目资助",
        summary="在区人社部门主办的创业赛事中获得一、二、三等奖的个人或团队，分别一次性给予5万元、3万元、1万元"
        "创业项目资助，在赛事举办的月份发放。",
        groups=("entrepreneurs",),
        # the winner is paid, a person or an organisation: which one, the registry table holding its id says
        beneficiary=(Payee("person", pays_subject=True), Payee("organization", pays_subject=True)),
        frequency="once",
        kind="money",
        line_bound_yuan=100_000,
        reading="区人社部门主办的创业赛事（由创业赛事承办单位承办的赛事）中获一、二、三等奖的参赛对象（个人或机构），"
        "每个奖项一次：一等奖5万元、二等奖3万元、三等奖1万元，第四名及以后不资助；所属月份为赛事举办月份。"
        "获奖者须属金山（G12，原文未写，本软件的理解）：个人为金山户籍，机构位于金山。",
    )
    subjects: ClassVar[Subjects] = "organizations"
    universe: ClassVar[tuple[str, ...] | None] = ("persons", "organizations")  # a winner is either
    # once per award ("event_id" in the key: the engine partitions by Cap.key only)
    cap: ClassVar[Cap | None] = Cap(1, ("beneficiary", "event_id"), "lines", extra=("event_id",))

    scope: ClassVar[tuple[Scope, ...]] = (Scope("hukou", "winner_district", "获奖者属本区（金山）：个人为本区户籍，机构位于本区"),)
    needs: ClassVar[tuple[str, ...]] = ('awards',)  # no eligible candidate without these facts

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """One row per possible winner (every person and organisation) × award won."""
        universe = pl.concat([
            facts.persons.lazy().select(subject="id", winner_district="hukou_district"),
            facts.organizations.lazy().select(subject="id", winner_district="district"),
        ])  # fmt: skip
        hosts = organizations(facts).select("org", host_kind="org_kind")
        awards = (
            facts.awards.lazy().rename({"winner": "subject"})
            .join(facts.events.lazy().select("event_id", "held_on"), on="event_id", how="left")
            .join(hosts, on="org", how="left")
        )  # fmt: skip
        return derived.left_join(universe, awards, "subject", derived.no_rows(facts.awards), "JS-07b awards")

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        no_award = pl.col("event_id").is_null()
        return [
            Condition("competition", "参加区人力资源社会保障部门主办的创业赛事", CLAUSE,
                      pl.col("host_kind") == "competition_host",
                      pl.when(no_award).then(pl.lit("无获奖记录"))
                      .otherwise(detail("赛事：{}，{} 举办", pl.col("event_id"), pl.col("held_on")))),
            Condition("prize", "获一、二、三等奖", CLAUSE, pl.col("place").is_in(list(AMOUNT_PARAMETER)),
                      pl.when(no_award).then(pl.lit("无获奖记录")).otherwise(detail("名次：第{}名", pl.col("place")))),
            in_window(p, pl.col("held_on").dt.truncate("1mo"), "赛事举办月份", over=("subject", "event_id")),
        ]  # fmt: skip

    def lines(self, eligible: pl.LazyFrame, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        month = pl.col("held_on").dt.truncate("1mo")
        return eligible.select(
            beneficiary="subject", subject="subject", month=month,
            amount_fen=amount_by("place", AMOUNT_PARAMETER, p, month), event_id="event_id",
        )  # fmt: skip


MEASURE = CompetitionPrizeFunding()
