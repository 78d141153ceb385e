"""Scope: every query a user makes is filtered by their district and, when set, their town.

- A measure belongs to the district of its document (``JS-`` 金山区, ``CM-`` 崇明区): entitlements,
  payments and batches are visible to the district's staff; a town account sees only the lines whose
  person (户籍街镇), employer or organisation (所在街镇) is in its town.
- A person is visible when their 户籍 is in the user's district (and town), or — for district accounts —
  when they are the subject of an entitlement of the district's measures (e.g. a worker without local
  户籍 employed by a Jinshan employer).
- Employers and organisations by their own district and town; flags by their district (town accounts:
  only flags about a person, employer or organisation of their town).
- 点单式 applications by their measure's district and, for a town account, the town of their applicant in
  the registry (:func:`applicant_condition`; an applicant the registry does not know: district accounts only).

Masking: ID numbers and bank accounts are masked by the declared policy (:data:`jiuye.rules.identifiers.MASKS`)
unless the role may see them in full; showing one in full is an action of its own, audited by the view that
does it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.accounts.service import User
from jiuye.errors import NOT_FOUND, UserError

# A free text (explanation details, flag details, reasons) with every ID number, mobile number and account number
# in it masked by the policy, for every role: a full number is shown only on an audited unmask.  The policy's own
# function, not a wrapper: None and "" come back unchanged, so the views need no test of their own.
from jiuye.rules.identifiers import mask_text as mask_text

DOCUMENT_DISTRICT: dict[str, str] = {"JS": "jinshan", "CM": "chongming"}
DISTRICT_LABELS: dict[str, str] = {"jinshan": "金山区", "chongming": "崇明区"}


def policy_district(policy: str) -> str | None:
    return DOCUMENT_DISTRICT.get(policy.split("-", 1)[0])


def policy_prefixes(user: User) -> list[str]:
    return [doc for doc, district in DOCUMENT_DISTRICT.items() if district == user.district]


def policies_in_scope(user: User) -> list[str]:
    from jiuye.rules.catalog import measure_ids

    prefixes = tuple(f"{p}-" for p in policy_prefixes(user))
    return [m for m in measure_ids() if m.startswith(prefixes)]


def _persons() -> sa.Table:
    from jiuye.registry.models import TABLES

    return TABLES["persons"]


def _employers() -> sa.Table:
    from jiuye.registry.models import TABLES

    return TABLES["employers"]


def policy_condition(user: User, column: Any) -> Any:
    prefixes = policy_prefixes(user)
    if not prefixes:
        return sa.false()
    return sa.or_(*(column.like(f"{p}-%") for p in prefixes))


def town_people(user: User) -> Any:
    p = _persons()
    return sa.select(p.c.id_number).where(p.c.hukou_district == user.district, p.c.hukou_town == user.town)


def town_employers(user: User) -> Any:
    e = _employers()
    return sa.select(e.c.credit_code).where(e.c.district == user.district, e.c.town == user.town)


def line_condition(user: User, table: sa.Table) -> Any:
    """For ``entitlements`` and ``payments`` (columns policy, beneficiary, subject): a town account sees the
    lines of a person of its town (户籍), of an employer or an organisation located there (the beneficiary)."""
    cond = policy_condition(user, table.c.policy)
    if user.town is not None:
        cond = sa.and_(
            cond,
            sa.or_(table.c.subject.in_(town_people(user)), table.c.beneficiary.in_(town_employers(user)),
                   table.c.beneficiary.in_(town_organisations(user, "org_id"))),
        )
    return cond


def person_condition(user: User) -> Any:
    p = _persons()
    own = p.c.hukou_district == user.district
    if user.town is not None:
        return sa.and_(own, p.c.hukou_town == user.town)
    from jiuye.ledger.models import entitlements as ent

    linked = sa.exists().where(ent.c.subject == p.c.id_number, policy_condition(user, ent.c.policy))
    return sa.or_(own, linked)


def employer_condition(user: User) -> Any:
    e = _employers()
    cond = e.c.district == user.district
    return sa.and_(cond, e.c.town == user.town) if user.town is not None else cond


def organisation_condition(user: User) -> Any:
    from jiuye.registry.models import TABLES

    o = TABLES["organizations"]
    cond = o.c.district == user.district
    return sa.and_(cond, o.c.town == user.town) if user.town is not None else cond


def flag_condition(user: User, flags: sa.Table) -> Any:
    cond = flags.c.district == user.district
    if user.town is not None:
        cond = sa.and_(cond, sa.or_(flags.c.subject_id.in_(town_people(user)),
                                    flags.c.subject_id.in_(town_employers(user)),
                                    flags.c.subject_id.in_(town_organisations(user, "org_id"))))  # fmt: skip
    return cond


def town_organisations(user: User, key: str = "credit_code") -> Any:
    """The ``key`` of the organisations located in the user's town: ``credit_code`` (what one applies with),
    ``org_id`` (what the lines name)."""
    from jiuye.registry.models import TABLES

    o = TABLES["organizations"]
    return sa.select(o.c[key]).where(o.c.district == user.district, o.c.town == user.town, o.c[key].is_not(None))


def applicant_condition(user: User, identifier: Any) -> Any:
    """For applications (by the applicant's ID number or credit code).  An application belongs to the town
    of its applicant in the registry: a person's 户籍所在街镇, an employer's or organisation's 所在街镇 (an
    organisation applies with its credit code).  A town account sees those of its town only; an applicant the
    registry does not know (or knows without a town) has no town, and only district accounts see their
    applications — as all of the district's (the district is the measure's, filtered by policy)."""
    if user.town is None:
        return sa.true()
    return sa.or_(identifier.in_(town_people(user)), identifier.in_(town_employers(user)),
                  identifier.in_(town_organisations(user)))  # fmt: skip


def require_person(session: Session, user: User, person_id: int) -> dict[str, Any]:
    """The person's registry row (by its registry id, so that URLs carry no ID number), or 404 — the
    same answer whether absent or outside the user's scope."""
    p = _persons()
    row = session.execute(sa.select(p).where(p.c.id == person_id, person_condition(user))).mappings().first()
    if row is None:
        raise UserError("找不到此人，或此人不在您的辖区内。", NOT_FOUND)
    return dict(row)


