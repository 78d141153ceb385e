"""Pages of residents and employers (``/my/…``: register, log in, their applications and 免申即享 lines)
and the staff's review of applications (``/review/applications``, in the review queue).

Every query of an applicant is filtered by the logged-in applicant (:func:`service.own_application`);
every form carries a CSRF token; files are served only to their applicant and to staff in scope.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from jiuye.accounts.scope import mask_bank, mask_id, mask_text, policies_in_scope, shown_id
from jiuye.accounts.web import Ctx, db_url, staff, write_session
from jiuye.applications import service, uploads
from jiuye.applications.identity import provider
from jiuye.applications.web import (
    COOKIE,
    ApplicantCtx,
    applicant,
    check_public,
    public_token,
    reader,
    set_login_cookie,
    with_public_cookie,
)
from jiuye.errors import BAD_INPUT, CONFLICT, NOT_FOUND, UserError
from jiuye.webkit.digits import ascii_digits
from jiuye.webkit.render import render, yuan

router = APIRouter(tags=["群众和单位"])

MAX_REQUEST_BYTES = uploads.MAX_BYTES * 2 + 256 * 1024  # a form with two documents at most, plus text
ENT_STATE_LABELS = {"found": "待核准", "approved": "已核准，待发放", "rejected": "未发放", "in_batch": "发放中",
                    "paid": "已发放", "reversed": "已追回", "withdrawn": "已撤销"}  # fmt: skip


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/my") or value.startswith("//") or "\\" in value:
        return "/my"
    return value


def _public(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    ctx = {"csrf_public": public_token(request), **context}
    return with_public_cookie(request, render(request, template, ctx, status_code=status_code))


# --- register, login, logout ----------------------------------------------------------------------
@router.get("/my/register", include_in_schema=False)
def register_page(request: Request) -> Response:
    return _public(request, "register.html", {"title": "注册", "v": {}, "can_register": provider().can_register})


@router.post("/my/register", include_in_schema=False)
def register_submit(
    request: Request, kind: str = Form(""), identifier: str = Form(""), name: str = Form(""), phone: str = Form(""),
    password: str = Form(""), password2: str = Form(""), csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    check_public(request, csrf_token)
    values = {"kind": kind, "identifier": identifier[:30], "name": name[:100], "phone": phone[:20]}
    try:
        if password != password2:
            raise UserError("两次输入的密码不一致。", BAD_INPUT, "password2")
        with write_session(db_url(request)) as s:
            ident = provider().register(s, kind, identifier, name, phone, password)
            login = service.open_session(s, ident)
    except UserError as exc:
        return _public(request, "register.html", {"title": "注册", "v": values, "error": str(exc), "field": exc.field,
                                                  "can_register": True}, status_code=exc.http_status)  # fmt: skip
    done = RedirectResponse("/my?welcome=1", status_code=303)
    set_login_cookie(request, done, login.token)
    return done


@router.get("/my/login", include_in_schema=False)
def login_page(request: Request, next: str = "/my") -> Response:
    return _public(request, "my_login.html", {"title": "登录", "next": _safe_next(next)})


@router.post("/my/login", include_in_schema=False)
def login_submit(
    request: Request, identifier: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
    next: str = Form("/my"),
) -> Response:  # fmt: skip
    check_public(request, csrf_token)
    failure: UserError | None = None
    login = None
    with write_session(db_url(request)) as s:
        try:
            ident = provider().authenticate(s, identifier, password)
            login = service.open_session(s, ident)
        except UserError as exc:
            failure = exc  # the failure count is committed, then the error shown
    if failure is not None or login is None:
        assert failure is not None
        return _public(request, "my_login.html", {"title": "登录", "next": _safe_next(next), "error": str(failure),
                                                  "identifier": identifier[:18]}, status_code=failure.http_status)  # fmt: skip
    done = RedirectResponse(_safe_next(next), status_code=303)
    set_login_cookie(request, done, login.token)
    return done


@router.post("/my/logout", include_in_schema=False)
def logout_submit(actx: ApplicantCtx = Depends(applicant)) -> Response:
    with actx.write() as s:
        service.close_session(s, actx.token_hash)
    done = RedirectResponse("/policies", status_code=303)
    done.delete_cookie(COOKIE, path="/")
    return done


# --- my page --------------------------------------------------------------------------------------
def my_lines(session: Any, identifier: str) -> list[dict[str, Any]]:
    """The 免申即享 lines and approved applications of this applicant (as beneficiary or subject)."""
    from jiuye.ledger.models import entitlement_confirmations as ec
    from jiuye.ledger.models import entitlements as e

    rows = session.execute(
        sa.select(e.c.id, e.c.policy, e.c.month, e.c.amount_fen, e.c.amount_status, e.c.state, ec.c.decision,
                  ec.c.bank_account)
        .select_from(e.outerjoin(ec, ec.c.entitlement_id == e.c.id))
        .where(sa.or_(e.c.beneficiary == identifier, e.c.subject == identifier))
        .order_by(e.c.month.desc(), e.c.id.desc()).limit(200)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


@router.get("/my", include_in_schema=False)
def my_page(request: Request, welcome: str = "", done: str = "", actx: ApplicantCtx = Depends(applicant)) -> Response:
    from jiuye.ledger.service import settings
    from jiuye.rules.catalog import all_measures

    titles = {m.id: m.meta.title for m in all_measures()}
    with actx.read() as s:
        apps = service.list_own(s, actx.me)
        lines = my_lines(s, actx.me.identifier)
        current = settings(s)
        open_for = service.applicable(s)
        own = service.own_districts(s, actx.me)
    offered = {k: v for k, v in open_for.items() if service.may_apply_for(actx.me, v) is None}
    elsewhere = [v for v in offered.values() if service.district_problem(v, own)]  # G12: another district's
    for line in lines:
        line["title"] = titles.get(line["policy"], line["policy"])
        line["state_label"] = ENT_STATE_LABELS.get(line["state"], line["state"])
        line["needs_confirm"] = current[line["policy"]].confirm if line["policy"] in current else False
        line["bank_masked"] = mask_bank(line["bank_account"])
        line["can_confirm"] = line["needs_confirm"] and line["decision"] is None and line["state"] in ("found", "approved")
    flash = {"1": "注册成功，欢迎使用。"}.get(welcome) or {
        "confirmed": "已确认领取，将在下一批次发放。", "declined": "已放弃领取。", "withdrawn": "申请已撤回。"}.get(done)  # fmt: skip
    return render(request, "my.html", {
        "title": "我的", "me_masked": mask_id(actx.me.identifier) if actx.me.kind == "resident" else actx.me.identifier,
        "apps": apps, "titles": titles, "labels": service.STATE_LABELS, "lines": lines, "yuan": yuan, "flash": flash,
        "open_for": {k: (v.meta.title, tie_note(v, own, actx.me.kind)) for k, v in offered.items() if v not in elsewhere},
        "elsewhere": elsewhere_note(elsewhere, own, actx.me.kind),
    })  # fmt: skip


def tie_note(measure: Any, own: dict[str, str | None] | None, kind: str) -> str:
    """For a measure of another district offered all the same (it ties to its district through someone else: the
    employer of a resident, the organisation applied for — G12), what must be in that district."""
    if not own or own.get(service.OWN_SENSES[kind][0]) == measure.district:
        return ""
    from jiuye.rules.facts import DISTRICT_NAMES

    return f"{DISTRICT_NAMES[measure.district]}政策：须" + "，".join(measure.district_senses().values())


def elsewhere_note(measures: list[Any], own: dict[str, str | None] | None, kind: str) -> str | None:
    """Why the measures of another district's document are not in the list (G12), in one sentence."""
    from jiuye.rules.facts import DISTRICT_NAMES

    if not measures or not own:
        return None
    districts = "、".join(sorted({DISTRICT_NAMES[m.district] for m in measures}))
    sense = service.OWN_SENSES[kind][0]
    mine = DISTRICT_NAMES.get(own[sense] or "", "非本市")
    who = f"您登记的户籍在{mine}" if kind == "resident" else f"贵单位登记在{mine}"
    return (f"{who}，{districts}的 {len(measures)} 项政策只适用于该区的{'户籍人员' if kind == 'resident' else '单位'}"
            "，未列出（政策目录 G12）。")


