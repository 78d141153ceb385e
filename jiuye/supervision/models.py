"""The ``flags`` table (疑点), declared as a registry table so that the generic export shows it.

``(check, subject_kind, subject_id, flag_key)`` is the natural key: a re-run finds the same flag again
instead of adding a copy.  ``created_at`` is when the flag was raised; ``updated_at`` its last change.
Importing this module declares the table (:func:`jiuye.registry.schema.register`) and builds its model.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.audit.labels import declare_states
from jiuye.registry import schema
from jiuye.registry.models import TABLES, sync_tables

FLAG_STATES: tuple[str, ...] = ("open", "confirmed", "dismissed")
STATE_LABELS: dict[str, str] = declare_states("flags", {"open": "待复核", "confirmed": "已确认", "dismissed": "已排除"})

FLAGS = schema.register(
    schema.Table(
        "flags", "资金监管疑点", key=("check", "subject_kind", "subject_id", "flag_key"),
        scope=schema.Scope(district="district"),
        columns=(
            schema.Column("check", "str", "检查项", required=True, length=32,
                          description="检查项代码（见 docs/supervision.md）"),
            schema.Column("clause", "str", "依据条款", required=True),
            schema.Column("district", "enum", "所属区", enum="district"),
            schema.Column("subject_kind", "str", "对象类型", required=True, length=32,
                          description="person / employer / payment / phone / address / bank_account"),
            schema.Column("subject_id", "str", "对象", required=True, id_number=True, mask="text"),
            schema.Column("related_ids", "str", "关联对象", mask="text"),
            schema.Column("month", "month", "月份"),
            schema.Column("flag_key", "str", "疑点键", required=True, mask="text"),
            schema.Column("detail", "str", "疑点说明", required=True),
            schema.Column("severity", "str", "严重程度", required=True, length=16, description="high / medium / low"),
            schema.Column("state", "str", "状态", required=True, length=16, description="open / confirmed / dismissed"),
            schema.Column("raised_on", "date", "发现日期", required=True),
            schema.Column("run_id", "str", "发现批次", required=True, length=64),
            schema.Column("last_run_id", "str", "最近检出批次", required=True, length=64),
            schema.Column("reviewed_by", "str", "复核人"),
            schema.Column("review_reason", "str", "复核意见"),
        ),
        description="资金监管检查发现的疑点，供人工复核（金就办〔2023〕1号 六(三)；沪崇就办〔2023〕2号 (十六)）",
        importable=False,
    )
)  # fmt: skip

sync_tables()
flags: sa.Table = TABLES["flags"]
sa.Index("ix_flags_state", flags.c.state)
