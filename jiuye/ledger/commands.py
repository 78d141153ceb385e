"""Ledger sub-commands: approve, review, settings, pay, reverse.

(``jiuye entitlement ID``, which re-runs the engine, is matching's: :mod:`jiuye.matching.commands`.)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from jiuye.cliargs import actor, add_actor_option, add_db_option, month_arg
from jiuye.errors import UserError
from jiuye.rules.money import fen_to_plain_text


def _common(p: argparse.ArgumentParser) -> None:
    add_db_option(p)
    add_actor_option(p)


def register(subparsers: Any) -> None:
    ap = subparsers.add_parser("approve", help="按月批量核准免申即享政策的待遇（含以前月份）")
    ap.add_argument("--month", required=True, help="核准该月及以前的待遇，YYYY-MM")
    ap.add_argument("--policy", help="只核准这一项政策，例如 JS-02")
    _common(ap)
    ap.set_defaults(handler=_approve)

    rv = subparsers.add_parser("review", help="逐条审核待遇：approve 核准 / reject 驳回")
    rv.add_argument("id", type=int, help="待遇编号")
    rv.add_argument("decision", choices=["approve", "reject"])
    rv.add_argument("--reason", required=True, help="审核理由")
    _common(rv)
    rv.set_defaults(handler=_review)

    po = subparsers.add_parser("policies", help="列出全部政策措施（政策清单），并标明本局所在区是否匹配")
    po.add_argument("--group", help="按人群筛选，如 graduates、youth、hardship、employers …")
    po.add_argument("--json", action="store_true", help="以 JSON 输出完整元数据")
    po.add_argument("--parameters", action="store_true", help="同时列出各措施的参数及其来源")
    po.add_argument("--forms", action="store_true", help="同时列出依申请措施的申请表字段")
    add_db_option(po)
    po.set_defaults(handler=_policies)

    st = subparsers.add_parser("settings", help="政策设置：免申即享开关、意愿确认开关、本局所在区")
    st_sub = st.add_subparsers(dest="setting", metavar="设置")
    au = st_sub.add_parser("auto", help="设置或查看免申即享：jiuye settings auto [JS-02 on|off]")
    au.add_argument("policy", nargs="?")
    au.add_argument("value", nargs="?", choices=["on", "off"])
    au.add_argument("--reason", default=None)
    _common(au)
    au.set_defaults(handler=_settings_auto)
    co = st_sub.add_parser("confirm", help="设置或查看免申即享是否须本人意愿确认后才发放：jiuye settings confirm [JS-02 on|off]")
    co.add_argument("policy", nargs="?", help="政策编号，例如 JS-02；不写则列出全部")
    co.add_argument("value", nargs="?", choices=["on", "off"],
                    help="on：须本人确认领取（并填写银行账号）后才发放；off：无须确认")  # fmt: skip
    co.add_argument("--reason", default=None, help="设置理由（记入审计日志）")
    _common(co)
    co.set_defaults(handler=_settings_confirm)
    di = st_sub.add_parser("district", help="设置或查看本局所在区：jiuye settings district [jinshan|chongming|all]")
    di.add_argument("value", nargs="?", choices=["jinshan", "chongming", "all"],
                    help="jinshan：只匹配金就办〔2023〕1号；chongming：只匹配沪崇就办〔2023〕2号；all：两者")  # fmt: skip
    di.add_argument("--reason", default=None)
    _common(di)
    di.set_defaults(handler=_settings_district)
    st.set_defaults(handler=lambda _a: st.print_help() or 0)

    pa = subparsers.add_parser(
        "pay", help="生成发放批次（已核准未发放、含以前月份），写出 XLSX 和 CSV 发放文件"
    )
    pa.add_argument("--month", required=True, help="发放该月及以前的待遇，YYYY-MM")
    pa.add_argument("--out", default="payments", help="发放文件目录（默认 ./payments）")
    _common(pa)
    pa.set_defaults(handler=_pay)

    bt = subparsers.add_parser(
        "return", help="登记银行退票（发放记录编号）：待遇变为“银行退票”，更正银行账号后由 pay 重新发放"
    )
    bt.add_argument("payment_id", type=int)
    bt.add_argument("--reason", required=True, help="退票原因（例如：账号不存在、户名不符）")
    _common(bt)
    bt.set_defaults(handler=_bank_return)

    rs = subparsers.add_parser("reverse", help="追回一笔发放（发放记录编号），政策上限随之恢复")
    rs.add_argument("payment_id", type=int)
    rs.add_argument("--reason", required=True, help="追回理由")
    _common(rs)
    rs.set_defaults(handler=_reverse)


def _approve(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.ledger.service import approve_month, held_lines

    month = month_arg(args.month, "--month")
    with write_session(args.db) as s:
        counts = approve_month(s, month, actor(args), args.policy)
        held = held_lines(s, month)
    for h in held[:50]:
        print(f"未核准：待遇 {h['id']}（{h['policy']}）{h['reason']}", file=sys.stderr)
    if held:
        print(f"共 {len(held)} 条待遇金额不合理（不大于0或超过单笔合理上限），未核准、不会发放。", file=sys.stderr)
    if not counts:
        print(f"{month:%Y-%m} 及以前没有待核准的免申即享待遇。")
        return 0
    for policy, n in sorted(counts.items()):
        print(f"{policy}：核准 {n} 条")
    print(f"共核准 {sum(counts.values())} 条（免申即享）。")
    return 0


def _review(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.ledger.service import review

    with write_session(args.db) as s:
        new = review(s, args.id, args.decision, actor(args), args.reason)
    print(f"待遇 {args.id} 已{'核准' if new == 'approved' else '驳回'}。")
    return 0


def _settings_auto(args: argparse.Namespace) -> int:
    from jiuye.ledger.service import AUTO_LABELS, set_auto

    return _switch(args, set_auto, "auto", AUTO_LABELS)


def _settings_confirm(args: argparse.Namespace) -> int:
    from jiuye.ledger.service import CONFIRM_LABELS, set_confirm

    return _switch(args, set_confirm, "confirm", CONFIRM_LABELS)


def _switch(args: argparse.Namespace, setter: Any, field: str, labels: dict[bool, str]) -> int:
    """``jiuye settings auto|confirm [ID on|off]``: set one measure's switch, then list it (or all)."""
    from jiuye.db import write_session
    from jiuye.ledger.service import known_policy, settings

    if args.policy and not known_policy(args.policy):
        raise UserError(f"未知的政策编号：{args.policy}。", 4)
    with write_session(args.db) as s:
        if args.policy and args.value:
            setter(s, args.policy, args.value == "on", actor(args), args.reason)
        elif args.policy:
            raise UserError(f"请写明 on（{labels[True]}）或 off（{labels[False]}）。", 2)
        current = settings(s)
    for pid, st in current.items():
        if args.policy and pid != args.policy:
            continue
        when = "" if st.set_at is None else f"，{st.set_at:%Y-%m-%d %H:%M}"
        print(f"{pid}\t{labels[getattr(st, field)]}\t（{st.set_by}{when}）")
    return 0