@router.post("/my/entitlements/{entitlement_id}/confirm", include_in_schema=False)
def confirm_submit(
    entitlement_id: int, decision: str = Form(""), bank_account: str = Form(""),
    actx: ApplicantCtx = Depends(applicant),
) -> Response:  # fmt: skip
    from jiuye.ledger.models import entitlements as e
    from jiuye.ledger.service import confirm_line
    from jiuye.rules.identifiers import bank_account_problem, normalize_bank_account

    account = normalize_bank_account(bank_account)  # the import's rule: full-width digits of an IME, spaces, hyphens
    if decision == "confirmed" and (problem := bank_account_problem(account)):
        raise UserError(f"请填写本人正确的银行账号：{problem}。", BAD_INPUT, "bank_account")
    with actx.write() as s:
        own = s.execute(sa.select(e.c.id, e.c.policy).where(e.c.id == entitlement_id, sa.or_(
            e.c.beneficiary == actx.me.identifier, e.c.subject == actx.me.identifier))).first()  # fmt: skip
        if own is None:
            raise UserError("找不到这笔待遇。", NOT_FOUND)
        service.check_may_confirm(s, actx.me, own.policy)
        confirm_line(s, entitlement_id, decision, actx.me.actor, account if decision == "confirmed" else None)
    return RedirectResponse(f"/my?done={decision}", status_code=303)


