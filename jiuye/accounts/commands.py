"""``jiuye accounts create|list|password|disable|enable|demo``: staff accounts from the command line."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from jiuye.errors import BAD_INPUT, UserError

DB_HELP = "数据库 URL（默认 $JIUYE_DATABASE_URL 或 ./jiuye.db）"

# one demo account per role (``jiuye accounts demo``): login name, name, role, district, town
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("admin_js", "金山管理员", "admin", "jinshan", None),
    ("policy_js", "金山政策经办", "policy_officer", "jinshan", None),
    ("reviewer_js", "金山审核员", "reviewer", "jinshan", None),
    ("auditor_js", "金山稽核员", "fund_auditor", "jinshan", None),
    ("caseworker_js", "朱泾镇经办", "caseworker", "jinshan", "朱泾镇"),
    ("leader_js", "金山领导", "leader", "jinshan", None),
    ("reviewer_cm", "崇明审核员", "reviewer", "chongming", None),
)


def _actor() -> str:
    return os.environ.get("JIUYE_USER") or os.environ.get("USER") or "系统管理员"


def register(subparsers: Any) -> None:
    ac = subparsers.add_parser("accounts", help="工作人员账号：创建、列出、重设密码、停用")
    sub = ac.add_subparsers(dest="accounts_command", metavar="子命令")
    cr = sub.add_parser("create", help="创建账号（密码从 $JIUYE_PASSWORD 或交互输入读取，不出现在命令行）")
    cr.add_argument("username")
    cr.add_argument("--name", required=True, help="姓名")
    cr.add_argument(
        "--role", required=True, help="admin|policy_officer|reviewer|fund_auditor|caseworker|leader"
    )
    cr.add_argument("--district", required=True, help="区代码，如 jinshan、chongming")
    cr.add_argument("--town", help="街镇（空 = 全区）")
    cr.add_argument("--db", metavar="URL", help=DB_HELP)
    cr.set_defaults(handler=_create)
    ls = sub.add_parser("list", help="列出账号")
    ls.add_argument("--db", metavar="URL", help=DB_HELP)
    ls.set_defaults(handler=_list)
    pw = sub.add_parser("password", help="重设密码（并使该账号的所有会话失效）")
    pw.add_argument("username")
    pw.add_argument("--db", metavar="URL", help=DB_HELP)
    pw.set_defaults(handler=_password)
    for name, active in (("disable", False), ("enable", True)):
        p = sub.add_parser(name, help="停用账号（会话立即失效）" if not active else "启用账号")
        p.add_argument("username")
        p.add_argument("--db", metavar="URL", help=DB_HELP)
        p.set_defaults(handler=_set_active, active=active)
    de = sub.add_parser(
        "demo", help="为演示区创建每个角色一个账号，随机生成密码，写入 --out 文件（权限 600）"
    )
    de.add_argument("--out", type=Path, default=Path("out/演示账号.txt"))
    de.add_argument("--db", metavar="URL", help=DB_HELP)
    de.set_defaults(handler=_demo)
    ac.set_defaults(handler=lambda _a: ac.print_help() or 0)


def _read_password() -> str:
    env = os.environ.get("JIUYE_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if line:
            return line
        raise UserError("请通过 $JIUYE_PASSWORD 或标准输入提供密码。", BAD_INPUT)
    first = getpass.getpass("密码：")
    if getpass.getpass("再输一次：") != first:
        raise UserError("两次输入的密码不一致。", BAD_INPUT)
    return first


def _create(args: argparse.Namespace) -> int:
    from jiuye.accounts.service import create_user
    from jiuye.db import check_ready, write_session

    password = _read_password()
    url = str(check_ready(args.db).url.render_as_string(hide_password=False))
    with write_session(url, check=False) as s:
        user = create_user(
            s, args.username, args.name, password, args.role, args.district, args.town, _actor()
        )
    print(
        f"已创建账号 {user.username}（{user.role_label}，{user.district}{' ' + user.town if user.town else ''}）。"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from jiuye.accounts.service import list_users
    from jiuye.db import session_scope

    with session_scope(args.db, check=True) as s:
        for u in list_users(s):
            print(f"{u['username']}\t{u['display_name']}\t{u['role_label']}\t{u['district']}\t{u['town'] or '全区'}\t"
                  f"{'启用' if u['active'] else '停用'}")  # fmt: skip
    return 0


def _password(args: argparse.Namespace) -> int:
    from jiuye.accounts.service import set_password
    from jiuye.db import check_ready, write_session

    password = _read_password()
    url = str(check_ready(args.db).url.render_as_string(hide_password=False))
    with write_session(url, check=False) as s:
        set_password(s, args.username, password, _actor())
    print(f"已重设 {args.username} 的密码，其所有会话已失效。")
    return 0


def _set_active(args: argparse.Namespace) -> int:
    from jiuye.accounts.service import set_active
    from jiuye.db import check_ready, write_session

    url = str(check_ready(args.db).url.render_as_string(hide_password=False))
    with write_session(url, check=False) as s:
        set_active(s, args.username, args.active, _actor())
    print(f"账号 {args.username} 已{'启用' if args.active else '停用'}。")
    return 0


def _demo(args: argparse.Namespace) -> int:
    """One account per role on the demo districts; passwords random, written to a 0600 file only."""
    from jiuye.accounts.service import create_user, set_password
    from jiuye.db import check_ready, write_session

    url = str(check_ready(args.db).url.render_as_string(hide_password=False))
    lines = []
    with write_session(url, check=False) as s:
        from jiuye.accounts.service import list_users

        existing = {u["username"] for u in list_users(s)}
        for username, name, role, district, town in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            if username in existing:
                set_password(s, username, password, _actor())
            else:
                create_user(s, username, name, password, role, district, town, _actor())
            from jiuye.accounts.roles import role_label

            lines.append(
                f"{role_label(role)}\t{username}\t{password}\t{district}{' ' + town if town else ''}"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("角色\t登录名\t密码\t辖区\n" + "\n".join(lines) + "\n")
    print(f"演示账号（每个角色一个，密码随机生成）已写入 {args.out}：")
    print("\n".join(lines))
    return 0
