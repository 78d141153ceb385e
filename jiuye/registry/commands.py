"""Registry sub-commands: ``db upgrade``, ``db status``, ``tables``, ``export``, ``export-case``.

(``import`` lives in ``import_commands``, ``demo-data`` in :mod:`jiuye.demo.commands`.)  Handlers import heavy
modules lazily; every failure a user can cause is a Chinese :class:`jiuye.errors.UserError`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from jiuye.cliargs import actor, add_actor_option, add_db_option, month_arg
from jiuye.errors import UserError


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="数据库管理（建库、升级结构）", description="数据库管理")
    db_sub = db.add_subparsers(dest="db_command", metavar="子命令")
    up = db_sub.add_parser("upgrade", help="升级数据库结构到最新版本，并载入区、街镇参考数据")
    add_db_option(up)
    up.set_defaults(handler=_db_upgrade)
    st = db_sub.add_parser("status", help="显示数据库地址和结构版本")
    add_db_option(st)
    st.set_defaults(handler=_db_status)
    db.set_defaults(handler=lambda args: _usage(db))

    tables = subparsers.add_parser("tables", help="列出登记库的表（中文名称、行数）")
    add_db_option(tables)
    tables.set_defaults(handler=_tables)

    ex = subparsers.add_parser(
        "export", help="导出一张表为 Excel（xlsx）或 CSV",
        description="导出一张表。行按业务主键排序，两次导出相同数据得到完全相同的文件；"
        "身份证号码默认脱敏（310116********1234），需要完整号码时须明确加 --unmasked。",
    )  # fmt: skip
    ex.add_argument("table", metavar="TABLE", help="表名（见 jiuye tables），如 persons、social_insurance")
    ex.add_argument("--format", choices=("xlsx", "csv"), default=None, help="文件格式（默认按 --out 的扩展名）")
    ex.add_argument("--out", required=True, metavar="PATH", help="输出文件路径")
    ex.add_argument("--district", default=None, help="只导出该区（如 jinshan 或 金山区）")
    ex.add_argument("--town", default=None, help="只导出该街镇（如 朱泾镇）")
    ex.add_argument("--unmasked", action="store_true",
                    help="导出未脱敏的个人信息（须同时用 --reason 写明用途；记入审计日志）")
    ex.add_argument("--reason", default="", help="导出未脱敏数据的用途（与 --unmasked 一起使用）")
    add_actor_option(ex)
    add_db_option(ex)
    ex.set_defaults(handler=_export)

    ec = subparsers.add_parser(
        "export-case", help="把一个人的登记数据导出为 case JSON（可用 jiuye evaluate 测算）"
    )
    ec.add_argument("--person", required=True, metavar="ID_NUMBER", help="身份证号码")
    ec.add_argument("--from", dest="window_from", metavar="YYYY-MM", help="测算起始月（默认为截止月前11个月）")
    ec.add_argument("--to", dest="window_to", metavar="YYYY-MM", help="测算截止月（默认为本月）")
    ec.add_argument("--out", metavar="FILE", help="输出文件（默认输出到屏幕）")
    ec.add_argument("--unmasked", action="store_true",
                    help="输出完整身份证号码（须同时用 --reason 写明用途；记入审计日志）。默认脱敏且不含 id_number")
    ec.add_argument("--reason", default="", help="输出未脱敏数据的用途（与 --unmasked 一起使用）")
    add_actor_option(ec)
    add_db_option(ec)
    ec.set_defaults(handler=_export_case)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


# --- handlers ---------------------------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace) -> int:
    from jiuye import db

    url = db.database_url(args.db)
    rev = db.upgrade(url)
    print(f"数据库已升级到版本 {rev}：{db.display_url(url)}")
    return 0


def _db_status(args: argparse.Namespace) -> int:
    from jiuye import db

    url = db.database_url(args.db)
    try:
        db.check_ready(url)
    except db.DatabaseNotReady as exc:
        print(f"数据库：{db.display_url(url)}\n状态：{exc}")
        return exc.code
    print(f"数据库：{db.display_url(url)}\n结构版本：{db.head_revision()}（最新）")
    return 0


def _tables(args: argparse.Namespace) -> int:
    from jiuye import db
    from jiuye.registry import schema
    from jiuye.registry.store import count_rows

    db.load_models()  # every room's declared tables (ledger, supervision …), not only the registry's
    engine = db.check_ready(args.db)
    with engine.connect() as conn:
        rows = [(t.name, t.title, count_rows(conn, t.name)) for t in schema.TABLES.values()]
    width = max(len(name) for name, _, _ in rows)
    for name, title, n in rows:
        print(f"{name:<{width}}  {title}\t{n}")
    return 0


def parse_district(text: str | None) -> str | None:
    """A district given as slug or Chinese name → slug; UserError when unknown."""
    if text is None:
        return None
    from jiuye.registry.schema import ENUM_LABELS, parse_enum

    code = parse_enum("district", text)
    if code is None:
        names = "、".join(ENUM_LABELS["district"].values())
        raise UserError(f"未知的区：{text!r}（可用：{names}，或拼音如 jinshan）", 2)
    return code


def _export(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from jiuye import db
    from jiuye.registry import schema
    from jiuye.registry.export import XLSX_MAX_ROWS, export_frame, write_csv, write_xlsx
    from jiuye.registry.models import TABLES

    db.load_models()  # every room's declared tables (ledger, supervision …), not only the registry's
    spec = schema.TABLES.get(args.table)
    if spec is None:
        raise UserError(f"没有名为 {args.table!r} 的表。可用的表：{'、'.join(schema.TABLES)}（jiuye tables 可查看）", 2)
    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise UserError("请用 --format 指定 xlsx 或 csv（或使用 .xlsx / .csv 扩展名）", 2)
    if not out.parent.exists():
        raise UserError(f"输出目录不存在：{out.parent}", 2)
    district = parse_district(args.district)
    engine = db.check_ready(args.db)
    with engine.connect() as conn:
        if args.town is not None:
            towns = TABLES["towns"]
            stmt = sa.select(towns.c.district).where(towns.c.name == args.town)
            found = {r[0] for r in conn.execute(stmt)}
            if not found or (district is not None and district not in found):
                where = f"{schema.enum_label('district', district)}" if district else "登记库"
                raise UserError(f"{where}没有名为 {args.town!r} 的街镇", 2)
        scope_problem = _scope_problem(spec, district, args.town)
        if scope_problem:
            raise UserError(scope_problem, 2)
        if args.unmasked and not args.reason.strip():
            raise UserError("导出未脱敏数据（--unmasked）必须用 --reason 写明用途，该用途将记入审计日志。", 2)
        frame = export_frame(conn, spec.name, district, args.town, unmasked=args.unmasked)
    if fmt == "xlsx" and frame.height > XLSX_MAX_ROWS:
        raise UserError(
            f"{spec.title}共 {frame.height} 行，超过 Excel 单表上限 {XLSX_MAX_ROWS} 行。"
            "请改用 --format csv，或用 --district / --town 分批导出。",
            2,
        )
    if args.unmasked:
        from jiuye.registry.disclosure import Disclosure, record_disclosure

        scope = {k: v for k, v in (("district", district), ("town", args.town), ("file", str(out))) if v}
        record_disclosure(Disclosure(args.db, actor(args), spec.name, frame.height, args.reason, scope))
    if fmt == "csv":
        write_csv(frame, out)
    else:
        write_xlsx(spec.name, frame, out)
    masked = "（未脱敏，已记入审计日志）" if args.unmasked else "（个人信息已脱敏）"
    print(f"已导出{spec.title}（{spec.name}）{frame.height} 行到 {out}{masked}", file=sys.stderr)
    return 0


def _scope_problem(spec: Any, district: str | None, town: str | None) -> str | None:
    from jiuye.registry.store import _Query

    d, t = _Query(spec.name).scope_columns()
    if district is not None and d is None:
        return f"{spec.title}（{spec.name}）不能按区筛选"
    if town is not None and t is None:
        return f"{spec.title}（{spec.name}）不能按街镇筛选"
    return None


def _export_case(args: argparse.Namespace) -> int:
    from jiuye import db
    from jiuye.registry.case import export_case
    from jiuye.rules.identifiers import id_number_problem, normalize_id_number

    number = normalize_id_number(args.person)
    problem = id_number_problem(number)
    if problem:
        raise UserError(f"--person 不是有效的身份证号码：{problem}。", 2)
    window_to = month_arg(args.window_to, "--to") if args.window_to else None
    window_from = month_arg(args.window_from, "--from") if args.window_from else None
    if window_to is None:
        today = dt.date.today()
        window_to = dt.date(today.year, today.month, 1)
    if window_from is None:
        y, m = divmod(window_to.year * 12 + window_to.month - 1 - 11, 12)
        window_from = dt.date(y, m + 1, 1)
    if window_from > window_to:
        raise UserError("--from 不能晚于 --to", 2)
    if args.unmasked and not args.reason.strip():
        raise UserError("输出未脱敏数据（--unmasked）必须用 --reason 写明用途，该用途将记入审计日志。", 2)
    with db.session_scope(args.db, check=True) as session:
        case = export_case(session, number, window_from, window_to)
    from jiuye.rules.identifiers import mask_text
    from jiuye.rules.jsonio import dumps

    if args.unmasked:
        from jiuye.registry.disclosure import Disclosure, record_disclosure

        record_disclosure(Disclosure(args.db, actor(args), "persons", len(case["persons"]), args.reason,
                                     {"command": "export-case", **({"file": args.out} if args.out else {})}))
        text = dumps(case, indent=2) + "\n"
    else:
        # masked: no id_number (a masked number is not a valid one), every ID-shaped text masked alike,
        # so the references inside the case still agree and `jiuye evaluate` still runs on it
        for person in case["persons"]:
            person.pop("id_number", None)
        text = mask_text(dumps(case, indent=2)) + "\n"
    if args.out:
        out = Path(args.out)
        if not out.parent.exists():
            raise UserError(f"输出目录不存在：{out.parent}", 2)
        out.write_text(text, encoding="utf-8")
        print(f"已写出 {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
