"""``jiuye supervise`` (run the fund-supervision checks, store flags) and ``jiuye flag`` (review a flag)."""

from __future__ import annotations

import argparse
from typing import Any

from jiuye.cliargs import actor, add_actor_option, add_db_option, month_arg
from jiuye.errors import UserError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "supervise",
        help="资金监管：检查重复申领、死亡后发放、单位类型、补贴期满解聘、共用账户、号码无效、超标准等疑点",
        description=(
            "对登记库和发放记录运行全部资金监管检查（金就办〔2023〕1号 六(三)、沪崇就办〔2023〕2号 (十六)），"
            "把疑点存入疑点表供人工复核，并按检查项打印中文汇总。疑点只提示复核，不拒绝、不暂停任何发放。"
            "重复运行不会产生重复疑点。导出疑点：jiuye export flags。"
        ),
    )
    p.add_argument("--as-of", metavar="YYYY-MM", help="数据完整的最后月份（默认：数据中最近的月份）")
    p.add_argument(
        "--check", action="append", metavar="检查项",
        help="只运行这些检查（可多次给出）：double_claim dual_insurance incompatible after_death after_hukou_move "
        "after_deregistration excluded_employer outside_district churning shared_contact employer_shared_contact "
        "invalid_id invalid_credit_code amount_above_cap months_above_cap",
    )  # fmt: skip
    p.add_argument("--include-approved", action="store_true", help="同时检查已审核待发放的应享待遇")
    p.add_argument("--dry-run", action="store_true", help="只显示结果，不写入疑点表")
    add_actor_option(p)
    add_db_option(p)
    p.set_defaults(handler=_supervise)

    f = subparsers.add_parser(
        "flag",
        help="复核资金监管疑点：确认（confirmed）、排除（dismissed）或重新打开（open），写入审计日志",
    )
    f.add_argument("flag_id", type=int, metavar="疑点编号")
    f.add_argument("state", choices=("confirmed", "dismissed", "open"), metavar="状态",
                   help="confirmed 已确认 / dismissed 已排除 / open 重新打开")  # fmt: skip
    f.add_argument("--reason", required=True, metavar="意见", help="复核意见（必填）")
    add_actor_option(f, "复核人（默认 $JIUYE_USER 或登录名）")
    add_db_option(f)
    f.set_defaults(handler=_flag)


def _supervise(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.supervision import service
    from jiuye.supervision.checks import CHECK_TITLES

    as_of = month_arg(args.as_of, "--as-of") if args.as_of else None
    unknown = sorted(set(args.check or []) - set(CHECK_TITLES))
    if unknown:
        raise UserError(f"未知的检查项：{'、'.join(unknown)}。可用：{'、'.join(CHECK_TITLES)}")
    with write_session(args.db) as session:
        result = service.run(
            session, actor(args), as_of=as_of, only=args.check, include_approved=args.include_approved,
            store=not args.dry_run,
        )  # fmt: skip
        if args.dry_run:
            session.rollback()
    print(f"资金监管检查完成（批次 {result.run_id}）：共发现疑点 {result.flags.height} 条"
          + ("（试运行，未写入）" if args.dry_run else f"，其中新增 {result.new} 条"))  # fmt: skip
    width = max(len(t) for t in CHECK_TITLES.values())
    for name, (found, new) in result.by_check.items():
        title = CHECK_TITLES[name]
        pad = "\u3000" * (width - len(title))
        print(f"  {title}{pad}  {found:>7} 条  新增 {new:>6}  [{name}]")
    if result.flags.height:
        print(
            "疑点仅提示人工复核，不影响发放。查看明细：jiuye export flags；复核：jiuye flag 编号 confirmed|dismissed --reason 意见"
        )
    return 0


def _flag(args: argparse.Namespace) -> int:
    from jiuye.db import write_session
    from jiuye.rules.identifiers import mask_text
    from jiuye.supervision import service
    from jiuye.supervision.models import STATE_LABELS

    try:
        with write_session(args.db) as session:
            row = service.set_state(session, args.flag_id, args.state, actor(args), args.reason)
    except service.FlagError as exc:
        raise UserError(str(exc)) from exc
    print(
        f"疑点 {args.flag_id}（{row['check']}，{mask_text(str(row['subject_id']))}）已改为“{STATE_LABELS[args.state]}”，已记入审计日志。"
    )
    return 0
