"""Import templates (``jiuye import --template DIR``): one header-only CSV per table and one workbook.

Everything is generated from :mod:`jiuye.registry.schema`, so templates, import and export agree.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jiuye.registry.importing.validate import importable_tables
from jiuye.registry.schema import ENUM_LABELS, ENUMS, TABLES, Column, Table

WORKBOOK_NAME = "导入模板.xlsx"
GUIDE_SHEET = "填写说明"

TYPE_TEXT = {
    "str": "文本", "date": "日期 YYYY-MM-DD", "month": "月份 YYYY-MM", "bool": "是/否", "int": "整数",
    "money": "金额（元，最多两位小数）", "enum": "可选值之一", "town": "街镇名称",
}  # fmt: skip


def column_note(col: Column) -> str:
    parts = [col.description] if col.description else []
    if col.id_number and "GB 11643" not in col.description:
        parts.append("GB 11643 校验")
    if col.credit_code and "GB 32100" not in col.description:
        parts.append("GB 32100 校验")
    if col.ref is not None:
        parts.append(f"引用“{TABLES[col.ref.table].title}”表")
    return "；".join(p for p in parts if p)


def allowed_values(col: Column) -> str:
    if col.type != "enum" or col.enum is None:
        return ""
    if col.enum == "district":
        return "上海市16个区，写中文名（金山区、金山）或代码（jinshan）"
    labels = ENUM_LABELS.get(col.enum, {})
    return "、".join(labels.get(v, v) for v in ENUMS[col.enum])


def guide_rows(table: Table) -> list[list[str]]:
    return [
        [
            table.title, table.name, col.header, col.name, TYPE_TEXT[col.type], "是" if col.required else "",
            "、".join(col.aliases), allowed_values(col), column_note(col),
        ]
        for col in table.columns
    ]  # fmt: skip


GUIDE_HEADER = ["表", "表名", "列名（表头）", "字段名", "类型", "必填", "也可用的表头", "可选值", "说明"]


def write_templates(directory: Path) -> list[Path]:
    """Write ``<table>.csv`` (UTF-8 with BOM, header only) per table and the workbook; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tables = importable_tables()
    for table in tables.values():
        path = directory / f"{table.name}.csv"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow([c.header for c in table.columns])
        path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
        written.append(path)

    import xlsxwriter

    from jiuye.spreadsheet import write_row

    book_path = directory / WORKBOOK_NAME
    book = xlsxwriter.Workbook(str(book_path))
    try:
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        text = book.add_format({"num_format": "@"})
        guide = book.add_worksheet(GUIDE_SHEET)
        write_row(guide, 0, GUIDE_HEADER, head)
        r = 1
        for table in tables.values():
            for row in guide_rows(table):
                write_row(guide, r, row)
                r += 1
        guide.set_column(0, 1, 14)
        guide.set_column(2, 3, 22)
        guide.set_column(4, 8, 24)
        for table in tables.values():
            ws = book.add_worksheet(table.title)
            for i, col in enumerate(table.columns):
                ws.write_string(0, i, col.header, required if col.required else head)
                ws.write_comment(0, i, f"{col.name}：{TYPE_TEXT[col.type]}\n{column_note(col)}".strip())
                # Text format keeps 18-digit ID numbers and leading zeros intact.
                ws.set_column(i, i, max(12, len(col.header) * 2 + 2), text)
            ws.freeze_panes(1, 0)
    finally:
        book.close()
    written.append(book_path)
    return written
