"""``jiuye match --from 2024-01 --to 2024-03``: proactive matching of the whole registry;
``jiuye entitlement ID``: one ledger line with its explanation, recomputed."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from jiuye.cliargs import add_db_option, month_arg, whole_number


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "match", help="主动匹配（政策找人）：对登记库全量计算应享待遇并记入台账，不发放"
    )
    p.add_argument("--from", dest="month_from", required=True, help="刷新的起始月份 YYYY-MM")
    p.add_argument("--to", dest="month_to", required=True, help="刷新的截止月份 YYYY-MM")
    p.add_argument("--policy", action="append", help="只匹配这些政策（可重复）")
    p.add_argument("--chunk-size", type=whole_number(1, 10_000_000, "每批人数"), default=50_000, help="每批人数（1–10000000，默认 50000）")
    p.add_argument("--full", action="store_true",
                   help="逐批全部重新核对（默认跳过输入未变的批次：登记库、发放记录、参数和程序版本均未变化）")
    add_db_option(p)
    p.set_defaults(handler=_match)

    sh = subparsers.add_parser("entitlement", help="查看一条待遇及其依据（按登记库现有事实重算）")
    sh.add_argument("id", type=int, help="待遇编号")
    add_db_option(sh)
    sh.set_defaults(handler=_entitlement)


class _Progress:
    """rich progress bar (people/s, ETA) on a terminal; plain log lines otherwise."""

    def __init__(self, people: int) -> None:
        self.people, self.done, self.start = people, 0, time.monotonic()
        self.bar: Any = None
        if sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("匹配"), BarColumn(), TextColumn("{task.completed}/{task.total} 人"),
                                TextColumn("{task.fields[rate]} 人/秒"), TextColumn("预计剩余"), TimeRemainingColumn(),
                                transient=True)  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("match", total=max(people, 1), rate="-")

    def __call__(self, chunk: int, chunks: int, people: int) -> None:
        self.done += people
        rate = self.done / max(time.monotonic() - self.start, 1e-6)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, rate=f"{rate:,.0f}")
        else:
            left = (self.people - self.done) / rate if rate else 0
            print(f"第 {chunk}/{chunks} 批完成：{self.done}/{self.people} 人，{rate:,.0f} 人/秒，预计剩余 {left:.0f} 秒",
                  file=sys.stderr, flush=True)  # fmt: skip

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _match(args: argparse.Namespace) -> int:
    from functools import partial

    from jiuye.cliargs import default_actor
    from jiuye.db import check_ready, write_session
    from jiuye.errors import UserError
    from jiuye.matching.service import run_match
    from jiuye.matching.sources import RegistrySource
    from jiuye.rules.catalog import all_measures

    month_from, month_to = month_arg(args.month_from, "--from"), month_arg(args.month_to, "--to")
    if month_from > month_to:
        raise UserError("起始月份晚于截止月份。", 2)
    measures = all_measures()
    if args.policy:
        unknown = sorted(set(args.policy) - {m.id for m in measures})
        if unknown:
            raise UserError(f"未知的政策编号：{'、'.join(unknown)}。", 4)
        measures = tuple(m for m in measures if m.id in args.policy)
    check_ready(args.db)
    from jiuye.ledger.service import bureau_district

    with write_session(args.db) as s:
        district = bureau_district(s)
        people = len(RegistrySource(s).person_ids())
    other = sorted(m.id for m in measures if not district.covers(m.district))
    if args.policy and other:
        raise UserError(f"本局所在区为{district.label}，不匹配其他区文件的政策：{'、'.join(other)}"
                        "（见 jiuye settings district）。", 4)  # fmt: skip
    if district.district != "all":
        print(f"本局所在区：{district.label}，只匹配本区文件的政策（jiuye settings district）。")
    progress = _Progress(people)
    try:
        result = run_match(partial(write_session, args.db), RegistrySource,
                           month_from, month_to, measures=measures, chunk_size=args.chunk_size,
                           progress=progress, full=args.full, actor=f"命令行 {default_actor()}")  # fmt: skip
    finally:
        progress.close()
    t = result.totals
    resumed = f"（从第 {result.resumed_from + 1} 批续跑）" if result.resumed_from else ""
    print(f"匹配运行 {result.run_id}{resumed}：{result.people} 人，{result.chunks} 批；"
          f"新发现 {t.inserted} 条，变更 {t.changed} 条，撤销 {t.withdrawn} 条。匹配不发放，请核准后运行 jiuye pay。")  # fmt: skip
    return 0


def _entitlement(args: argparse.Namespace) -> int:
    import json

    from jiuye.db import session_scope
    from jiuye.matching.explain import explain
    from jiuye.rules.identifiers import mask_text

    with session_scope(args.db, check=True) as s:
        data = explain(s, args.id)
    print(mask_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)))  # masking policy: IDs, accounts
    return 0
