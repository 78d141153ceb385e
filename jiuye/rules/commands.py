"""Rules sub-commands: ``jiuye evaluate CASE.json`` (``jiuye policies`` is the ledger's: it shows the
bureau's district setting, which the ledger stores)."""

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


def _evaluate(args: argparse.Namespace) -> int:
    from jiuye.errors import UserError
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
