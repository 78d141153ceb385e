"""JS-08b 职业技能培训机构办学资助 — 金就办〔2023〕1号 三(八).

Reading (catalog): named without a computable rule; eligibility and amount (by the institution's quality
and integrity grade, municipal standard, G6) are decided by a reviewer.  The case format has no quality
or integrity grade of a training institution.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, Meta, ReviewerDecided


class TrainingInstitutionFunding(ReviewerDecided):
    meta: ClassVar[Meta] = Meta(
        id="JS-08b",
        title="职业技能培训机构办学资助",
        clause=f"{JS_DOC} 三(八)",
        quote="对经人力资源社会保障部门评定办学质量和诚信等级的本区职业技能培训机构，按照评定等级给予办学资助，"
        "提升办学质量。",
        summary="经人社部门评定办学质量和诚信等级的金山区职业技能培训机构，按评定等级获得办学资助。"
        "需提出申请，由经办人员审核认定。",
        groups=("organizations", "skills"),
        beneficiary="organization",
        frequency="none",
        kind="reviewer",
        reading="文件未规定各等级的资助金额，案例格式也没有培训机构的办学质量和诚信等级，由经办人员审核认定，"
        "金额按本市有关标准（G6）。",
    )


MEASURE = TrainingInstitutionFunding()
