"""``jiuye import FILE...`` — CSV / XLSX / case JSON into the registry (docs/import.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from jiuye.cliargs import add_db_option

EXIT_REJECTED = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import",
        help="导入 CSV / Excel / 案例 JSON 到登记库（先全部校验，再在一个事务中写入）",
        description=(
            "导入人员、用人单位、机构及其记录。CSV 可为 UTF-8（含或不含 BOM）或 GBK/GB18030（自动识别）；"
            "Excel 为 .xlsx，每个工作表一张表；表头可用中文或英文字段名。"
            "所有文件先全部校验，有任何问题则整批拒绝、数据库不变；校验通过后在一个事务中写入。"
            "同一文件重复导入不产生任何变化；已有记录（按身份证号码、统一社会信用代码、机构编号等）"
            "有变化时更新并记入变更记录。"
        ),
    )
    p.add_argument("files", nargs="*", metavar="文件", type=Path, help="CSV、XLSX 或案例 JSON 文件（可多个）")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="只导入正确的行；有问题的行连同原因写入输入文件旁的 <文件名>.rejected.csv",
    )
    p.add_argument("--table", metavar="表名", help="指定表（默认按文件名、工作表名和表头自动识别）")
    p.add_argument("--template", metavar="目录", type=Path, help="在该目录生成导入模板（每表一个 CSV 和一个 Excel）")
    add_db_option(p)
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from jiuye.errors import UserError

    if args.template is not None:
        from jiuye.registry.importing.templates import write_templates

        try:
            paths = write_templates(args.template)
        except OSError as exc:
            raise UserError(f"无法写入模板目录 {args.template}：{exc.strerror}") from exc
        print(f"已在 {args.template} 生成 {len(paths)} 个模板文件：")
        for path in paths:
            print(f"  {path}")
        if not args.files:
            return 0
    if not args.files:
        raise UserError("请给出要导入的文件，例如：jiuye import 人员.csv（或用 --template 目录 生成模板）")

    from jiuye import db
    from jiuye.registry.importing.readers import ReadError
    from jiuye.registry.importing.report import ProgressReporter, print_problems
    from jiuye.registry.importing.service import ImportRejected, run_import

    seen: set[Path] = set()
    for path in args.files:  # a missing file is reported before the database is even opened
        if not path.exists():
            raise UserError(f"文件不存在：{path}")
        if path.resolve() in seen:
            raise UserError(f"同一个文件 {path} 被指定了两次。请每个文件只给一次。", EXIT_REJECTED)
        seen.add(path.resolve())
    engine = db.check_ready(args.db)
    progress = ProgressReporter(sys.stderr, quiet=args.quiet)
    try:
        result = run_import(args.files, engine, skip_invalid=args.skip_invalid, forced_table=args.table,
                            progress=progress, write_engine=db.write_engine(args.db))  # fmt: skip
    except ReadError as exc:
        raise UserError(str(exc), EXIT_REJECTED) from exc
    except ImportRejected as exc:
        print_problems(exc.problems, sys.stderr)
        rows = exc.problems.select("file", "sheet", "row").unique().height
        raise UserError(
            f"校验发现 {exc.problems.height} 个问题（涉及 {rows} 行），整批拒绝，数据库未作任何修改。"
            "可改正后重新导入，或使用 --skip-invalid 只导入正确的行",
            EXIT_REJECTED,
        ) from exc

    if result.problems.height:
        print_problems(result.problems, sys.stderr)
    for path, rows in result.reject_files:
        print(f"已拒绝 {rows} 行，原因见：{path}", file=sys.stderr)
    total = {"inserted": 0, "updated": 0, "unchanged": 0}
    for t in result.tables:
        from jiuye.registry.schema import TABLES

        c = t.counts
        total["inserted"] += c.inserted
        total["updated"] += c.updated
        total["unchanged"] += c.unchanged
        print(f"{TABLES[t.table].title}（{t.table}）：新增 {c.inserted}，更新 {c.updated}，未变 {c.unchanged}")
    print(
        f"导入完成（{result.import_id}）：新增 {total['inserted']}，更新 {total['updated']}，"
        f"未变 {total['unchanged']}，拒绝 {result.rows_rejected}"
    )
    return 0
