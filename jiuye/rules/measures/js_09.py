"""JS-09 技能竞赛奖金及办赛、集训资助 — 金就办〔2023〕1号 三(九).

Reading (catalog): named without a computable rule; a reviewer decides, amount by the municipal standard
(G6).  The case format has no skills competitions (its ``events`` are entrepreneurship competitions).
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, Meta, ReviewerDecided


class SkillsCompetitionAwards(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="JS-09",
        title="技能竞赛奖金奖励及承办、集训单位资助",
        clause=f"{JS_DOC} 三(九)",
        quote="对代表金山获得区级及以上技能类竞赛奖项的选手及其技术专家团队给予奖金奖励，对承办区域性技能赛事的单位"
        "以及对为金山参赛组织提供保障的集训单位给予资助。",
        summary="代表金山在区级及以上技能竞赛中获奖的选手及其技术专家团队可获奖金；承办区域性技能赛事的单位、"
        "为金山参赛提供保障的集训单位可获资助。需提出申请，由经办人员审核认定。",
        groups=("skills", "youth", "organizations"),
        beneficiary="person",
        frequency="per_event",
        kind="reviewer",
        reading="文件未规定奖金和资助的条件与金额，案例格式也没有技能竞赛的记录（赛事记录为创业赛事），"
        "由经办人员审核认定，金额按有关标准（G6）。",
    )


MEASURE = SkillsCompetitionAwards()
