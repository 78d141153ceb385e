"""Pages and API of the parameters room: dated values with sources, a what-if preview, an audited save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from jiuye.accounts.scope import policies_in_scope
from jiuye.accounts.web import Ctx, staff
from jiuye.errors import NOT_FOUND, UserError
from jiuye.parameters import service
from jiuye.webkit.render import render, yuan

router = APIRouter(tags=["参数"])
api = APIRouter(prefix="/api/v1", tags=["参数"])


class DatedOut(BaseModel):
    since: str
    value: str | None
    source: str


class ParameterOut(BaseModel):
    name: str
    label: str
    unit: str
    values: list[DatedOut]


class MeasureParametersOut(BaseModel):
    measure: str
    title: str
    window_from: str
    window_to: str | None
    parameters: list[ParameterOut]


def _in_scope(ctx: Ctx, measure: str) -> None:
    if measure not in policies_in_scope(ctx.user):
        raise UserError(f"政策 {measure} 不在您的辖区。", NOT_FOUND, "measure")


def measure_out(ctx: Ctx, measure: str) -> MeasureParametersOut:
    from jiuye.rules.catalog import get_measure

    _in_scope(ctx, measure)
    with ctx.read() as s:
        p = service.effective(s, measure)
    return MeasureParametersOut(
        measure=measure, title=get_measure(measure).meta.title, window_from=f"{p.window.start:%Y-%m}",
        window_to=None if p.window.end is None else f"{p.window.end:%Y-%m}",
        parameters=[ParameterOut(name=k, label=v.label, unit=v.unit,
                                 values=[DatedOut(since=str(d.since), value=None if d.value is None else str(d.value),
                                                  source=d.source) for d in v.values])
                    for k, v in p.parameters.items()],
    )  # fmt: skip


@router.get("/parameters", include_in_schema=False)
def parameters_page(request: Request, ctx: Ctx = Depends(staff("parameters"))) -> Response:
    from jiuye.rules.catalog import get_measure

    rows = []
    with ctx.read() as s:
        for m in policies_in_scope(ctx.user):
            p = service.effective(s, m)
            pending = [v.label for v in p.parameters.values() if v.unit == "yuan" and p.get(v.name) is None]
            rows.append({"measure": m, "title": get_measure(m).meta.title, "pending": pending})
    return render(request, "parameters.html", {"title": "参数", "rows": rows})


@router.get("/parameters/{measure}", include_in_schema=False)
def measure_page(request: Request, measure: str, ctx: Ctx = Depends(staff("parameters"))) -> Response:
    m = measure_out(ctx, measure)
    return render(request, "measure_parameters.html", {"title": f"参数：{measure}", "m": m, "form": {},
                                                       "default_since": f"{dt.date.today():%Y-%m}-01"})  # fmt: skip


class ChangeIn(BaseModel):
    name: str = Field(max_length=64)
    since: dt.date
    value: str = Field(max_length=32, description="元，最多两位小数")
    source: str = Field(max_length=500)


class PreviewOut(BaseModel):
    measure: str
    name: str
    since: str
    value: str
    month_from: str
    month_to: str
    lines_affected: int
    subjects_affected: int
    fen_before: int
    fen_after: int
    fen_difference: int
    pending_before: int
    by_month: list[dict[str, Any]]


def _preview(ctx: Ctx, measure: str, name: str, since: Any, value: str, source: str) -> PreviewOut:
    _in_scope(ctx, measure)
    change = service.parse_change(measure, name, since, value, source)
    to = dt.date.today().replace(day=1)
    with ctx.read() as s:
        pv = service.preview(s, change, to)
    return PreviewOut(
        measure=measure, name=name, since=str(change.since), value=str(change.value), month_from=f"{pv.month_from:%Y-%m}",
        month_to=f"{pv.month_to:%Y-%m}", lines_affected=pv.lines_affected, subjects_affected=pv.subjects_affected,
        fen_before=pv.fen_before, fen_after=pv.fen_after, fen_difference=pv.fen_difference, pending_before=pv.pending_before,
        by_month=[{"month": f"{r['month']:%Y-%m}", "lines": int(r["lines"]), "fen_before": int(r["fen_before"]),
                   "fen_after": int(r["fen_after"])} for r in pv.by_month],
    )  # fmt: skip


@router.post("/parameters/{measure}/preview", include_in_schema=False)
def preview_submit(
    request: Request, measure: str, name: str = Form(...), since: str = Form(...), value: str = Form(...),
    source: str = Form(""), ctx: Ctx = Depends(staff("parameters")),
) -> Response:  # fmt: skip
    pv = _preview(ctx, measure, name, since, value, source)
    m = measure_out(ctx, measure)
    return render(request, "measure_parameters.html", {
        "title": f"参数：{measure}", "m": m, "pv": pv, "form": {"name": name, "since": since, "value": value, "source": source},
        "default_since": since, "yuan": yuan})  # fmt: skip


@router.post("/parameters/{measure}", include_in_schema=False)
def save_submit(
    measure: str, name: str = Form(...), since: str = Form(...), value: str = Form(...), source: str = Form(""),
    ctx: Ctx = Depends(staff("parameters")),
) -> Response:  # fmt: skip
    _save(ctx, measure, name, since, value, source)
    return RedirectResponse(f"/parameters/{measure}?saved=1", status_code=303)


def _save(ctx: Ctx, measure: str, name: str, since: Any, value: str, source: str) -> int:
    _in_scope(ctx, measure)
    change = service.parse_change(measure, name, since, value, source)
    with ctx.write() as s:
        return service.set_value(s, change, ctx.user.actor)


@api.get(
    "/parameters/{measure}",
    response_model=MeasureParametersOut,
    summary="一项政策的参数（按日期生效的值及来源）",
)
def measure_api(measure: str, ctx: Ctx = Depends(staff("parameters"))) -> Any:
    return measure_out(ctx, measure)


@api.post(
    "/parameters/{measure}/preview",
    response_model=PreviewOut,
    summary="设定参数前的测算：影响多少待遇、多少金额",
)
def preview_api(measure: str, body: ChangeIn, ctx: Ctx = Depends(staff("parameters"))) -> Any:
    return _preview(ctx, measure, body.name, body.since, body.value, body.source)


class SavedOut(BaseModel):
    id: int
    message: str


@api.post("/parameters/{measure}", response_model=SavedOut, summary="设定参数值（自生效日期起；记入审计）")
def save_api(measure: str, body: ChangeIn, ctx: Ctx = Depends(staff("parameters"))) -> Any:
    new_id = _save(ctx, measure, body.name, body.since, body.value, body.source)
    return SavedOut(id=new_id, message="参数已设定；重新运行主动匹配后，台账按新值计算。")
