"""The Chinese name of every field a user can send wrong: form fields, query parameters, API body fields and the
fields the services' errors point at.  Error messages and error pages name a field only through
:func:`field_label` (a test checks every route parameter and every ``UserError`` field has a label here)."""

from __future__ import annotations

# None: the field is not shown to the user (the message already says what to do)
FIELD_LABELS: dict[str, str | None] = {
    "actor": "操作人", "amount": "核准金额", "application_id": "申请编号", "auto": "免申即享设置",
    "bank_account": "银行账号", "batch_id": "发放批次编号", "body": "请求内容", "case": "案例",
    "check": "检查项", "csrf_token": None, "days": "公示天数", "decision": "审核结论", "display_name": "姓名", "district": "区",
    "done": "操作结果", "employer_id": "用人单位编号", "entitlement_id": "待遇编号", "entity": "对象表",
    "entity_id": "对象编号", "expected_count": "确认的条数", "explain": "逐条说明", "field": "申请材料",
    "file": "上传的文件", "file_id": "文件编号", "files": "上传的文件", "flag_id": "疑点编号", "fmt": "文件格式",
    "full": "全量重算", "group": "人群", "identifier": "身份证号码或统一社会信用代码", "job_id": "任务编号",
    "key": "情形", "kind": "账号类型", "measure": "政策", "month": "月份", "month_from": "起始月份",
    "month_to": "截止月份", "name": "名称", "next": "登录后前往的页面", "notice_id": "公示编号",
    "org_id": "机构编号", "page": "页码", "parameters": "参数", "password": "密码", "password2": "确认密码",
    "payment": "公示中的序号", "payment_id": "发放记录编号", "person_id": "人员编号", "phone": "手机号码",
    "policy": "政策", "q": "搜索词", "reason": "理由", "reported": "反映结果", "role": "角色", "saved": "保存结果",
    "since": "生效日期", "source": "出处", "state": "状态", "text": "反映的问题", "town": "街镇",
    "username": "登录名", "value": "值", "welcome": "欢迎", "year": "年份",
}  # fmt: skip


def field_label(field: str | None) -> str | None:
    """The Chinese name of ``field`` (a dotted path names its first part: ``case.persons.0`` → 案例), or None
    when it has none or is not to be shown."""
    if not field:
        return None
    return FIELD_LABELS.get(field.split(".", 1)[0])
