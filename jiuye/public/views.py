"""Public pages (no login): the policy list (CM-17, JS-15), the self-check (政策计算器) and the public
notices of paid batches (资金公示) with a way to report a concern."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from jiuye.applications.web import check_public, maybe_applicant, public_token, with_public_cookie
from jiuye.errors import NOT_FOUND, UserError
from jiuye.public import selfcheck
from jiuye.webkit.digits import ascii_digits
from jiuye.webkit.render import render, yuan

router = APIRouter(tags=["公开页面"])

HOW_LABELS = {
    "auto": "免申即享：符合条件的主动发放，无须申请",
    "apply": "依申请：在网上提出申请，经办人员审核",
    "reviewer": "依申请：由经办人员审核认定",
}


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    ctx = {"applicant": maybe_applicant(request), "csrf_public": public_token(request), **context}
    return with_public_cookie(request, render(request, template, ctx, status_code=status_code))


def _settings(request: Request) -> tuple[dict[str, Any], list[Any]]:
    """The 免申即享 settings and the measures of the bureau's own document(s)."""
    from jiuye.accounts.web import db_url
    from jiuye.public.bureau import bureau

    now = bureau(db_url(request))
    return now.settings, now.measures


def _how(kind: str, auto: bool) -> str:
    if kind in ("reviewer", "application"):
        return "reviewer"
    return "auto" if auto else "apply"


def _not_for_applicant(request: Request, measures: list[Any]) -> dict[str, str]:
    """For a logged-in resident or employer: the measures not offered to them (another district's, G12; or for
    the other kind of applicant), each with the reason — their "网上申请" link is left out with the reason shown."""
    from jiuye.accounts.web import db_url, read_session
    from jiuye.applications import service

    ident = maybe_applicant(request)
    if ident is None:
        return {}
    with read_session(db_url(request)) as s:
        own = service.own_districts(s, ident)
    out = {}
    for m in measures:
        problem = service.may_apply_for(ident, m) or service.district_problem(m, own)
        if problem:
            out[m.id] = problem
    return out


def policy_rows(request: Request, group: str = "", q: str = "") -> list[dict[str, Any]]:
    from jiuye.rules.policy_list import policy_list

    current, measures = _settings(request)
    ours = {m.id for m in measures}
    refused = _not_for_applicant(request, measures)
    rows = []
    words = [w for w in q.replace("，", " ").split() if w][:5]
    for row in policy_list(group or None, with_parameters=True):
        if row["id"] not in ours or row["kind"] in ("rule", "indicator"):
            continue
        haystack = " ".join([row["id"], row["title"], row["summary"], row["quote"], *row["group_labels"]])
        if any(w.lower() not in haystack.lower() for w in words):
            continue
        row["how"] = _how(row["kind"], current[row["id"]].auto)
        row["how_label"] = HOW_LABELS[row["how"]]
        row["not_for_me"] = refused.get(row["id"])
        row["amount_text"] = amount_text(row)
        rows.append(row)
    return rows


def amount_text(row: dict[str, Any]) -> str:
    """The amounts the parameters give today, or 按市级标准 when the document leaves them to the city."""
    today = dt.date.today()
    if row["kind"] == "pending":
        return "按市级标准"
    if row["kind"] in ("reviewer", "application"):
        return "经审核认定，按评定结果或市级标准核定金额"
    parts = []
    for par in row.get("parameters") or []:
        if par.get("unit") != "yuan":
            continue
        current = [v for v in par["values"] if dt.date.fromisoformat(v["since"]) <= today] or par["values"][:1]
        value = current[-1]["value"] if current else None
        label, _, unit = str(par["label"]).partition("（")
        per = unit.rstrip("）").removeprefix("元") if unit.startswith("元") else ""
        parts.append(f"{label} {value:,} 元{per}" if isinstance(value, int) else f"{label} 按市级标准")
    return "；".join(parts) or "见政策原文"


@router.get("/policies", include_in_schema=False)
def policies_page(request: Request, group: str = "", q: str = "") -> Response:
    from jiuye.rules.measure import GROUP_LABELS

    group = group if group in GROUP_LABELS else ""
    q = q[:50]
    rows = policy_rows(request, group, q)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        first = group or row["groups"][0]
        grouped.setdefault(first, []).append(row)
    order = [g for g in GROUP_LABELS if g in grouped]
    return _page(request, "policies.html", {"title": "就业创业政策清单", "grouped": grouped, "order": order,
                                            "groups": GROUP_LABELS, "group": group, "q": q, "count": len(rows)})  # fmt: skip


