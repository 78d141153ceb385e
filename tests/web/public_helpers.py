"""Helpers of the residents' tests: register a resident through the form, a valid ID number, files."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from jiuye.rules.identifiers import make_credit_code, make_id_number

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def csrf(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def id_number(n: int, birth: dt.date = dt.date(1990, 5, 17), gender: str = "male") -> str:
    return make_id_number("310116", birth, 400 + n, gender)


def credit_code(n: int) -> str:
    return make_credit_code("310116", 900000 + n)


def registry_contact(url: str, identifier: str) -> tuple[str, str]:
    """The name and phone the registry holds for ``identifier`` (a person, else an employer or organisation);
    ("", "") when it is not there.  Registering as someone the registry knows needs both (实名核验)."""
    import sqlalchemy as sa

    from jiuye import db
    from jiuye.registry.models import TABLES

    with db.session_scope(url) as s:
        p = TABLES["persons"]
        row = s.execute(sa.select(p.c.name, p.c.phone).where(p.c.id_number == identifier)).first()
        if row is not None:
            return str(row.name), str(row.phone or "")
        for table in (TABLES["employers"], TABLES["organizations"]):
            found = s.execute(sa.select(table.c.name).where(table.c.credit_code == identifier)).first()
            if found is not None:
                return str(found.name), ""
    return "", ""


def register(client: Any, identifier: str, name: str | None = None, kind: str = "resident",
             password: str = "resident-pass-1") -> str:  # fmt: skip
    """Register through the form; the client keeps the session cookie.  Returns the CSRF of /my.

    Someone the registry knows registers with the registry's name and phone; anyone else as ``name``
    (default 张三) with a fixed phone."""
    known_name, known_phone = registry_contact(str(client.app.state.db_url), identifier)
    name = known_name or name or "张三"
    page = client.get("/my/register")
    r = client.post("/my/register", data={"kind": kind, "identifier": identifier, "name": name,
                                          "phone": known_phone or "13812345678",
                                          "password": password, "password2": password, "csrf_token": csrf(page.text)})  # fmt: skip
    assert r.status_code == 303, r.text
    home = client.get("/my")
    assert home.status_code == 200, home.text
    return csrf(home.text)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
