"""Register the ledger tables with the registry's generic export (``jiuye export entitlements …``).

The ledger tables are written only by the ledger services; registering them here makes them visible to
``jiuye export`` and ``jiuye tables`` (beneficiary and subject ID numbers are masked unless
``--unmasked``).  The stored tables are the ledger's own (:mod:`jiuye.ledger.models`,
:mod:`jiuye.audit.models`), not tables built from these declarations.
"""

from __future__ import annotations

from jiuye.registry import models, schema
from jiuye.registry.schema import Column, Table

EXPORTS: tuple[Table, ...] = (
    Table(
        "entitlements", "应享待遇", key=("policy", "beneficiary", "subject", "month"),
        columns=(
            Column("id", "int", "待遇编号"),
            Column("policy", "str", "政策编号", required=True),
            Column("beneficiary", "str", "受益人", required=True, id_number=True),
            Column("subject", "str", "对象", required=True, id_number=True),
            Column("month", "month", "月份", required=True),
            Column("amount_fen", "money", "金额（元）"),
            Column("status", "str", "金额状态", required=True),
            Column("state", "str", "办理状态", required=True),
            Column("first_found_run", "int", "首次发现的匹配运行"),
            Column("last_run", "int", "最近变更的匹配运行"),
        ),
        description="主动匹配发现的应享待遇（台账）；只由匹配、核准、发放、追回写入", importable=False,
    ),
    Table(
        "payments", "发放记录", key=("id",),
        columns=(
            Column("id", "int", "发放编号", required=True),
            Column("batch_id", "int", "批次编号", required=True),
            Column("entitlement_id", "int", "待遇编号", required=True),
            Column("policy", "str", "政策编号", required=True),
            Column("beneficiary", "str", "受益人", required=True, id_number=True),
            Column("subject", "str", "对象", required=True, id_number=True),
            Column("month", "month", "月份", required=True),
            Column("amount_fen", "money", "金额（元）", required=True),
            Column("state", "str", "状态", required=True),
            Column("reversal_reason", "str", "追回理由"),
        ),
        description="每笔发放；追回后状态为 reversed", importable=False,
    ),
    Table(
        "audit_events", "审计日志", key=("seq",),
        columns=(
            Column("seq", "int", "序号", required=True),
            Column("actor", "str", "操作人", required=True),
            Column("action", "str", "操作", required=True),
            Column("entity", "str", "对象表", required=True),
            Column("entity_id", "str", "对象编号"),
            Column("old_state", "str", "原状态"),
            Column("new_state", "str", "新状态"),
            Column("reason", "str", "理由"),
            Column("prev_hash", "str", "前序哈希", required=True),
            Column("hash", "str", "哈希", required=True),
        ),
        description="只追加、哈希链接的审计日志（jiuye audit verify 校验）", importable=False,
    ),
)  # fmt: skip


def register_exports() -> None:
    """Declare the ledger tables for export (idempotent)."""
    from jiuye.audit.models import audit_events
    from jiuye.ledger.models import entitlements, payments

    stored = {"entitlements": entitlements, "payments": payments, "audit_events": audit_events}
    for table in EXPORTS:
        models.TABLES[table.name] = stored[table.name]
        schema.register(table)
