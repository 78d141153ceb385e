"""Who a resident or employer is: a pluggable identity provider.

The bureau's own accounts (:class:`LocalIdentityProvider`: ID number or credit code, phone, argon2
password) are the default.  The city's unified login (“一网通办”) would plug in as another provider: it
answers :meth:`IdentityProvider.authenticate` from its own ticket and says who the person is; the rest of
the application (sessions, applications, scope) does not change.  ``$JIUYE_IDENTITY_PROVIDER`` names a
``module:attribute`` that is a provider instance; empty means the local one.
"""

from __future__ import annotations

import importlib
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.accounts.service import ACCOUNT_STATE_LABELS
from jiuye.applications.models import applicants
from jiuye.audit.labels import declare_states
from jiuye.errors import BAD_INPUT, CONFLICT, UNAUTHENTICATED, UserError

MIN_PASSWORD = 8
PHONE = re.compile(r"^1[3-9][0-9]{9}$")


declare_states("applicants", ACCOUNT_STATE_LABELS)  # a resident's or employer's account


@dataclass(frozen=True)
class Identity:
    """A logged-in resident (``kind`` resident, ``identifier`` their ID number) or employer (credit code)."""

    id: int
    kind: str
    identifier: str
    name: str

    @property
    def actor(self) -> str:
        from jiuye.accounts.scope import mask_id

        who = "申请人" if self.kind == "resident" else "申请单位"
        shown = mask_id(self.identifier) if self.kind == "resident" else self.identifier
        return f"{who}{self.name}（{shown}）"

    @property
    def kind_label(self) -> str:
        return "个人" if self.kind == "resident" else "单位"


class IdentityProvider(Protocol):
    name: str
    can_register: bool

    def register(self, session: Session, kind: str, identifier: str, name: str, phone: str, password: str) -> Identity:
        ...

    def authenticate(self, session: Session, identifier: str, secret: str) -> Identity:
        ...


def normalise_identifier(kind: str, value: str) -> str:
    """Upper-case, no spaces; checked: GB 11643 for a resident, GB 32100 for an employer."""
    from jiuye.rules.identifiers import credit_code_problem, id_number_problem

    text = re.sub(r"\s+", "", value or "").upper()
    if kind == "resident":
        problem = id_number_problem(text)
        field = "identifier"
    elif kind == "employer":
        problem = credit_code_problem(text)
        field = "identifier"
    else:
        raise UserError("请选择个人或单位。", BAD_INPUT, "kind")
    if problem:
        raise UserError(problem + "。", BAD_INPUT, field)
    return text


REGISTRY_MISMATCH = ("姓名、手机号码与登记信息不一致。如信息有变化，请先到社区事务受理服务中心更新登记信息"
                     "（本人信息以区就业登记为准）。")


# a mobile number inside a registry's free-text 联系电话 ("+86 138-0013-8000", "13800138000/021-57921234")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86|0086)?(1[3-9]\d{9})(?!\d)")
# separator dots of minority and foreign names as people type them (the registry allows ·•・, PERSON_NAME_RE)
_NAME_IGNORED = re.compile(r"[\s\u00b7\u2022\u30fb\u2027\u2219\u22c5.']")


def _registry_mobiles(value: str | None) -> set[str]:
    """The mobile numbers a registry phone field holds.  The field is free text: a landline, a country code
    or two numbers are legitimate there, and an account's phone is one 11-digit mobile — a field holding no
    mobile cannot confirm one (as a person without a phone)."""
    return set(_MOBILE_IN_TEXT.findall(re.sub(r"[\s\-()（）]", "", value or "")))


def _normal_name(value: str | None) -> str:
    """A name as compared with the registry's: width (NFKC: （） and ()), case, blanks and the separator dot
    (阿依古丽·买买提 / 阿依古丽•买买提 / 阿依古丽 买买提) do not tell two people apart."""
    return _NAME_IGNORED.sub("", unicodedata.normalize("NFKC", value or "")).casefold()


