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

from jiuye.rules.measure import JS_DOC, DecidedOnApplication, FormField, Meta, Scope


class EmployeeTrainingSubsidy(DecidedOnApplication):
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
        kind="application",
        reading="属于按本市有关规定确定金额的措施（G6）；认定需要单位税收征管关系所在区和职工培训情况"
        "（项目、人员、课时、结业），案例格式中没有这些事实，因此由经办人员按本市规定审核认定。依申请办理（政策目录第2版）：申请表收集单位税收征管关系所在区和培训项目、人数、课时、结业情况及培训记录，经办人员审核认定并核定金额，批准后作为应享待遇记入台账。",
    )
    scope: ClassVar[tuple[Scope, ...]] = (Scope("employer", "tax_district", "税收征管关系在金山区的用人单位"),)
    form: ClassVar[tuple[FormField, ...]] = (
        FormField("employer", "用人单位统一社会信用代码", "employer"),
        FormField("tax_district", "税收征管关系所在区", "district", help="须为金山区（G12）"),
        FormField("training_name", "培训项目名称", "text"),
        FormField("occupation", "培训职业（工种）及等级", "text"),
        FormField("training_start", "培训开始日期", "date"),
        FormField("training_end", "培训结束日期", "date"),
        FormField("trainees", "参训职工人数", "integer"),
        FormField("completed", "结业（考核合格）人数", "integer"),
        FormField("hours", "培训课时", "integer"),
        FormField("cost", "培训费用（元）", "money"),
        FormField("records", "培训记录（花名册、考勤、结业证明）", "file"),
    )


MEASURE = EmployeeTrainingSubsidy()
