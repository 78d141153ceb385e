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
    ev.add_argument("--indent", type=_indent, default=2, help="JSON 缩进（0 = 紧凑，最多 8）")
    ev.set_defaults(handler=_evaluate)


_INDENTS = tuple(str(n) for n in range(9))


def _indent(text: str) -> int:
    if text not in _INDENTS:  # not isdigit(): '²' passes it and int() refuses it
        raise argparse.ArgumentTypeError(f"应为 0 至 8 的整数：{text!r}")
    return int(text)


def _evaluate(args: argparse.Namespace) -> int:
    from jiuye.errors import UserError
    from jiuye.rules import check_explain_size, evaluate
    from jiuye.rules.case import CaseError, read_case
    from jiuye.rules.output import result_text, write_result

    try:
        data = sys.stdin.buffer.read() if args.case == "-" else Path(args.case).read_bytes()
    except FileNotFoundError:
        raise UserError(f"找不到案例文件：{args.case}。请检查路径。", 2) from None
    except IsADirectoryError:
        raise UserError(f"{args.case} 是目录，不是案例文件。", 2) from None
    except OSError as exc:
        raise UserError(f"无法读取案例文件 {args.case}（{exc.strerror}）。请检查文件权限。", 2) from None
    try:
        case = read_case(data)
        if not args.no_explain:
            check_explain_size(case)
    except CaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    for warning in case.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    result = evaluate(case, explain=not args.no_explain)
    indent = args.indent or None
    if (sys.stdout.encoding or "").lower().replace("-", "") == "utf8":
        sys.stdout.flush()  # the text = dumps(result.to_json(), …), streamed: explanations a slice at a time
        write_result(result, sys.stdout.buffer, indent=indent)
        sys.stdout.buffer.write(b"\n")
    else:
        sys.stdout.write(result_text(result, indent=indent) + "\n")
    return 0
