"""What each job kind does: the CLI command's service, in the CLI command's kind of transaction.

Each task gets the database URL, the job's parameters, the user (scope) and a progress callback, and
returns ``(message, result)``; a :class:`jiuye.errors.UserError` fails the job with its Chinese message.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jiuye.errors import BAD_INPUT, UserError

Progress = Callable[[int, int, str | None], None]


def month_of(text: object, field: str = "month") -> dt.date:
    """A month typed into a form, a query or a job's parameters: ``2026-10`` → 2026-10-01; a Chinese error
    naming ``field`` otherwise (the one reading of the web's months)."""
    from jiuye.rules.dates import parse_month

    try:
        return parse_month(str(text).strip())
    except (ValueError, TypeError) as exc:
        raise UserError(f"月份格式不对：{text}（应为“年-月”，例如 2026-10）。", BAD_INPUT, field) from exc


def files_dir() -> Path:
    """Where payment files and uploaded imports are kept (outside the static web root)."""
    return Path(os.environ.get("JIUYE_FILES_DIR") or "out/web-files").resolve()


def _ws(url: str) -> Any:
    from jiuye.db import write_session

    return write_session(url, check=False)


def match(url: str, params: dict[str, Any], user: Any, progress: Progress) -> tuple[str, dict[str, Any]]:
    from functools import partial

    from jiuye.accounts.scope import policies_in_scope
    from jiuye.db import write_session
    from jiuye.matching.service import run_match
    from jiuye.matching.sources import RegistrySource
    from jiuye.parameters.service import stored_overrides
    from jiuye.rules.catalog import all_measures

    month_from, month_to = month_of(params["month_from"]), month_of(params["month_to"])
    if month_from > month_to:
        raise UserError("起始月份晚于截止月份。", BAD_INPUT, "month_from")
    mine = set(policies_in_scope(user))
    measures = tuple(m for m in all_measures() if m.id in mine)
    with _ws(url) as s:
        overrides = stored_overrides(s)
    result = run_match(partial(write_session, url, check=False), RegistrySource, month_from, month_to,
                       measures=measures, actor=user.actor, parameters=overrides or None, full=bool(params.get("full")),
                       progress=lambda done, total, _n: progress(done, total, f"第 {done}/{total} 批"))  # fmt: skip
    t = result.totals
    resumed = f"（从第 {result.resumed_from + 1} 批续跑）" if result.resumed_from else ""
    msg = (f"匹配运行 {result.run_id}{resumed}：{result.people} 人，新发现 {t.inserted} 条，变更 {t.changed} 条，"
           f"撤销 {t.withdrawn} 条。匹配不发放，请审核后发放。")  # fmt: skip
    return msg, {
        "run_id": result.run_id,
        "people": result.people,
        "policies": [m.id for m in measures],
        "inserted": t.inserted,
        "changed": t.changed,
        "withdrawn": t.withdrawn,
    }


def approve(url: str, params: dict[str, Any], user: Any, progress: Progress) -> tuple[str, dict[str, Any]]:
    from jiuye.accounts.scope import policies_in_scope
    from jiuye.ledger.service import approve_month, settings

    month = month_of(params["month"])
    chosen = params.get("policy")
    with _ws(url) as s:
        current = settings(s)
        wanted = [p for p in policies_in_scope(user) if current[p].auto and (chosen is None or p == chosen)]
        if chosen is not None and chosen not in wanted:
            raise UserError(f"政策 {chosen} 不在您的辖区或未设为免申即享。", BAD_INPUT, "policy")
        counts: dict[str, int] = {}
        for i, policy in enumerate(wanted):
            counts |= approve_month(s, month, user.actor, policy)
            progress(i + 1, len(wanted), policy)
    total = sum(counts.values())
    return f"共核准 {total} 条（免申即享，{month:%Y-%m} 及以前）。", {"counts": counts, "total": total}


def pay(url: str, params: dict[str, Any], user: Any, progress: Progress) -> tuple[str, dict[str, Any]]:
    from jiuye.accounts.scope import policies_in_scope
    from jiuye.ledger.service import pay as pay_service

    month = month_of(params["month"])
    with _ws(url) as s:
        batch = pay_service(s, month, user.actor, files_dir() / "payments", policies=policies_in_scope(user))
    progress(1, 1, None)
    return (f"发放批次 {batch.id}：{batch.lines} 笔，合计 {batch.total_fen // 100}.{batch.total_fen % 100:02d} 元。",
            {"batch_id": batch.id, "lines": batch.lines, "total_fen": batch.total_fen})  # fmt: skip


def supervise(url: str, params: dict[str, Any], user: Any, progress: Progress) -> tuple[str, dict[str, Any]]:
    from jiuye.accounts.scope import DISTRICT_LABELS
    from jiuye.supervision.service import run

    with _ws(url) as s:
        result = run(s, user.actor, district=user.district)
    progress(1, 1, None)
    return (f"{DISTRICT_LABELS.get(user.district, user.district)}检查完成：新发现疑点 {result.new} 条，复现 {result.refreshed} 条。",
            {"new": result.new, "refreshed": result.refreshed,
             "by_check": {k: list(v) for k, v in result.by_check.items()}})  # fmt: skip


def import_files(
    url: str, params: dict[str, Any], user: Any, progress: Progress
) -> tuple[str, dict[str, Any]]:
    from jiuye import db
    from jiuye.registry.importing.readers import ReadError
    from jiuye.registry.importing.scope import UploadScope
    from jiuye.registry.importing.service import ImportRejected, run_import

    paths = [Path(p) for p in params["files"]]
    base = files_dir() / "imports"
    if any(base not in p.resolve().parents for p in paths):
        raise UserError("导入文件不在上传目录中。", BAD_INPUT, "file")
    try:
        result = run_import(paths, db.get_engine(url), by_user=user.actor, forced_table=params.get("table"),
                            scope=UploadScope(user.district, user.town))  # only rows of the uploader's district/town
    except ReadError as exc:
        raise UserError(str(exc), BAD_INPUT, "file") from exc
    except ImportRejected as exc:
        problems = exc.problems.head(1000).to_dicts()
        raise JobRejected(
            f"校验发现 {exc.problems.height} 个问题，整批拒绝，数据库未作任何修改。",
            {
                "problems": [{k: (None if v is None else str(v)) for k, v in r.items()} for r in problems],
                "problem_count": exc.problems.height,
            },
        ) from exc
    progress(1, 1, None)
    tables = [{"table": t.table, "inserted": t.counts.inserted, "updated": t.counts.updated,
               "unchanged": t.counts.unchanged} for t in result.tables]  # fmt: skip
    n = sum(int(t["inserted"]) + int(t["updated"]) for t in tables)  # type: ignore[call-overload]
    return f"导入完成（{result.import_id}）：写入 {n} 行。", {"import_id": result.import_id, "tables": tables}


class JobRejected(UserError):
    """A job refused with details to show (e.g. the row errors of an import)."""

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message, BAD_INPUT)
        self.details = details


TASKS: dict[str, Callable[[str, dict[str, Any], Any, Progress], tuple[str, dict[str, Any]]]] = {
    "match": match, "approve": approve, "pay": pay, "supervise": supervise, "import": import_files,
}  # fmt: skip
