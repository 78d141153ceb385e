"""Enqueue, claim, finish and read jobs (services take the session and never commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.audit.service import record
from jiuye.errors import CONFLICT, NOT_FOUND, UserError
from jiuye.jobs.models import jobs

KIND_LABELS = {"match": "主动匹配", "approve": "批量核准（免申即享）", "pay": "生成发放批次", "supervise": "资金监管检查",
               "import": "导入数据"}  # fmt: skip


def enqueue(
    session: Session, kind: str, params: dict[str, Any], user: Any, lock_key: str | None = None
) -> int:
    """Queue a job; refuses when a job with the same ``lock_key`` is queued or running."""
    if lock_key is not None:
        busy = session.execute(
            sa.select(jobs.c.id).where(jobs.c.lock_key == lock_key, jobs.c.state.in_(["queued", "running"]))
        ).first()
        if busy is not None:
            raise UserError(f"已有一个相同的任务（编号 {busy[0]}）正在排队或进行中，请等它完成。", CONFLICT)
    job_id = session.execute(
        sa.insert(jobs).values(kind=kind, lock_key=lock_key, params=params, state="queued", progress=0, total=0,
                               created_by=user.actor, user_id=user.id, district=user.district, town=user.town)
        .returning(jobs.c.id)
    ).scalar_one()  # fmt: skip
    record(session, user.actor, "job.queue", "jobs", int(job_id), None, "queued", KIND_LABELS.get(kind, kind),
           {"kind": kind, "params": params})  # fmt: skip
    return int(job_id)


def has_queued(session: Session) -> bool:
    return session.execute(sa.select(jobs.c.id).where(jobs.c.state == "queued").limit(1)).first() is not None


def claim_next(session: Session) -> dict[str, Any] | None:
    """Take the oldest queued job (guarded: ``WHERE state='queued'``; SKIP LOCKED on PostgreSQL)."""
    stmt = sa.select(jobs.c.id).where(jobs.c.state == "queued").order_by(jobs.c.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = session.execute(stmt).first()
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC)
    claimed = session.execute(
        sa.update(jobs).where(jobs.c.id == row[0], jobs.c.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now).returning(*jobs.c)
    ).mappings().first()  # fmt: skip
    return None if claimed is None else dict(claimed)


def claim(session: Session, job_id: int) -> dict[str, Any] | None:
    """Take the job ``job_id`` if it is still queued (guarded update: it runs once)."""
    now = dt.datetime.now(dt.UTC)
    claimed = session.execute(
        sa.update(jobs).where(jobs.c.id == job_id, jobs.c.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now).returning(*jobs.c)
    ).mappings().first()  # fmt: skip
    return None if claimed is None else dict(claimed)


def finish(
    session: Session, job_id: int, ok: bool, message: str, result: dict[str, Any] | None, actor: str
) -> None:
    state = "done" if ok else "failed"
    session.execute(
        sa.update(jobs).where(jobs.c.id == job_id, jobs.c.state == "running")
        .values(state=state, message=message, result=result, finished_at=dt.datetime.now(dt.UTC))
    )  # fmt: skip
    record(session, actor, "job.finish", "jobs", job_id, "running", state, message)


def progress(session: Session, job_id: int, done: int, total: int, message: str | None = None) -> None:
    values: dict[str, Any] = {"progress": done, "total": total, "heartbeat_at": dt.datetime.now(dt.UTC)}
    if message is not None:
        values["message"] = message
    session.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.state == "running").values(**values))


def alive_lock(job_id: int) -> str:
    """Name of the lock a worker holds while it runs the job (PostgreSQL; see :func:`fail_stale`)."""
    return f"jiuye-job:{job_id}"


def fail_stale(session: Session, older_than: dt.timedelta | None) -> int:
    """Running jobs whose worker died: SQLite (one server process per file) every running job at start
    (``older_than`` None); PostgreSQL those whose worker no longer holds the job's lock (its process
    ended — killed or not — so its session and lock are gone), or without a heartbeat for ``older_than``."""
    from jiuye.db import named_lock_free

    cond = jobs.c.state == "running"
    if older_than is not None:
        running = [int(r[0]) for r in session.execute(sa.select(jobs.c.id).where(cond))]
        dead = [i for i in running if named_lock_free(session, alive_lock(i))]
        cond = sa.and_(cond, sa.or_(jobs.c.id.in_(dead), jobs.c.heartbeat_at < dt.datetime.now(dt.UTC) - older_than))
    result = session.execute(
        sa.update(jobs).where(cond).values(
            state="failed", finished_at=dt.datetime.now(dt.UTC),
            message="任务进程中断；它的事务已回滚，没有留下半成品，可以重新发起（匹配会从已完成的批次续跑）。")
    )  # fmt: skip
    return int(getattr(result, "rowcount", 0) or 0)


def get(session: Session, job_id: int, user: Any) -> dict[str, Any]:
    """A job of the user's district (and town): others' jobs are not found."""
    cond = [jobs.c.id == job_id, jobs.c.district == user.district]
    if user.town is not None:
        cond.append(jobs.c.user_id == user.id)
    row = session.execute(sa.select(jobs).where(*cond)).mappings().first()
    if row is None:
        raise UserError(f"找不到任务 {job_id}。", NOT_FOUND)
    return dict(row)


def recent(session: Session, user: Any, limit: int = 20) -> list[dict[str, Any]]:
    cond = [jobs.c.district == user.district]
    if user.town is not None:
        cond.append(jobs.c.user_id == user.id)
    rows = session.execute(sa.select(jobs).where(*cond).order_by(jobs.c.id.desc()).limit(limit)).mappings()
    return [dict(r) for r in rows]
