"""Applications (点单式申请): drafts, documents, submission, review; sessions of residents and employers.

Services take the session and never commit.  Every query of an applicant's data is filtered by the
applicant's id (:func:`own_application` answers 404 for an application of someone else, the same as for
one that does not exist).  State moves are guarded in SQL (``UPDATE … WHERE state IN …``) and audited:

    draft ──► submitted ──► approved   (ledger.grant: an approved entitlement with the approved amount)
      │           └──────► rejected
      └──► withdrawn ◄── submitted
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.accounts import sessions
from jiuye.accounts.sessions import now_utc
from jiuye.applications.identity import Identity
from jiuye.applications.models import applicants, application_files, applications
from jiuye.audit.labels import declare_states
from jiuye.audit.service import record
from jiuye.errors import BAD_INPUT, CONFLICT, FORBIDDEN, NOT_FOUND, UserError

STATE_LABELS = declare_states("applications", {"draft": "草稿", "submitted": "已提交，待审核", "approved": "已核准",
                                               "rejected": "未通过", "withdrawn": "已撤回"})  # fmt: skip
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"approved", "rejected", "withdrawn"}),
    "approved": frozenset(),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
}
MAX_FILES = 10
MAX_TEXT = 2000


# --- which measures take applications ------------------------------------------------------------
def bureau_measures(session: Session) -> list[Any]:
    """The measures of the bureau's own document(s) (``jiuye settings district``; ``all``: both)."""
    from jiuye.ledger.service import bureau_district
    from jiuye.rules.catalog import all_measures

    district = bureau_district(session).district
    return [m for m in all_measures() if district in ("all", m.meta.district)]


def applicable(session: Session) -> dict[str, Any]:
    """Measures of the bureau's document that are applied for (点单式): reviewer-decided, amount pending
    and any measure the bureau runs without 免申即享 — every measure that is not automatic."""
    from jiuye.ledger.service import settings

    current = settings(session)
    return {m.id: m for m in bureau_measures(session)
            if m.meta.kind in ("money", "pending", "reviewer", "application") and not current[m.id].auto}  # fmt: skip


# the applicant account kind that may apply for a measure paying each kind of beneficiary (others: anyone)
APPLICANT_OF: dict[str, str] = {"person": "resident", "employer": "employer", "employer_per_worker": "employer"}


def may_apply_for(ident: Identity, measure: Any) -> str | None:
    """None when this applicant may apply for ``measure``, else the reason (in Chinese)."""
    # who applies follows who is paid (CM-10a: the hiring employer or the flexibly employed person); an
    # organisation measure is applied for by whoever acts for the organisation
    applicants = {APPLICANT_OF.get(kind) for kind in measure.meta.payee_kinds}
    if None in applicants or ident.kind in applicants:
        return None
    if applicants == {"resident"}:
        return "本政策由个人申请，请使用个人账号。"
    return "本政策由用人单位申请，请使用单位账号。"


# G12: the senses in which an applicant's own registry record ties them to a district — a resident by hukou (or
# origin, JS-03a), an employer (or an organisation, applying with its credit code) by where it is registered
OWN_SENSES: dict[str, tuple[str, ...]] = {"resident": ("hukou", "origin"), "employer": ("employer", "organization")}


def own_districts(session: Session, ident: Identity) -> dict[str, str | None] | None:
    """The districts of ``ident``'s own registry record, by G12 sense (:data:`OWN_SENSES`); None when the registry
    does not know them — their district is then the deployment's own (:func:`bureau_measures` offers only its
    document's measures, both documents on a deployment of ``all``)."""
    return registry_districts(session, ident.kind, ident.identifier)


def registry_districts(session: Session, kind: str, identifier: str) -> dict[str, str | None] | None:
    """The districts the registry holds for a person's ID number (``resident``) or a credit code (``employer``:
    an employer's, else an organisation's), by G12 sense; None when it does not know them."""
    from jiuye.registry.models import TABLES

    if kind == "resident":
        p = TABLES["persons"]
        # an empty origin is the hukou district (the registry's 生源地 "空 = 同户籍区", as its facts read it)
        origin = sa.func.coalesce(p.c.origin_district, p.c.hukou_district).label("origin_district")
        row = session.execute(
            sa.select(p.c.hukou_district, origin).where(p.c.id_number == identifier)
        ).first()  # fmt: skip
        return None if row is None else {"hukou": row.hukou_district, "origin": row.origin_district}
    for table in (TABLES["employers"], TABLES["organizations"]):
        found = session.execute(sa.select(table.c.district).where(table.c.credit_code == identifier)).first()
        if found is not None:
            return dict.fromkeys(OWN_SENSES["employer"], found.district)
    return None


