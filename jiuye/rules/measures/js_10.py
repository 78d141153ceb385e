"""JS-10 企业职工培训补贴 — 金就办〔2023〕1号 三(十).

Reading (catalog): a G6 measure (按照本市有关规定): employer whose tax administration is in Jinshan;
employee training meeting city rules; amount by the municipal standard.

Why a reviewer decides: eligibility needs facts the case format lacks — the employer's tax
administration district (``employers.district`` is where it is registered and operates, not necessarily
where it is taxed) and the training itself (courses, trainees, hours, completion).  The measure is listed
and applied for; a reviewer decides under the city's rules (G6, amount set by the city standard).
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, Meta, ReviewerDecided


class EmployeeTrainingSubsidy(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="JS-10",
        title="企业职工培训补贴",
        clause=f"{JS_DOC} 三(十)",
        quote="税收征管关系在金山区的用人单位开展职工职业培训，符合条件的，按照本市有关规定给予培训补贴。",
        summary="税收征管关系在金山区的用人单位组织职工参加职业培训，符合本市规定的，按本市标准给予培训补贴。"
        "需提出申请，由经办人员审核认定。",
        groups=("employers", "skills"),
        beneficiary="employer",
        frequency="none",
        kind="reviewer",
        reading="属于按本市有关规定确定金额的措施（G6）；认定需要单位税收征管关系所在区和职工培训情况"
        "（项目、人员、课时、结业），案例格式中没有这些事实，因此由经办人员按本市规定审核认定。",
    )


MEASURE = EmployeeTrainingSubsidy()
