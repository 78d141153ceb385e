"""JS-08c 高技能人才培养基地、技能大师工作室、首席技师项目资助 — 金就办〔2023〕1号 三(八).

Reading (catalog): named without a computable rule; a reviewer decides, amount by the municipal standard
(G6).  The case format has no facts about these carriers or chief-technician projects.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, Meta, ReviewerDecided


class HighSkillCarrierFunding(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="JS-08c",
        title="高技能人才培养基地、技能大师工作室、首席技师项目资助",
        clause=f"{JS_DOC} 三(八)",
        quote="鼓励本辖区内的行业企业、职业院校积极申报上海市高技能人才培养基地、技能大师工作室、技师工作站等"
        "高技能人才培养载体，落实市、区首席技师项目资助。",
        summary="金山区内的企业、职业院校申报上海市高技能人才培养基地、技能大师工作室、技师工作站等，"
        "以及市、区首席技师项目，可获得资助。需提出申请，由经办人员按市、区规定审核。",
        groups=("skills", "employers", "organizations"),
        beneficiary="organization",
        frequency="none",
        kind="reviewer",
        reading="文件只规定落实市、区资助，未规定条件和金额；由经办人员按市、区有关规定审核认定（G6）。",
    )


MEASURE = HighSkillCarrierFunding()
