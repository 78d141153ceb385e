"""Rules sub-commands: ``jiuye evaluate CASE.json`` and ``jiuye policies``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    ev = subparsers.add_parser(
        "evaluate", help="按案例 JSON 计算应享待遇（输出 JSON）",
        description="读取案例 JSON（格式见 case-format.md），输出应享待遇、认定结果与逐条件说明。输入有误时退出码为 2。",
    )  # fmt: skip
    ev.add_argument("case", help="案例 JSON 文件路径（- 表示标准输入）")
    ev.add_argument("--no-explain", action="store_true", help="不输出 explanations（大案例）")
    ev.add_argument("--indent", type=int, default=2, help="JSON 缩进（0 = 紧凑）")
    ev.set_defaults(handler=_evaluate)

    po = subparsers.add_parser("policies", help="列出全部政策措施（政策清单）")
    po.add_argument("--group", help="按人群筛选，如 graduates、youth、hardship、employers …")
    po.add_argument("--json", action="store_true", help="以 JSON 输出完整元数据")
    po.add_argument("--parameters", action="store_true", help="同时列出各措施的参数及其来源")
    po.add_argument("--forms", action="store_true", help="同时列出依申请措施的申请表字段")
    po.add_argument("--db", metavar="URL", help="读取本局所在区设置的数据库（默认 $JIUYE_DATABASE_URL 或 ./jiuye.db）")
    po.set_defaults(handler=_policies)


def _evaluate(args: argparse.Namespace) -> int:
    from jiuye.cli import UserError
    from jiuye.rules import evaluate
    from jiuye.rules.case import CaseError, load_case_text, parse_case
    from jiuye.rules.output import result_text

    try:
        text = sys.stdin.read() if args.case == "-" else Path(args.case).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"找不到案例文件：{args.case}", 2) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"无法读取案例文件 {args.case}：{exc}", 2) from None
    try:
        case = parse_case(load_case_text(text))
    except CaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    for warning in case.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    result = evaluate(case, explain=not args.no_explain)
    sys.stdout.write(result_text(result, indent=args.indent or None) + "\n")  # = dumps(result.to_json(), …)
    return 0


def _policies(args: argparse.Namespace) -> int:
    from jiuye.jsonio import dumps
    from jiuye.rules.policy_list import policy_list, policy_list_text

    district = _bureau_district(args.db)
    rows = policy_list(group=args.group, with_parameters=args.parameters, bureau_district=district)
    if args.json:
        sys.stdout.write(dumps(rows, indent=2) + "\n")  # each row says whether this bureau matches it
    else:
        sys.stdout.write(policy_list_text(rows, with_parameters=args.parameters, with_forms=args.forms,
                                          bureau_district=district))  # fmt: skip
    return 0


def _bureau_district(url: str | None) -> str | None:
    """The bureau's district setting when a migrated database is at hand (None: no database to ask)."""
    from jiuye.db import check_ready, session_scope
    from jiuye.errors import UserError

    try:
        check_ready(url)
    except UserError:
        return None
    from jiuye.ledger.service import bureau_district

    with session_scope(url) as s:
        return bureau_district(s).district