@router.get("/policies/{policy}", include_in_schema=False)
def policy_page(request: Request, policy: str) -> Response:
    rows = [r for r in policy_rows(request) if r["id"] == policy]
    if not rows:
        raise UserError("没有这项政策。", NOT_FOUND)
    return _page(request, "policy.html", {"title": rows[0]["title"], "r": rows[0]})


# --- self-check -------------------------------------------------------------------------------------
@router.get("/self-check", include_in_schema=False)
def selfcheck_start(request: Request) -> Response:
    return _page(request, "selfcheck_start.html", {"title": "政策计算器", "situations": selfcheck.SITUATIONS})


def _situation(key: str) -> selfcheck.Situation:
    found = selfcheck.SITUATIONS.get(key)
    if found is None:
        raise UserError("请先选择您的情况。", NOT_FOUND)
    return found


def _form(request: Request, situation: selfcheck.Situation, values: dict[str, str], problems: dict[str, str],
          status_code: int = 200) -> Response:  # fmt: skip
    return _page(request, "selfcheck_form.html", {
        "title": situation.title, "s": situation, "v": values, "problems": problems, "districts": selfcheck.DISTRICTS,
        "education": selfcheck.EDUCATION, "employer_types": selfcheck.EMPLOYER_TYPES, "sizes": selfcheck.SIZES,
        "group_titles": selfcheck.GROUP_TITLES, "today": dt.date.today().isoformat(),
    }, status_code=status_code)  # fmt: skip


@router.get("/self-check/{key}", include_in_schema=False)
def selfcheck_form(request: Request, key: str) -> Response:
    return _form(request, _situation(key), {}, {})


@router.post("/self-check/{key}", include_in_schema=False)
async def selfcheck_submit(request: Request, key: str) -> Response:
    situation = _situation(key)
    values, repeated = await _answers(request)
    check_public(request, values.get("csrf_token", ""))
    case, answers = selfcheck.build_case(situation, values, repeated)
    if answers.problems:
        return _form(request, situation, values, answers.problems, status_code=422)
    from jiuye.accounts.web import db_url

    try:
        items = await selfcheck.evaluate_answers(situation, case, db_url(request))
    except selfcheck.Unreadable as exc:
        return _form(request, situation, values, exc.problems, status_code=422)
    eligible = [i for i in items if i.eligible]
    total = sum(i.total_fen or 0 for i in eligible)
    return _page(request, "selfcheck_result.html", {
        "title": "测算结果", "s": situation, "eligible": eligible, "total": yuan(total),
        "relevant": [i for i in items if not i.eligible and i.relevant],
        "others": [i for i in items if not i.eligible and not i.relevant], "yuan": yuan, "conds": conditions_html,
    })  # fmt: skip


_MET = {True: '<span class="tag ok">满足</span> ', False: '<span class="tag bad">不满足</span> '}
# the conditions' texts and clauses are the catalog's, the same on every page (a few hundred a page): each escaped
# once and looked up after (≈ 0.4 µs an escape, with its Markup object).  Details and hints are escaped each time:
# they carry the visitor's own dates and values, which the server keeps nowhere, not even in a cache
_ESCAPED: dict[Any, str] = {}
_ESCAPED_MAX = 20_000


def _escaped(value: Any) -> str:
    plain = type(value) is str  # not Markup (already safe), whose text equals a str's
    got = _ESCAPED.get(value) if plain else None
    if got is None:
        got = str(escape(value))
        if plain:
            if len(_ESCAPED) >= _ESCAPED_MAX:
                _ESCAPED.clear()
            _ESCAPED[value] = got
    return got