def registry_mismatch(session: Session, kind: str, identifier: str, name: str, phone: str) -> bool:
    """True when the registry knows ``identifier`` under another name, or (a person) another phone.

    Why: the money of a person or employer the registry knows is shown to, and confirmed by, whoever holds an
    account with their ID number or credit code — both are easy to learn (a credit code is public).  With the
    local provider the registry's own name and phone are the only check of who registers (实名核验); the city's
    unified login, plugged in as another provider, would answer this itself.  One answer for any mismatch, so
    that the form does not tell which of the two was wrong."""
    from jiuye.registry.models import TABLES

    name = _normal_name(name)
    if kind == "resident":
        p = TABLES["persons"]
        row = session.execute(sa.select(p.c.name, p.c.phone).where(p.c.id_number == identifier)).first()
        if row is None:
            return False
        mobiles = _registry_mobiles(row.phone)
        return _normal_name(row.name) != name or bool(mobiles and re.sub(r"[\s-]", "", phone or "") not in mobiles)
    for table in (TABLES["employers"], TABLES["organizations"]):  # neither holds a phone
        found = session.execute(sa.select(table.c.name).where(table.c.credit_code == identifier)).first()
        if found is not None:
            return _normal_name(found.name) != name
    return False


class LocalIdentityProvider:
    """The bureau's own accounts, stored in ``applicants`` with an argon2 password."""

    name = "local"
    can_register = True

    def register(self, session: Session, kind: str, identifier: str, name: str, phone: str, password: str) -> Identity:
        from jiuye.accounts.service import hash_password
        from jiuye.audit.service import record

        identifier = normalise_identifier(kind, identifier)
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise UserError("请填写姓名（单位名称），最长 100 个字。", BAD_INPUT, "name")
        phone = re.sub(r"[\s-]", "", phone or "")
        if not PHONE.match(phone):
            raise UserError("手机号码应为 11 位数字，以 1 开头。", BAD_INPUT, "phone")
        if len(password or "") < MIN_PASSWORD:
            raise UserError(f"密码至少 {MIN_PASSWORD} 位。", BAD_INPUT, "password")
        if registry_mismatch(session, kind, identifier, name, phone):
            raise UserError(REGISTRY_MISMATCH, BAD_INPUT, "name")
        if session.execute(sa.select(applicants.c.id).where(applicants.c.identifier == identifier)).first():
            raise UserError("该证件号码已注册，请直接登录。", CONFLICT, "identifier")
        new_id = int(session.execute(
            sa.insert(applicants).values(kind=kind, identifier=identifier, name=name, phone=phone,
                                         password_hash=hash_password(password), provider=self.name, failed_logins=0)
            .returning(applicants.c.id)
        ).scalar_one())  # fmt: skip
        ident = Identity(new_id, kind, identifier, name)
        record(session, ident.actor, "register", "applicants", new_id, None, "active", None, {"kind": kind})
        return ident

    def authenticate(self, session: Session, identifier: str, secret: str) -> Identity:
        """Check the password; 5 wrong in a row lock the account for 15 minutes (the lockout of
        :mod:`jiuye.accounts.sessions`, the same as staff's).  The caller commits even when this raises
        (the failure count is the point)."""
        from jiuye.accounts import sessions
        from jiuye.accounts.service import check_password, dummy_check

        text = re.sub(r"\s+", "", identifier or "").upper()[:18]
        row = session.execute(sa.select(applicants).where(applicants.c.identifier == text)).first()
        wrong = UserError("证件号码或密码不正确。", UNAUTHENTICATED, "password")
        if row is None or row.password_hash is None:
            dummy_check(secret)
            raise wrong
        now = sessions.now_utc()
        sessions.check_not_locked(row.locked_until, now)
        if not check_password(row.password_hash, secret):
            sessions.count_failure(session, applicants, int(row.id), int(row.failed_logins), now)
            raise wrong
        sessions.clear_failures(session, applicants, int(row.id))
        return Identity(int(row.id), row.kind, row.identifier, row.name)


_LOCAL = LocalIdentityProvider()


def provider() -> IdentityProvider:
    """The configured provider (``$JIUYE_IDENTITY_PROVIDER=module:attribute``), default the local one."""
    spec = (os.environ.get("JIUYE_IDENTITY_PROVIDER") or "").strip()
    if not spec:
        return _LOCAL
    module, _, attr = spec.partition(":")
    found = getattr(importlib.import_module(module), attr or "PROVIDER")
    return found