def named_payee_problem(session: Session, measure: Any, fields: dict[str, str]) -> str | None:
    """G12 for the unit an application names (the employer or organisation a measure pays, which the applicant
    may act for): refused when the registry places it in another district."""
    for f in measure.form_fields():
        code = str(fields.get(f.name) or "") if f.type == "employer" else ""
        if code and (problem := district_problem(measure, registry_districts(session, "employer", code),
                                                 f"登记信息显示“{f.label}”对应单位的")):  # fmt: skip
            return problem
    return None


def district_problem(measure: Any, own: dict[str, str | None] | None, whose: str = "登记信息显示您的") -> str | None:
    """Why ``measure`` is not offered to an applicant whose own districts are ``own`` (G12: a JS measure pays only
    Jinshan subjects, a CM measure only Chongming ones), in Chinese; None when it is (or ``own`` is unknown)."""
    if not own or all(d == measure.district for d in own.values()):  # the self-check asks for each measure
        return None
    from jiuye.rules.facts import DISTRICT_NAMES
    from jiuye.rules.measure import SENSE_DETAIL

    for sense, text in measure.district_senses().items():
        if sense in own and own[sense] != measure.district:
            shown = DISTRICT_NAMES.get(own[sense] or "", "非本市")
            return (f"本政策是{DISTRICT_NAMES[measure.district]}的政策，只适用于{text}（政策目录 G12）；"
                    f"{whose}{SENSE_DETAIL[sense].format(shown)}。请选择您所在区的政策。")
    return None


def window_problem(policy: str, today: dt.date | None = None) -> str | None:
    """Why an application for ``policy`` cannot be made today (its validity window), or None."""
    from jiuye.rules.parameters import load_measure_parameters

    today = today or dt.date.today()
    try:
        window = load_measure_parameters(policy).window
    except FileNotFoundError:
        return None
    if today < window.start:
        return f"本政策自 {window.start:%Y年%m月} 起施行，目前还不能申请。"
    from jiuye.rules.dates import month_end

    if window.end is not None and today > month_end(window.end):
        return f"本政策的有效期已于 {month_end(window.end):%Y年%m月%d日} 结束，不再受理申请。"
    return None


def check_may_confirm(session: Session, ident: Identity, policy: str) -> None:
    """Raise unless ``ident`` may answer a 免申即享 line of ``policy`` (意愿确认), whose account the payment
    then goes to: only for a measure the bureau marks as needing confirmation (the only ones the page
    offers), and only while the account still matches the registry's name and phone — an account opened
    before the registry knew the person was never checked against it (:func:`identity.registry_mismatch`)."""
    from jiuye.applications.identity import REGISTRY_MISMATCH, registry_mismatch
    from jiuye.applications.models import applicants
    from jiuye.ledger.service import settings

    setting = settings(session).get(policy)
    if setting is None or not setting.confirm:
        raise UserError("这项待遇无须确认，经办部门将按登记的银行账号发放。", CONFLICT)
    phone = session.execute(sa.select(applicants.c.phone).where(applicants.c.id == ident.id)).scalar_one_or_none()
    if registry_mismatch(session, ident.kind, ident.identifier, ident.name, str(phone or "")):
        raise UserError(REGISTRY_MISMATCH, FORBIDDEN)


# --- sessions -------------------------------------------------------------------------------------
# the accounts room's one session mechanism (kind ``applicant``); this room supplies who the subject is
@dataclass(frozen=True)
class Login:
    identity: Identity
    token: str
    csrf: str


SessionInfo = sessions.SessionInfo[Identity]


def _identity(row: Any) -> Identity:
    """The applicant behind a session: a resident (ID number) or an employer (credit code)."""
    return Identity(int(row.id), row.kind, row.identifier, row.name)


_RESOLVE = sessions.resolver("applicant", applicants, [applicants.c.id, applicants.c.kind, applicants.c.identifier,
                                                       applicants.c.name], _identity)  # fmt: skip


def open_session(session: Session, ident: Identity) -> Login:
    opened = sessions.open_session(session, "applicant", ident.id)
    return Login(ident, opened.token, opened.csrf)


def resolve(session: sessions.Reader, token: str | None) -> SessionInfo:
    """The resident or employer of an applicant session token (401 otherwise — a staff token included)."""
    return _RESOLVE(session, token)


def close_session(session: Session, th: str) -> None:
    sessions.close(session, th)