def _policies(args: argparse.Namespace) -> int:
    """The policy list (rules) with the bureau's district (ledger setting) when a database is at hand."""
    import sys

    from jiuye.rules.jsonio import dumps
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
    from jiuye.ledger.service import bureau_district

    try:
        check_ready(url)
    except UserError:
        return None
    with session_scope(url) as s:
        return bureau_district(s).district


def _settings_district(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.ledger.service import bureau_district, set_bureau_district

    with write_session(args.db) as s:
        if args.value:
            set_bureau_district(s, args.value, actor(args), args.reason)
        current = bureau_district(s)
    when = "" if current.set_at is None else f"，{current.set_at:%Y-%m-%d %H:%M}"
    print(f"本局所在区：{current.label}（{current.district}）\t（{current.set_by}{when}）")
    return 0


def _pay(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.ledger.service import pay

    month = month_arg(args.month, "--month")
    with write_session(args.db) as s:
        batch = pay(s, month, actor(args), Path(args.out))
    _print_waiting(batch.waiting)
    for policy, (n, fen) in batch.per_measure.items():
        print(f"{policy}：{n} 笔，{fen_to_plain_text(fen)} 元")
    print(f"发放批次 {batch.id}：{batch.lines} 笔，合计 {fen_to_plain_text(batch.total_fen)} 元，"
          f"校验码 {batch.checksum}")  # fmt: skip
    for f in batch.files:
        print(f"已写出：{f}")
    return 0


def _print_waiting(waiting: list[dict[str, Any]]) -> None:
    for w in waiting[:50]:
        print(f"等待：待遇 {w['id']}（{w['policy']} {w['month']:%Y-%m}）{w['reason']}", file=sys.stderr)
    if len(waiting) > 50:
        print(f"……另有 {len(waiting) - 50} 条", file=sys.stderr)
    if waiting:
        print(f"共 {len(waiting)} 条已核准待遇本次未发放（等待银行账号等），补正后再次运行 jiuye pay。", file=sys.stderr)


def _bank_return(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.ledger.service import bank_return

    with write_session(args.db) as s:
        row = bank_return(s, args.payment_id, actor(args), args.reason)
    print(f"已登记银行退票：发放记录 {args.payment_id}（{row['policy']} {row['month']:%Y-%m}）。"
          "更正该受益人的银行账号后，jiuye pay 会重新发放。")  # fmt: skip
    return 0


def _reverse(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.ledger.service import reverse

    with write_session(args.db) as s:
        row = reverse(s, args.payment_id, actor(args), args.reason)
    fen = int(row["amount_fen"])
    print(
        f"已追回发放记录 {args.payment_id}（{row['policy']} {row['month']:%Y-%m}，{fen_to_plain_text(fen)} 元）。"
    )
    return 0
