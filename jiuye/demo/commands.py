"""``jiuye demo-data`` — a synthetic demo district (docs/demo-data.md)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from jiuye.cliargs import add_db_option, month_arg, whole_number

# a district is under a million residents (2020 census: Jinshan 822,776, Chongming 637,921); twice that is the
# largest registry the generator is asked for — 10^14 persons ran out of memory (an internal error)
MAX_PERSONS = 2_000_000


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "demo-data",
        help="生成一个模拟区（金山或崇明）的登记数据：写入数据库，或用 --out 写成导入用的 CSV 文件",
        description=(
            "生成模拟登记数据：中文姓名、有效的身份证号码和统一社会信用代码、本区真实街镇、年龄结构、"
            "学历、劳动合同与逐月社保缴费、失业登记、灵活就业、见习、证书、各类用人单位和机构；"
            "并为每项政策埋设符合条件的人员和临界值两侧的“险些符合”人员（见 docs/demo-data.md）。"
            "同一随机种子得到完全相同的数据。"
        ),
    )
    p.add_argument("--district", choices=("jinshan", "chongming"), default="jinshan", help="模拟的区（默认 jinshan）")
    p.add_argument("--persons", type=whole_number(1, MAX_PERSONS, "人数"), default=10_000, metavar="N",
                   help=f"人数（1–{MAX_PERSONS}，默认 10000）")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子（默认 1）")
    p.add_argument(
        "--reference-month", metavar="YYYY-MM", default=None,
        help="基准月：社保缴费记录截至其前一个月，共24个月（默认 2026-11）",
    )  # fmt: skip
    p.add_argument("--out", type=Path, metavar="DIR", default=None, help="不写数据库，改为在该目录写导入用 CSV 文件")
    add_db_option(p)
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(handler=_handle)


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def _handle(args: argparse.Namespace) -> int:
    from jiuye.errors import UserError

    reference = None
    if args.reference_month is not None:
        reference = month_arg(args.reference_month, "--reference-month")
        if reference < dt.date(2025, 1, 1):
            raise UserError("--reference-month 不能早于 2025-01（24个月的缴费记录须在2023年政策生效之后）")

    engine = None
    if args.out is None:
        from jiuye import db

        engine = db.check_ready(args.db)  # before generating: a missing database fails fast

    from jiuye.demo.base import DemoConfig
    from jiuye.demo.district import generate
    from jiuye.demo.files import (
        registry_frames,
        storable,
        write_csv,
        write_database,
        write_payments_csv,
    )

    config = DemoConfig(district=args.district, persons=args.persons, seed=args.seed)
    if reference is not None:
        config = dataclasses.replace(config, reference_month=reference)
    started = time.monotonic()
    try:
        data = generate(config)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    _say(args, f"已生成 {args.persons:,} 人的模拟数据（{time.monotonic() - started:.1f} 秒）")
    frames = registry_frames(data)
    frames, dropped = storable(frames)
    if dropped:
        _say(args, "提示：登记库的“注册所在区”为必填，外省市用人单位及其合同、缴费记录未写入："
             + "，".join(f"{t} {n:,} 行" for t, n in dropped.items()))  # fmt: skip

    if args.out is not None:
        try:
            written = write_csv(frames, args.out)
            payments = write_payments_csv(data, args.out)
        except OSError as exc:
            raise UserError(f"无法写入目录 {args.out}：{exc.strerror}") from exc
        for path, rows in written:
            _say(args, f"  {path}：{rows:,} 行")
        _say(args, f"  {payments}：已发放记录（不属于登记库，供台账使用）")
        print(f"已写入 {len(written)} 个导入文件到 {args.out}（{time.monotonic() - started:.1f} 秒）。"
              f"导入：jiuye import {args.out}/*.csv")  # fmt: skip
        return 0

    assert engine is not None
    from jiuye.registry.importing.report import ProgressReporter

    progress = ProgressReporter(sys.stderr, quiet=args.quiet)

    def report(table: str, done: int, total: int) -> None:
        progress.rows(f"写入 {table}", done, total)

    with engine.begin() as conn:
        counts = write_database(conn, frames, progress=report)
    total = sum(counts.values())
    print(f"已写入数据库：{len(counts)} 张表，共 {total:,} 行（{time.monotonic() - started:.1f} 秒）")
    return 0