# --- applications ---------------------------------------------------------------------------------
def _measure(policy: str) -> Any:
    from jiuye.rules.catalog import get_measure

    try:
        return get_measure(policy)
    except KeyError as exc:
        raise UserError("没有这项政策。", NOT_FOUND) from exc


@router.get("/my/apply/{policy}", include_in_schema=False)
def apply_page(request: Request, policy: str, actx: ApplicantCtx = Depends(applicant)) -> Response:
    measure = _measure(policy)
    with actx.read() as s:
        open_for = service.applicable(s)
        own = service.own_districts(s, actx.me)
    problem = None
    if policy not in open_for:
        problem = "本政策为免申即享或无须申请：符合条件的，经办部门将主动发放。"
    problem = (problem or service.may_apply_for(actx.me, measure) or service.district_problem(measure, own)
               or service.window_problem(policy))  # fmt: skip
    return render(request, "apply.html", {"title": f"申请：{measure.meta.title}", "m": measure.meta,
                                          "fields": measure.form_fields(), "problem": problem})  # fmt: skip


@router.post("/my/apply/{policy}", include_in_schema=False)
def apply_start(policy: str, actx: ApplicantCtx = Depends(applicant)) -> Response:
    with actx.write() as s:
        new_id = service.create(s, actx.me, policy)
    return RedirectResponse(f"/my/applications/{new_id}", status_code=303)


def _application_page(request: Request, actx: ApplicantCtx, application_id: int, flash: str | None = None,
                      error: UserError | None = None, values: dict[str, str] | None = None) -> Response:  # fmt: skip
    with actx.read() as s:
        app = service.own_application(s, actx.me, application_id)
        files = service.files_of(s, application_id)
    measure = _measure(app["policy"])
    status = error.http_status if error else 200
    return render(request, "application.html", {
        "title": f"申请 {application_id}", "a": app, "m": measure.meta, "fields": measure.form_fields(),
        "v": {**(app["fields"] or {}), **(values or {})}, "files": files, "labels": service.STATE_LABELS,
        "flash": flash or (str(error) if error else None), "flash_kind": "error" if error else "",
        "error_field": error.field if error else None, "yuan": yuan, "max_mb": uploads.MAX_BYTES // 1024 // 1024,
        "districts": _districts(), "mask": mask_id, "dict": dict, "today": dt.date.today().isoformat(),
    }, status_code=status)  # fmt: skip


def _districts() -> dict[str, str]:
    from jiuye.rules.facts import DISTRICT_NAMES

    return dict(DISTRICT_NAMES)


@router.get("/my/applications/{application_id}", include_in_schema=False)
def application_page(request: Request, application_id: int, saved: str = "",
                     actx: ApplicantCtx = Depends(applicant)) -> Response:  # fmt: skip
    flash = {"draft": "草稿已保存。", "submitted": "申请已提交，请等待审核。审核结果会显示在这里。"}.get(saved)
    return _application_page(request, actx, application_id, flash)


