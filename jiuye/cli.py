"""Command line: ``jiuye <command>``.

Each room of the package contributes its own sub-commands through a ``commands`` module with a
``register(subparsers)`` function; handlers import heavy modules lazily so that a cold
``jiuye evaluate`` stays fast.  Every failure a user can cause ends in a Chinese message on stderr
and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from jiuye.errors import UserError  # re-exported: command handlers raise jiuye.cli.UserError

COMMAND_MODULES: tuple[str, ...] = (
    "jiuye.rules.commands",
    "jiuye.registry.commands",
    "jiuye.registry.import_commands",
    "jiuye.demo.commands",
    "jiuye.supervision.commands",
    "jiuye.matching.commands",
    "jiuye.ledger.commands",
    "jiuye.audit.commands",
    "jiuye.accounts.commands",
    "jiuye.web.commands",  # the entry point may import the top floor (nothing else does)
)


__all__ = ["UserError", "build_parser", "main"]

EXIT_INTERNAL = 70  # a failure nobody foresaw: a Chinese message, never a traceback (sysexits EX_SOFTWARE)

# argparse's own messages (it translates them through gettext; we have no catalogue, so map them here)
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多一个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为 %(type)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出一个",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese messages; a usage error exits with status 2 (as argparse does)."""

    def error(self, message: str) -> NoReturn:
        for english, chinese in (("（应为 int）", "（应为整数）"), ("（应为 float）", "（应为数字）")):
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}。请用 {self.prog} -h 查看用法。\n")


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _zh  # type: ignore[attr-defined]  # argparse looks its messages up through this name
    parser = _Parser(
        prog="jiuye",
        description="就业 jiuye — 区级稳就业政策即代码（金就办〔2023〕1号、沪崇就办〔2023〕2号）",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except UserError as exc:
        from jiuye.rules.identifiers import mask_text

        print(f"错误：{mask_text(str(exc))}", file=sys.stderr)  # no message shows a full ID or account
        return exc.code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: never a traceback, never a full ID number
        from jiuye.db import explain_error

        known = explain_error(exc, getattr(args, "db", None))
        if known is not None:
            print(f"错误：{known}", file=sys.stderr)  # built from our own words: quotes no row
            return known.code
        if os.environ.get("JIUYE_DEBUG"):
            raise
        print(
            f"错误：程序内部出错（{type(exc).__name__}），本命令没有完成，数据库未作修改。"
            "请把所用的命令和时间报告给系统管理员（设置 JIUYE_DEBUG=1 可显示技术细节）。",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
