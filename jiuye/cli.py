"""Command line: ``jiuye <command>``.

Each room of the package contributes its own sub-commands through a ``commands`` module with a
``register(subparsers)`` function; handlers import heavy modules lazily so that a cold
``jiuye evaluate`` stays fast.  Every failure a user can cause ends in a Chinese message on stderr
and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiuye",
        description="就业 jiuye — 区级稳就业政策即代码（金就办〔2023〕1号、沪崇就办〔2023〕2号）",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
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
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
