"""``jiuye audit verify``: walk the keyed hash chain, check it against every anchor (the anchor file and the
heads payment batches recorded), report the first altered, removed or inserted event; when intact, anchor
the head."""

from __future__ import annotations

import argparse
from typing import Any

from jiuye.cliargs import add_db_option
from jiuye.errors import UserError
from jiuye.registry.disclosure import Disclosure, on_disclosure


@on_disclosure
def record_unmasked_export(disclosure: Disclosure) -> None:
    """Every unmasked export is an audit event: who, when (the event's time), which table, how many rows, why."""
    from jiuye.audit import record
    from jiuye.db import write_session

    with write_session(disclosure.db_url) as s:
        record(s, disclosure.actor, "export_unmasked", disclosure.table, None, reason=disclosure.reason,
               payload={"rows": disclosure.rows, **disclosure.scope})  # fmt: skip


def register(subparsers: Any) -> None:
    au = subparsers.add_parser("audit", help="审计日志")
    sub = au.add_subparsers(dest="audit_command", metavar="子命令")
    ve = sub.add_parser("verify", help="校验审计链：报告第一条被改动、删除或插入的事件")
    add_db_option(ve)
    ve.set_defaults(handler=_verify)
    au.set_defaults(handler=lambda _a: au.print_help() or 0)


def _verify(args: argparse.Namespace) -> int:
    from jiuye.audit.service import known_anchors, verify_and_anchor
    from jiuye.db import load_models, session_scope

    load_models()  # rooms register the anchors they keep (payment batches)
    with session_scope(args.db, check=True) as s:
        report = verify_and_anchor(s, extra_anchors=known_anchors(s))
    if not report.ok:
        raise UserError(report.message, 8)
    print(report.message)
    return 0