def conditions_html(conditions: list[dict[str, Any]], failed_only: bool = False) -> Markup:
    """The list of a measure's conditions on the result page (met or not, the values compared, the clause, and
    for a failed one what would change it); ``failed_only``: the failed ones.  Written here rather than as a
    template macro: a page holds a few hundred of them and the macro's per-call and per-attribute cost was most
    of the page's rendering time (≈ 1.1 → 0.3 ms a page)."""
    out = ['<ul class="conds">\n']
    for c in conditions:
        met = bool(c.get("met"))
        if failed_only and met:
            continue
        out += ["  <li>", _MET[met], _escaped(c.get("text") or "")]
        if c.get("detail"):
            out += ['<br><span class="small muted">', escape(c["detail"]), "</span>"]
        out += ['<br><span class="small muted">依据：', _escaped(c.get("clause") or ""), "</span>"]
        if not met and c.get("hint"):
            out += ['<span class="hint">怎样才能符合：', escape(c["hint"]), "</span>"]
        out.append("</li>\n")
    out.append("</ul>")
    return Markup("".join(out))



MAX_SELFCHECK_FIELDS = 100  # the longest form has ~25 fields; more is not a browser filling it in


async def _answers(request: Request) -> tuple[dict[str, str], frozenset[str]]:
    """The submitted form's text fields, and those sent more than once with different values.  A body the form
    parser refuses (a file, too many fields, a part over 1 MB) is a Chinese 400, not Starlette's English one."""
    from starlette.exceptions import HTTPException

    from jiuye.errors import BAD_INPUT

    try:
        form = await request.form(max_files=0, max_fields=MAX_SELFCHECK_FIELDS)
    except HTTPException:
        raise UserError("提交的内容不是本表单的内容（过大、字段过多或含有文件），请刷新页面后重新填写。", BAD_INPUT) from None
    seen: dict[str, str] = {}
    repeated: set[str] = set()
    for k, v in form.multi_items():
        if not isinstance(v, str):
            continue
        if k in seen and seen[k] != v:
            repeated.add(k)
        seen[k] = v
    return seen, frozenset(repeated)


# --- public notices (资金公示) ----------------------------------------------------------------------
@router.get("/notices", include_in_schema=False)
def notices_page(request: Request) -> Response:
    from jiuye.accounts.web import db_url, read_session
    from jiuye.applications import notices

    with read_session(db_url(request)) as s:
        rows = notices.current(s)
    return _page(request, "notices.html", {"title": "资金公示", "rows": rows})


@router.get("/notices/{notice_id}", include_in_schema=False)
def notice_page(request: Request, notice_id: int, page: int = 1, reported: str = "") -> Response:
    from jiuye.accounts.web import db_url, read_session
    from jiuye.applications import notices
    from jiuye.rules.catalog import all_measures

    with read_session(db_url(request)) as s:
        notice = notices.open_notice(s, notice_id)
        rows, has_next = notices.lines(s, notice, page)
    titles = {m.id: m.meta.title for m in all_measures()}
    return _page(request, "notice.html", {
        "title": notice["title"], "n": notice, "rows": rows, "titles": titles, "page": max(1, page),
        "has_next": has_next, "yuan": yuan, "flash": "已收到您的反映，监管人员将核实处理。" if reported else None,
    })  # fmt: skip


@router.post("/notices/{notice_id}/concern", include_in_schema=False)
async def notice_concern(request: Request, notice_id: int) -> Response:
    from jiuye.accounts.scope import policy_district
    from jiuye.accounts.web import db_url, write_session
    from jiuye.applications import notices
    from jiuye.errors import BAD_INPUT
    from jiuye.ledger.models import payments
    from jiuye.supervision.service import report_concern

    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    check_public(request, values.get("csrf_token", ""))
    text = values.get("text", "").strip()
    if not 5 <= len(text) <= 1000:
        raise UserError("请写明反映的问题（5 至 1000 字）。", BAD_INPUT, "text")
    raw = values.get("payment", "").strip()
    # ASCII digits that fit a record id: "²" and a number larger than any id (SQLite cannot bind it) were both a
    # 500 on this public form
    if not ascii_digits(raw, most=18):
        raise UserError("请选择反映的是公示中的哪一笔（序号）。", BAD_INPUT, "payment")
    import sqlalchemy as sa

    with write_session(db_url(request)) as s:
        notice = notices.open_notice(s, notice_id)
        if not notices.in_notice(s, notice, int(raw)):
            raise UserError("公示中没有这一笔。", NOT_FOUND, "payment")
        policy = s.execute(sa.select(payments.c.policy).where(payments.c.id == int(raw))).scalar_one()
        report_concern(s, int(raw), text, "公示反映（匿名）", policy_district(policy), notice_id)
    return RedirectResponse(f"/notices/{notice_id}?reported=1", status_code=303)
