"""Job pages and API: start (called by the rooms' views), progress page, JSON status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from jiuye.accounts.web import Ctx, staff
from jiuye.jobs import service
from jiuye.jobs.worker import as_dict, submitted
from jiuye.webkit.render import is_api, render

router = APIRouter(tags=["后台任务"])
api = APIRouter(prefix="/api/v1", tags=["后台任务"])


class JobOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    progress: int
    total: int
    percent: int
    message: str | None
    result: dict[str, Any] | None
    created_by: str
    created_at: str
    finished_at: str | None


class JobStarted(BaseModel):
    job_id: int
    url: str
    message: str


def start_job(ctx: Ctx, kind: str, params: dict[str, Any], lock_key: str | None = None) -> Response:
    """Queue a job for the logged-in user; pages go to its progress page, the API answers 202."""
    with ctx.write() as s:
        job_id = service.enqueue(s, kind, params, ctx.user, lock_key)
    submitted(ctx.url, job_id)
    if is_api(ctx.request):
        body = JobStarted(job_id=job_id, url=f"/api/v1/jobs/{job_id}", message="任务已排队。")
        return JSONResponse(body.model_dump(), status_code=202)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/jobs", include_in_schema=False)
def jobs_page(request: Request, ctx: Ctx = Depends(staff("dashboard"))) -> Response:
    with ctx.read() as s:
        rows = [as_dict(j) for j in service.recent(s, ctx.user, 50)]
    return render(request, "jobs.html", {"title": "后台任务", "jobs": rows})


@router.get("/jobs/{job_id}", include_in_schema=False)
def job_page(request: Request, job_id: int, ctx: Ctx = Depends(staff("dashboard"))) -> Response:
    with ctx.read() as s:
        job = as_dict(service.get(s, job_id, ctx.user))
    return render(request, "job.html", {"title": f"任务 {job_id}", "job": job})


@api.get("/jobs/{job_id}", response_model=JobOut, summary="后台任务的状态与进度")
def job_api(job_id: int, ctx: Ctx = Depends(staff("dashboard"))) -> Any:
    with ctx.read() as s:
        return as_dict(service.get(s, job_id, ctx.user))