def require_line(session: Session, user: User, table: sa.Table, line_id: int, what: str) -> dict[str, Any]:
    row = session.execute(
        sa.select(table).where(table.c.id == line_id, line_condition(user, table))
    ).mappings().first()  # fmt: skip
    if row is None:
        raise UserError(f"找不到{what} {line_id}，或它不在您的辖区内。", NOT_FOUND)
    return dict(row)


# --- masking: the one declared policy (jiuye.rules.identifiers.MASKS), never a rule of its own ---------
def mask_id(value: str | None) -> str:
    """An ID number (or credit code) as the policy shows it: 310116********0403."""
    from jiuye.rules.identifiers import MASKS

    return "" if value is None else MASKS["id_number"].text(str(value))


def mask_bank(value: str | None) -> str:
    """A bank account as the policy shows it: ****1234."""
    from jiuye.rules.identifiers import MASKS

    return "" if not value else MASKS["bank_account"].text(str(value))


def shown_id(user: User, value: str | None, unmasked: bool = False) -> str:
    return str(value or "") if unmasked and user.can("unmask_id") else mask_id(value)


def shown_bank(user: User, value: str | None, unmasked: bool = False) -> str:
    return str(value or "") if unmasked and user.can("unmask_bank") else mask_bank(value)


def masked_traceback(exc: BaseException) -> str:
    """The traceback of an unexpected error for the server log, masked by :func:`mask_text`: a library's
    message (a database error quotes the statement's parameters) may carry an ID number or an account,
    and a log line is read by people whose role may not see them."""
    import traceback

    return mask_text("".join(traceback.format_exception(exc)))
