"""JS-08b 职业技能培训机构办学资助 — 金就办〔2023〕1号 三(八).

Reading (catalog): named without a computable rule; eligibility and amount (by the institution's quality
and integrity grade, municipal standard, G6) are decided by a reviewer.  The case format has no quality
or integrity grade of a training institution.
"""

from __future__ import annotations

from typing import ClassVar

from jiuye.rules.measure import JS_DOC, ORGANIZATION_FORM, FormField, Meta, ReviewerDecided


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
        # our plausibility bound for one approved application (issue 9: nothing above it is approved or paid)
        line_bound_yuan=200_000,
        reading="文件未规定各等级的资助金额，案例格式也没有培训机构的办学质量和诚信等级，由经办人员审核认定，"
        "金额按本市有关标准（G6）；单笔核准金额的合理上限取20万元（超过的不能核准，须先调整上限）。",
    )
    # reviewer-decided (catalog); what its application form asks, read by Measure.form_fields
    form: ClassVar[tuple[FormField, ...]] = (
        *ORGANIZATION_FORM,
        FormField("org_district", "机构所在区", "district", help="须为金山区（G12）"),
        FormField("grade", "办学质量和诚信等级", "choice",
                  choices=(("A", "A级"), ("B", "B级"), ("C", "C级"), ("D", "D级"))),
        FormField("graded_on", "评定日期", "date"),
        FormField("reason", "申请事由", "text", help="简要说明评定结果和申请的资助"),
        FormField("proof", "等级评定证明", "file", help="人社部门评定结果的 PDF、JPG 或 PNG，不超过 5 MB"),
    )  # fmt: skip

MEASURE = TrainingInstitutionFunding()