def _refused_unread(request: Request) -> UserError | None:
    """Why the request is refused before its body is read: a length that is no number (a "²" passes
    ``str.isdigit()``, ``int()`` refuses it: a 500), or larger than a form with its documents may be."""
    length = request.headers.get("content-length")
    if not length:
        return None
    if not ascii_digits(length):
        return UserError("请求不完整（长度不对），没有保存：请重新提交。", BAD_INPUT)
    if not ascii_digits(length, most=18) or int(length) > MAX_REQUEST_BYTES:
        return UserError(f"上传的文件过大：每个文件不超过 {uploads.MAX_BYTES // 1024 // 1024} MB，请压缩后重新选择。",
                         BAD_INPUT, "file")  # fmt: skip
    return None


@router.post("/my/applications/{application_id}", include_in_schema=False)
async def application_save(request: Request, application_id: int) -> Response:
    """Save a draft (answers and any documents chosen), or submit it (``action=submit``)."""
    if refused := _refused_unread(request):  # shown on the application (its saved answers stay)
        return _application_page(request, reader(request), application_id, error=refused)
    actx = await applicant(request)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    error: UserError | None = None
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile) and value.filename:
                await _store_upload(actx, application_id, key, value)
        with actx.write() as s:
            state = service.save(s, actx.me, application_id, values, values.get("action") == "submit")
    except UserError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        error = exc
    if error is not None:
        return _application_page(request, actx, application_id, error=error, values=values)
    return RedirectResponse(f"/my/applications/{application_id}?saved={state}", status_code=303)


async def _store_upload(actx: ApplicantCtx, application_id: int, field: str, upload: UploadFile) -> None:
    import anyio

    with actx.read() as s:
        app = service.own_application(s, actx.me, application_id)  # 404 before anything is written
    if app["state"] != "draft":
        raise UserError("申请已提交，不能再上传材料。", CONFLICT)
    stored = await anyio.to_thread.run_sync(uploads.store, upload.file, upload.filename)
    try:
        with actx.write() as s:
            service.add_file(s, actx.me, application_id, field, stored)
    except BaseException:
        uploads.path_of(stored.stored_name).unlink(missing_ok=True)
        raise


@router.post("/my/applications/{application_id}/withdraw", include_in_schema=False)
def application_withdraw(application_id: int, actx: ApplicantCtx = Depends(applicant)) -> Response:
    with actx.write() as s:
        service.withdraw(s, actx.me, application_id)
    return RedirectResponse("/my?done=withdrawn", status_code=303)


def _file_response(row: dict[str, Any]) -> Response:
    path = uploads.path_of(row["stored_name"])
    if not path.is_file():
        raise UserError("文件不存在。", NOT_FOUND)
    ext = uploads.EXTENSIONS[row["content_type"]]
    return FileResponse(path, media_type=row["content_type"], filename=f"材料{row['id']}.{ext}",
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})  # fmt: skip


@router.get("/my/applications/{application_id}/files/{file_id}", include_in_schema=False)
def my_file(application_id: int, file_id: int, actx: ApplicantCtx = Depends(applicant)) -> Response:
    with actx.read() as s:
        service.own_application(s, actx.me, application_id)
        rows = [f for f in service.files_of(s, application_id) if f["id"] == file_id]
    if not rows:
        raise UserError("文件不存在。", NOT_FOUND)
    return _file_response(rows[0])


# --- staff review -----------------------------------------------------------------------------------
@router.get("/review/applications", include_in_schema=False)
def review_list(request: Request, state: str = "submitted", ctx: Ctx = Depends(staff("view"))) -> Response:
    from jiuye.rules.catalog import all_measures

    if state and state not in service.STATE_LABELS:
        raise UserError(f"没有这个状态：{state}。", BAD_INPUT, "state")
    with ctx.read() as s:
        rows = service.review_list(s, policies_in_scope(ctx.user), state or None, ctx.user)
    for r in rows:
        r["shown_id"] = shown_id(ctx.user, r["identifier"]) if r["kind"] == "resident" else r["identifier"]
    titles = {m.id: m.meta.title for m in all_measures()}
    return render(request, "review_applications.html", {"title": "点单式申请审核", "rows": rows, "titles": titles,
                                                        "labels": service.STATE_LABELS, "state": state})  # fmt: skip