# --- applications ---------------------------------------------------------------------------------
def _measure(policy: str) -> Any:
    from jiuye.rules.catalog import get_measure

    try:
        return get_measure(policy)
    except KeyError as exc:
        raise UserError(f"没有这项政策：{policy}。", NOT_FOUND) from exc


def create(session: Session, ident: Identity, policy: str) -> int:
    """A new draft for ``policy``; refused when the measure is automatic, for someone else, or closed."""
    measure = _measure(policy)
    if policy not in applicable(session):
        raise UserError(f"{policy} {measure.meta.title} 为免申即享或无须申请，符合条件的将主动发放，无须申请。", CONFLICT)
    problem = (may_apply_for(ident, measure) or district_problem(measure, own_districts(session, ident))
               or window_problem(policy))  # fmt: skip
    if problem:
        raise UserError(problem, CONFLICT)
    fields: dict[str, str] = {}  # prefilled: the applicant's own identifier where the form asks for it
    for f in measure.form_fields():
        if (f.type, ident.kind) in (("person", "resident"), ("employer", "employer")):
            fields[f.name] = ident.identifier
            break
    new_id = int(session.execute(
        sa.insert(applications).values(applicant_id=ident.id, policy=policy, state="draft", fields=fields)
        .returning(applications.c.id)
    ).scalar_one())  # fmt: skip
    record(session, ident.actor, "create", "applications", new_id, None, "draft", None, {"policy": policy})
    return new_id


def own_application(session: Session, ident: Identity, application_id: int) -> dict[str, Any]:
    """The applicant's own application, or 404 — the same answer whether absent or someone else's."""
    row = session.execute(
        sa.select(applications).where(applications.c.id == application_id, applications.c.applicant_id == ident.id)
    ).mappings().first()  # fmt: skip
    if row is None:
        raise UserError("找不到这份申请。", NOT_FOUND)
    return dict(row)


