"""How audit events are shown to people: each action, audited table and state by its Chinese name, the time in
Beijing time.  The rooms above declare their states' names here (:func:`declare_states`); the pages of every
room show an event trail through :func:`shown_events`."""

from __future__ import annotations

import datetime as dt
from typing import Any

# what each audit action and each audited table is called on the pages (the API keeps the codes); the states are
# declared by the room that owns them (:func:`declare_states`).  A test checks every action the code records has a label here.
ACTION_LABELS: dict[str, str] = {
    "match": "主动匹配", "approve": "批量核准", "review": "审核", "pay": "发放", "confirm": "意愿确认", "grant": "依申请核定",
    "reverse": "追回", "bank_return": "银行退票", "create": "新建", "setting": "修改设置", "download": "下载",
    "unmask": "查看完整证件号码", "export_unmasked": "导出完整证件号码", "account.create": "新建账号",
    "account.password": "重设密码", "account.active": "启用或停用账号", "login": "登录", "login.failed": "登录失败",
    "logout": "退出", "publish": "发布公示", "submit": "提交申请", "upload": "上传材料", "register": "注册",
    "flag.raise": "发现疑点", "flag.review": "复核疑点", "job.queue": "提交后台任务", "job.finish": "后台任务结束",
    "parameter.set": "设定参数", "rematch": "重新匹配又符合条件", "amount_changed": "重新匹配：金额改变",
    "facts_changed": "重新匹配：依据的事实改变", "withdraw": "重新匹配：不再符合条件", "back_to_review": "退回复核",
}  # fmt: skip
ENTITY_LABELS: dict[str, str] = {
    "entitlements": "待遇", "payments": "发放记录", "payment_batches": "发放批次", "flags": "疑点",
    "staff_users": "工作人员账号", "applicants": "群众和单位账号", "applications": "点单式申请", "notices": "资金公示",
    "jobs": "后台任务", "parameter_values": "参数", "policy_settings": "政策设置", "bureau_settings": "本局设置",
}  # fmt: skip


def entity_labels() -> dict[str, str]:
    """Every audited table's Chinese name: the rooms' results above, the registry's tables by their titles."""
    from jiuye.registry.schema import TABLES

    return {name: t.title for name, t in TABLES.items()} | ENTITY_LABELS


_STATES: dict[str, dict[str, str]] = {}


def declare_states(entity: str, labels: dict[str, str]) -> dict[str, str]:
    """The room that owns ``entity`` declares its states' Chinese names here (beside its state machine), once;
    returns ``labels`` (``STATE_LABELS = declare_states("flags", {...})``)."""
    _STATES[entity] = labels
    return labels


def state_labels(entity: str) -> dict[str, str]:
    return _STATES.get(entity, {})


def shown_events(rows: Any, entity: str | None = None) -> list[dict[str, Any]]:
    """Audit events as the pages show them: the action, table and states by their Chinese names, the time in
    Beijing time (``entity`` for rows that carry none, e.g. one record's trail), ID numbers, mobile and account
    numbers in the reason masked (a reviewer may type one)."""
    from jiuye.rules.identifiers import mask_text
    from jiuye.webkit.render import datetime_text  # the pages' one time format (not loaded by the commands)

    tables = entity_labels()
    shown = []
    for row in rows:
        r = dict(row)
        at = r["at"]
        r["at"] = str(at)
        r["at_text"] = datetime_text(dt.datetime.fromisoformat(at) if isinstance(at, str) else at)
        kind = r.get("entity") or entity or ""
        states = state_labels(kind)
        action = str(r["action"])
        r["action_label"] = ACTION_LABELS.get(action) or states.get(action) or "其他操作"
        r["entity_label"] = tables.get(kind, "其他记录")
        r["old_label"] = states.get(r["old_state"], r["old_state"]) if r["old_state"] else ""
        r["new_label"] = states.get(r["new_state"], r["new_state"]) if r["new_state"] else ""
        r["reason"] = mask_text(r.get("reason"))  # staff type ID, mobile and account numbers into reasons
        shown.append(r)
    return shown