@router.get("/review/applications/{application_id}", include_in_schema=False)
def review_detail(request: Request, application_id: int, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        app = service.for_review(s, application_id, policies_in_scope(ctx.user), ctx.user)
        files = service.files_of(s, application_id)
    measure = _measure(app["policy"])
    fields = measure.form_fields()
    shown = shown_id(ctx.user, app["identifier"]) if app["kind"] == "resident" else app["identifier"]
    # free text (the applicant's answers, the review opinion) may name a person: masked like every free text
    answers = dict(app.get("fields") or {})
    for f in fields:
        if f.type == "text" and isinstance(answers.get(f.name), str):
            answers[f.name] = mask_text(answers[f.name])
    app = app | {"fields": answers, "reason": mask_text(app.get("reason"))}
    return render(request, "review_application.html", {
        "title": f"申请 {application_id}", "a": app, "m": measure.meta, "fields": fields,
        "files": files, "labels": service.STATE_LABELS, "shown_id": shown, "yuan": yuan, "dict": dict,
        "extensions": uploads.EXTENSIONS,
        "mask": lambda v: shown_id(ctx.user, v),
        "phone": app["phone"][:3] + "****" + app["phone"][-4:],
    })  # fmt: skip


@router.get("/review/applications/{application_id}/files/{file_id}", include_in_schema=False)
def review_file(application_id: int, file_id: int, ctx: Ctx = Depends(staff("view"))) -> Response:
    with ctx.read() as s:
        service.for_review(s, application_id, policies_in_scope(ctx.user), ctx.user)
        rows = [f for f in service.files_of(s, application_id) if f["id"] == file_id]
    if not rows:
        raise UserError("文件不存在。", NOT_FOUND)
    return _file_response(rows[0])


@router.post("/review/applications/{application_id}", include_in_schema=False)
def review_decide(
    application_id: int, decision: str = Form(""), reason: str = Form(""), amount: str = Form(""),
    ctx: Ctx = Depends(staff("review")),
) -> Response:  # fmt: skip
    from jiuye.rules.money import yuan_to_fen

    amount_fen = None
    if decision == "approve":
        text = amount.strip().replace(",", "")
        if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", text):
            raise UserError("核准金额应为金额（元），最多两位小数，例如 5000 或 5000.50。", BAD_INPUT, "amount")
        amount_fen = yuan_to_fen(text)
    with ctx.write() as s:
        service.decide(s, application_id, decision, ctx.user.actor, reason, amount_fen, policies_in_scope(ctx.user),
                       ctx.user)
    return RedirectResponse(f"/review/applications/{application_id}", status_code=303)



# --- staff: publish a paid batch as a public notice (资金公示) -----------------------------------------
@router.post("/payments/batches/{batch_id}/notice", include_in_schema=False)
def publish_notice(batch_id: int, days: int = Form(7), ctx: Ctx = Depends(staff("pay"))) -> Response:
    import datetime as dt

    from jiuye.applications import notices

    with ctx.write() as s:
        notice_id = notices.publish(s, batch_id, dt.date.today(), days, ctx.user.actor, policies_in_scope(ctx.user))
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)


@router.get("/my/entitlements/{entitlement_id}", include_in_schema=False)
def my_entitlement(request: Request, entitlement_id: int, actx: ApplicantCtx = Depends(applicant)) -> Response:
    """One of my lines with its explanation (the engine re-run on the registry's facts)."""
    from jiuye.ledger.models import entitlements as e
    from jiuye.matching.explain import explain

    with actx.read() as s:
        row = s.execute(sa.select(e).where(e.c.id == entitlement_id, sa.or_(
            e.c.beneficiary == actx.me.identifier, e.c.subject == actx.me.identifier))).mappings().first()  # fmt: skip
        if row is None:
            raise UserError("找不到这笔待遇。", NOT_FOUND)
        granted = isinstance(row["explanation"], dict) and "application" in row["explanation"]
        data = {} if granted else explain(s, entitlement_id)  # an application's line: its reason is the review
    ex = data.get("explanation") or {}
    return render(request, "my_entitlement.html", {
        "title": data.get("title") or row["policy"], "row": dict(row), "ex": ex, "yuan": yuan,
        "state_label": ENT_STATE_LABELS.get(row["state"], row["state"]),
    })  # fmt: skip