def files_of(session: Session, application_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(application_files).where(application_files.c.application_id == application_id)
        .order_by(application_files.c.id)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def list_own(session: Session, ident: Identity) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(applications).where(applications.c.applicant_id == ident.id).order_by(applications.c.id.desc())
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def _check_field(field: Any, value: str) -> str:
    """One answer of the form, checked by the field's declared type (``jiuye.rules.measure.FormField``)."""
    from jiuye.rules.identifiers import credit_code_problem, id_number_problem
    from jiuye.rules.money import yuan_to_fen

    value = value.strip()
    if field.type == "boolean":
        return "是" if value in ("1", "on", "yes", "是") else "否"
    if field.required and not value:
        raise UserError(f"请填写“{field.label}”。", BAD_INPUT, field.name)
    if not value:
        return value
    if len(value) > MAX_TEXT:
        raise UserError(f"“{field.label}”最长 {MAX_TEXT} 个字。", BAD_INPUT, field.name)
    problem: str | None = None
    if field.type == "date":
        try:
            if dt.date.fromisoformat(value) > dt.date.today():
                problem = "不能晚于今天"
        except ValueError:
            problem = "应为日期（年-月-日）"
    elif field.type == "month":
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            problem = "应为月份（年-月）"
    elif field.type == "integer":
        if not re.fullmatch(r"\d{1,9}", value):
            problem = "应为整数"
    elif field.type == "money":
        try:
            if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", value) or yuan_to_fen(value) < 0:
                problem = "应为金额（元，最多两位小数）"
        except Exception:
            problem = "应为金额（元，最多两位小数）"
    elif field.type in ("choice", "district"):
        from jiuye.rules.facts import DISTRICT_NAMES

        allowed = DISTRICT_NAMES if field.type == "district" else dict(field.choices)
        if value not in allowed:
            problem = "请从选项中选择"
    elif field.type == "person":
        value = re.sub(r"\s+", "", value).upper()
        problem = id_number_problem(value)
    elif field.type == "employer":
        value = re.sub(r"\s+", "", value).upper()
        problem = credit_code_problem(value)
    if problem:
        raise UserError(f"“{field.label}”{problem}。", BAD_INPUT, field.name)
    return value


def save(session: Session, ident: Identity, application_id: int, values: dict[str, str], submit: bool) -> str:
    """Save the form of a draft; with ``submit`` check every required answer and document, then submit."""
    app = own_application(session, ident, application_id)
    if app["state"] != "draft":
        raise UserError(f"申请当前状态为“{STATE_LABELS[app['state']]}”，不能再修改。", CONFLICT)
    measure = _measure(app["policy"])
    form = measure.form_fields()
    fields = dict(app["fields"] or {})
    for field in form:
        if field.type == "file":
            continue
        raw = str(values.get(field.name, "" if field.type == "boolean" else fields.get(field.name, "")) or "")
        fields[field.name] = _check_field(field, raw) if submit else raw.strip()[:MAX_TEXT]
    new_state = "draft"
    if submit:
        problem = (district_problem(measure, own_districts(session, ident))
                   or named_payee_problem(session, measure, fields) or window_problem(app["policy"]))  # fmt: skip
        if problem:  # a draft begun before the registry knew the applicant's district is checked again
            raise UserError(problem, CONFLICT)
        have = {f["field"] for f in files_of(session, application_id)}
        for field in form:
            if field.type == "file" and field.required and field.name not in have:
                raise UserError(f"请上传“{field.label}”。", BAD_INPUT, field.name)
        new_state = "submitted"
    now = now_utc()
    values_out: dict[str, Any] = {"fields": fields, "updated_at": now}
    if submit:
        values_out |= {"state": "submitted", "submitted_at": now}
    done = session.execute(
        sa.update(applications).where(applications.c.id == application_id, applications.c.state == "draft")
        .values(**values_out)
    )  # fmt: skip
    if getattr(done, "rowcount", 1) != 1:
        raise UserError("申请状态已变化，请刷新页面。", CONFLICT)
    if submit:
        record(session, ident.actor, "submit", "applications", application_id, "draft", "submitted", None,
               {"policy": app["policy"]})  # fmt: skip
    return new_state


def add_file(session: Session, ident: Identity, application_id: int, field_key: str, stored: Any) -> int:
    app = own_application(session, ident, application_id)
    if app["state"] != "draft":
        raise UserError("申请已提交，不能再上传材料。", CONFLICT)
    measure = _measure(app["policy"])
    if field_key not in {f.name for f in measure.form_fields() if f.type == "file"}:
        raise UserError("没有这项申请材料。", BAD_INPUT, "field")
    if len(files_of(session, application_id)) >= MAX_FILES:
        raise UserError(f"每份申请最多上传 {MAX_FILES} 个文件。", BAD_INPUT, "file")
    new_id = int(session.execute(
        sa.insert(application_files).values(application_id=application_id, field=field_key,
                                            original_name=stored.original_name, content_type=stored.content_type,
                                            size=stored.size, sha256=stored.sha256, stored_name=stored.stored_name)
        .returning(application_files.c.id)
    ).scalar_one())  # fmt: skip
    record(session, ident.actor, "upload", "applications", application_id, None, None, None,
           {"file": new_id, "type": stored.content_type, "size": stored.size, "sha256": stored.sha256})  # fmt: skip
    return new_id


def withdraw(session: Session, ident: Identity, application_id: int) -> None:
    app = own_application(session, ident, application_id)
    _move(session, application_id, app["state"], "withdrawn", ident.actor, "申请人撤回", {})


def _move(session: Session, application_id: int, old: str, new: str, actor: str, reason: str | None,
          values: dict[str, Any]) -> None:  # fmt: skip
    if new not in TRANSITIONS.get(old, frozenset()):
        raise UserError(f"申请当前状态为“{STATE_LABELS.get(old, old)}”，不能变为“{STATE_LABELS[new]}”。", CONFLICT)
    done = session.execute(
        sa.update(applications).where(applications.c.id == application_id, applications.c.state == old)
        .values(state=new, updated_at=now_utc(), **values)
    )  # fmt: skip
    if getattr(done, "rowcount", 1) != 1:
        raise UserError("申请状态已变化，请刷新页面。", CONFLICT)
    record(session, actor, new, "applications", application_id, old, new, reason, None)


# --- staff: review --------------------------------------------------------------------------------
def beneficiary_of(app: dict[str, Any], applicant: dict[str, Any], measure: Any) -> str:
    """Who the money is for: for a measure paying an employer or organisation, the credit code the form
    names (the applicant may act for it); otherwise the applicant."""
    if not {"person", "none"} & set(measure.meta.payee_kinds):
        for f in measure.form_fields():
            code = str((app["fields"] or {}).get(f.name) or "") if f.type == "employer" else ""
            if code:
                return code
    return str(applicant["identifier"])


def decide(
    session: Session, application_id: int, decision: str, actor: str, reason: str, amount_fen: int | None,
    policies: list[str] | None = None, user: Any = None,
) -> str:  # fmt: skip
    """Approve (an approved ledger entitlement with ``amount_fen``, through ledger.grant) or reject a
    submitted application; ``policies`` limits it to the reviewer's district, ``user`` (a staff account)
    to their town."""
    from jiuye.applications.models import applicants
    from jiuye.ledger.service import grant

    reason = (reason or "").strip()
    if not reason:
        raise UserError("请写明审核理由（申请人可见）。", BAD_INPUT, "reason")
    stmt = sa.select(applications).where(applications.c.id == application_id)
    if policies is not None:
        stmt = stmt.where(applications.c.policy.in_(policies))
    if user is not None:
        stmt = stmt.where(applications.c.applicant_id.in_(_applicants_in_scope(user)))
    app = session.execute(stmt.with_for_update()).mappings().first()
    if app is None:
        raise UserError(f"找不到申请 {application_id}，或它不在您的辖区内。", NOT_FOUND)
    if app["state"] != "submitted":
        raise UserError(f"申请当前状态为“{STATE_LABELS[app['state']]}”，不能审核。", CONFLICT)
    now = now_utc()
    if decision == "reject":
        _move(session, application_id, "submitted", "rejected", actor, reason,
              {"reviewer": actor, "reason": reason, "decided_at": now})  # fmt: skip
        return "rejected"
    if decision != "approve":
        raise UserError("审核结论只能是核准或驳回。", BAD_INPUT, "decision")
    if amount_fen is None or amount_fen <= 0:
        raise UserError("请填写核准金额（元，大于 0）。", BAD_INPUT, "amount")
    applicant = session.execute(sa.select(applicants).where(applicants.c.id == app["applicant_id"])).mappings().one()
    measure = _measure(app["policy"])
    who = beneficiary_of(dict(app), dict(applicant), measure)
    month = now.date().replace(day=1)
    ent = grant(session, app["policy"], who, who, month, amount_fen, actor, reason,
                {"application": application_id, "amount_fen": amount_fen})  # fmt: skip
    _move(session, application_id, "submitted", "approved", actor, reason,
          {"reviewer": actor, "reason": reason, "decided_at": now, "approved_amount_fen": amount_fen,
           "entitlement_id": ent, "month": month})  # fmt: skip
    return "approved"


def _applicants_in_scope(user: Any) -> Any:
    from jiuye.accounts.scope import applicant_condition
    from jiuye.applications.models import applicants

    return sa.select(applicants.c.id).where(applicant_condition(user, applicants.c.identifier))


def _in_review_scope(policies: list[str], user: Any) -> Any:
    """The applications staff may review: of ``policies`` (the district's), never a draft, and of the
    applicants in ``user``'s town when it has one (needs ``applicants`` joined)."""
    from jiuye.accounts.scope import applicant_condition
    from jiuye.applications.models import applicants

    return sa.and_(applications.c.policy.in_(policies), applications.c.state != "draft",
                   applicant_condition(user, applicants.c.identifier) if user is not None else sa.true())  # fmt: skip


def waiting_by_policy(session: Session, policies: list[str], user: Any) -> dict[str, int]:
    """Submitted applications waiting for a decision, per measure, in the review scope (工作台)."""
    from jiuye.applications.models import applicants

    rows = session.execute(
        sa.select(applications.c.policy, sa.func.count())
        .join(applicants, applicants.c.id == applications.c.applicant_id)
        .where(_in_review_scope(policies, user), applications.c.state == "submitted")
        .group_by(applications.c.policy)
    ).all()  # fmt: skip
    return {str(r[0]): int(r[1]) for r in rows}


def review_list(session: Session, policies: list[str], state: str | None = "submitted", user: Any = None
                ) -> list[dict[str, Any]]:  # fmt: skip
    """Submitted (and decided) applications of ``policies``; of the applicants in ``user``'s town, if any."""
    from jiuye.applications.models import applicants

    stmt = (
        sa.select(applications, applicants.c.name, applicants.c.identifier, applicants.c.kind)
        .join(applicants, applicants.c.id == applications.c.applicant_id)
        .where(_in_review_scope(policies, user))
        .order_by(applications.c.id)
        .limit(200)
    )  # fmt: skip
    if state:
        stmt = stmt.where(applications.c.state == state)
    return [dict(r) for r in session.execute(stmt).mappings()]


def for_review(session: Session, application_id: int, policies: list[str], user: Any = None) -> dict[str, Any]:
    from jiuye.applications.models import applicants

    row = session.execute(
        sa.select(applications, applicants.c.name, applicants.c.identifier, applicants.c.kind, applicants.c.phone)
        .join(applicants, applicants.c.id == applications.c.applicant_id)
        .where(applications.c.id == application_id, _in_review_scope(policies, user))
    ).mappings().first()  # fmt: skip
    if row is None:
        raise UserError(f"找不到申请 {application_id}，或它不在您的辖区内。", NOT_FOUND)
    return dict(row)
