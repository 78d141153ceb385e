"""Roles and what each may do (one table, read by the pages, the API and the role × endpoint tests).

Scope is separate from role: every account belongs to one district and optionally one town; every query
filters by it (:mod:`jiuye.accounts.scope`).
"""

from __future__ import annotations

ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "policy_officer": "政策经办",
    "reviewer": "审核人员",
    "fund_auditor": "资金稽核",
    "caseworker": "街镇经办",
    "leader": "领导（只读统计）",
}

# permission → roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard": frozenset(ROLES),  # 工作台 figures
    "view": frozenset({"admin", "policy_officer", "reviewer", "fund_auditor", "caseworker"}),  # person files
    "review": frozenset({"admin", "reviewer", "caseworker"}),  # approve / reject one entitlement
    "bulk_approve": frozenset({"admin", "reviewer"}),  # 免申即享 bulk approval
    "settings": frozenset({"admin", "policy_officer"}),  # 免申即享 switch
    "parameters": frozenset({"admin", "policy_officer"}),  # dated parameter values (G6)
    "match": frozenset({"admin", "policy_officer"}),
    "pay": frozenset({"admin", "reviewer"}),  # create a payment batch
    "payments_view": frozenset({"admin", "reviewer", "fund_auditor", "leader"}),
    "reverse": frozenset({"admin", "fund_auditor"}),
    "supervise": frozenset({"admin", "fund_auditor"}),  # review the flags
    "supervise_run": frozenset({"admin", "fund_auditor"}),  # run the checks (stores the flags of every town)
    "audit": frozenset({"admin", "fund_auditor"}),
    "import": frozenset({"admin", "caseworker"}),
    "accounts": frozenset({"admin"}),
    "unmask_id": frozenset({"admin", "reviewer", "fund_auditor", "caseworker"}),
    "unmask_bank": frozenset({"admin", "fund_auditor"}),
}

# what acts on every line of the district's measures (the services are given the district's policies, never a
# town): a town account may not hold these whatever its role — a town reviewer would pay or bulk-approve the
# lines of every town of the district, a town auditor would store the supervision flags of every town
DISTRICT_WIDE: frozenset[str] = frozenset({"bulk_approve", "settings", "parameters", "match", "pay", "supervise_run"})

PERMISSION_LABELS: dict[str, str] = {
    "dashboard": "查看工作台", "view": "查看一人一档", "review": "逐条审核", "bulk_approve": "批量核准",
    "settings": "免申即享设置", "parameters": "设定参数", "match": "主动匹配", "pay": "生成发放批次",
    "payments_view": "查看发放", "reverse": "追回发放", "supervise": "资金监管", "supervise_run": "运行监管检查", "audit": "审计日志",
    "import": "导入数据", "accounts": "账号管理", "unmask_id": "查看完整证件号", "unmask_bank": "查看完整银行账号",
}  # fmt: skip


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def role_label(role: str) -> str:
    return ROLES.get(role, role)
