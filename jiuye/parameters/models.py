"""``parameter_values``: dated values of a measure's parameter set by the bureau (append-only)."""

from __future__ import annotations

import sqlalchemy as sa

from jiuye.db.metadata import ID_TYPE, TIMESTAMP, metadata

parameter_values = sa.Table(
    "parameter_values",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("measure", sa.String(16), nullable=False, comment="政策编号"),
    sa.Column("name", sa.String(64), nullable=False, comment="参数"),
    sa.Column("since", sa.Date(), nullable=False, comment="生效日期"),
    sa.Column("value_text", sa.Text(), nullable=False, comment="参数值（精确十进制文本）"),
    sa.Column("source", sa.Text(), nullable=False, comment="依据（文件、条款）"),
    sa.Column("set_by", sa.Text(), nullable=False),
    sa.Column("set_at", TIMESTAMP, nullable=False, server_default=sa.func.current_timestamp()),
    sa.UniqueConstraint("measure", "name", "since", name="uq_parameter_values_key"),
    comment="参数设定（按日期生效）",
)
