"""What every command's arguments share: ``--db``, a month argument, and who acts (``--by``).

Used by each room's ``commands`` module; no command repeats these.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import re
from collections.abc import Callable

from jiuye.errors import UserError

DB_HELP = "数据库 URL（默认取环境变量 JIUYE_DATABASE_URL，否则为当前目录下的 SQLite 文件 jiuye.db）"
DEFAULT_ACTOR = "系统管理员"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """``--db URL`` for any command that opens the database."""
    parser.add_argument("--db", metavar="URL", default=None, help=DB_HELP)


def add_actor_option(parser: argparse.ArgumentParser, help: str = "操作人（默认 $JIUYE_USER 或登录名）") -> None:
    """``--by NAME``: who acts (recorded in the audit log and the rows' ``updated_by``)."""
    parser.add_argument("--by", metavar="姓名", default=None, help=help)


def actor(args: argparse.Namespace) -> str:
    """``--by``, else :func:`default_actor`."""
    given = getattr(args, "by", None)
    return str(given) if given else default_actor()


def default_actor() -> str:
    """Who acts when nobody is named: ``$JIUYE_USER``, else the login name, else 系统管理员."""
    if os.environ.get("JIUYE_USER"):
        return os.environ["JIUYE_USER"]
    try:
        return getpass.getuser() or DEFAULT_ACTOR
    except Exception:  # no login name (e.g. a container without a passwd entry)
        return DEFAULT_ACTOR


def month_arg(text: str, option: str = "月份") -> dt.date:
    """A ``YYYY-MM`` argument → the first day of that month; a Chinese :class:`UserError` (status 2) otherwise."""
    found = _MONTH.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError(text)
        return dt.date(int(found[1]), int(found[2]), 1)
    except ValueError as exc:
        raise UserError(f"{option} 格式不对：{text}（应为 YYYY-MM，例如 2024-03）。", 2) from exc


def whole_number(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number from ``low`` to ``high``: anything else (a letter, a superscript
    '²', 5,000 digits, a number out of range) is refused with one Chinese message naming the range — never
    argparse's 'invalid <function name> value', nor an internal error further on (a port of 99999999, a
    million million demo persons)."""

    def parse(text: str) -> int:
        refused = argparse.ArgumentTypeError(f"{what}应为 {low} 至 {high} 的整数，而不是 {text!r}")
        if len(text.strip().lstrip("+-")) > len(str(max(abs(low), abs(high)))):
            raise refused  # before int(), which refuses more than 4300 digits with a ValueError of its own
        try:
            number = int(text)  # not str.isdigit(): "²" passes it and int() refuses it
        except ValueError:
            raise refused from None
        if not low <= number <= high:
            raise refused
        return number

    return parse
