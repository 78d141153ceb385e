"""G12 on the residents' side: a resident or employer is offered, and may apply for, only the measures of their own
district's document (a resident by hukou, an employer by where it is registered; one the registry does not know:
the deployment's).  The demo deployment serves both districts (``jiuye settings district`` is ``all``)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from tests.web.public_helpers import id_number, register, text_of
from tests.web.test_public import GRADUATE, selfcheck


def _registry_person(url: str, district: str) -> str:
    from jiuye import db
    from jiuye.registry.models import TABLES

    p = TABLES["persons"]
    with db.session_scope(url) as s:
        return str(s.execute(sa.select(p.c.id_number).where(p.c.hukou_district == district)
                             .order_by(p.c.id).limit(1)).scalar_one())  # fmt: skip


def _registry_employer(url: str, district: str) -> str:
    from jiuye import db
    from jiuye.registry.models import TABLES

    e = TABLES["employers"]
    with db.session_scope(url) as s:
        return str(s.execute(sa.select(e.c.credit_code).where(e.c.district == district)
                             .order_by(e.c.id).limit(1)).scalar_one())  # fmt: skip


def test_a_jinshan_resident_is_offered_only_jinshan_measures(client: Any, web_db: str) -> None:
    from jiuye.rules.catalog import get_measure

    token = register(client, _registry_person(web_db, "jinshan"))
    home = client.get("/my").text
    offered = set(re.findall(r'href="/my/apply/([A-Z0-9-]+)"', home))
    for_persons = {p for p in offered if "person" in get_measure(p).meta.payee_kinds}
    # the measures that pay a person are Jinshan's; one paying an organisation (CM-08: a traineeship base) is
    # offered to whoever acts for it, and its district is the organisation's (checked on submission)
    assert for_persons and all(p.startswith("JS-") for p in for_persons), offered
    assert "JS-09" in offered  # a Jinshan reviewer-decided person measure
    assert "崇明区的" in text_of(home) and "未列出" in text_of(home)
    page = client.get("/my/apply/CM-03b")  # the form explains, in Chinese
    assert page.status_code == 200 and "不能申请" in page.text
    assert "崇明区的政策" in text_of(page.text) and "户籍：金山区" in text_of(page.text)
    r = client.post("/my/apply/CM-03b", data={"csrf_token": token})  # an edited form: refused, not a 500
    assert r.status_code == 409 and "崇明区的政策" in r.text
    public = client.get("/policies/CM-03b")  # the public page has no link to apply for it, and says why
    assert "/my/apply/CM-03b" not in public.text and "户籍：金山区" in text_of(public.text)
    listing = client.get("/policies")
    assert "/my/apply/CM-03b" not in listing.text and "/my/apply/JS-09" in listing.text


def test_a_chongming_resident_is_refused_a_jinshan_measure(client: Any, web_db: str) -> None:
    token = register(client, _registry_person(web_db, "chongming"))
    r = client.post("/my/apply/JS-09", data={"csrf_token": token})
    assert r.status_code == 409 and "金山区的政策" in r.text and "户籍：崇明区" in text_of(r.text)
    assert client.post("/my/apply/CM-03b", data={"csrf_token": token}).status_code == 303


def test_an_employer_by_its_registered_district(client: Any, web_db: str) -> None:
    token = register(client, _registry_employer(web_db, "chongming"), kind="employer")
    r = client.post("/my/apply/JS-10", data={"csrf_token": token})
    assert r.status_code == 409 and "用人单位所在区：崇明区" in text_of(r.text)
    assert client.post("/my/apply/CM-01a", data={"csrf_token": token}).status_code == 303


def test_an_applicant_the_registry_does_not_know_has_the_deployments_district(client: Any, web_db: str) -> None:
    from jiuye.accounts.web import write_session
    from jiuye.ledger.service import set_bureau_district

    token = register(client, id_number(71))  # not in the registry; the demo deployment serves both districts
    assert client.post("/my/apply/CM-03b", data={"csrf_token": token}).status_code == 303
    assert client.post("/my/apply/JS-09", data={"csrf_token": token}).status_code == 303
    with write_session(web_db) as s:
        set_bureau_district(s, "jinshan", "测试")
    r = client.post("/my/apply/CM-03b", data={"csrf_token": token})
    assert r.status_code == 409


def test_a_draft_of_another_districts_measure_is_not_submitted(client: Any, web_db: str) -> None:
    """A draft begun before the registry knew the applicant's hukou is checked again on submission."""
    from jiuye.accounts.web import write_session
    from jiuye.applications.models import applicants, applications

    person = _registry_person(web_db, "jinshan")
    token = register(client, person)
    with write_session(web_db) as s:
        who = s.execute(sa.select(applicants.c.id).where(applicants.c.identifier == person)).scalar_one()
        app_id = s.execute(sa.insert(applications).values(applicant_id=who, policy="CM-03b", state="draft", fields={})
                           .returning(applications.c.id)).scalar_one()  # fmt: skip
    r = client.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "submit", "reason": "培训"})
    assert r.status_code == 409 and "崇明区的政策" in r.text


def test_the_selfcheck_does_not_offer_another_districts_measure_to_apply_for(client: Any) -> None:
    r = selfcheck(client, "graduate", GRADUATE)  # hukou Jinshan
    assert r.status_code == 200
    html = r.text
    block = html[html.index('data-policy="CM-03b"'):]
    block = block[:block.index("</div>") if "</div>" in block else len(block)]
    assert "户籍：金山区" in text_of(block) and "须提出申请" not in block
    js = html[html.index('data-policy="JS-09"'):]
    assert "须提出申请" in js[:2000]


def test_an_organisation_named_on_an_application_is_of_the_measures_district(client: Any, web_db: str) -> None:
    """An organisation measure is applied for by whoever acts for the organisation: the unit the form names
    must be the measure's district's (G12), whoever applies."""
    from jiuye import db
    from jiuye.registry.models import TABLES

    o = TABLES["organizations"]
    with db.session_scope(web_db) as s:
        code = s.execute(sa.select(o.c.credit_code).where(o.c.district == "jinshan", o.c.credit_code.is_not(None))
                         .limit(1)).scalar_one()  # fmt: skip
    token = register(client, id_number(72))
    r = client.post("/my/apply/CM-08a", data={"csrf_token": token})
    assert r.status_code == 303, r.text
    app_id = r.headers["location"].rsplit("/", 1)[-1]
    form = client.get(f"/my/applications/{app_id}").text
    fields = dict.fromkeys(re.findall(r'name="([a-z_]+)"', form), "说明")
    fields.update({"org_code": code, "org_name": "某机构", "csrf_token": token, "action": "submit"})
    r = client.post(f"/my/applications/{app_id}", data=fields)
    assert r.status_code == 409 and "崇明区的政策" in r.text and "所在区：金山区" in text_of(r.text), text_of(r.text)


def test_an_empty_origin_is_the_hukou_district(client: Any, web_db: str) -> None:
    """The registry's origin (生源地) left empty means the hukou district (registry schema: "空 = 同户籍区"), as the
    engine reads it: a Jinshan resident without one is not refused JS-03a as of "非本市" origin."""
    from jiuye import db
    from jiuye.applications.service import district_problem, registry_districts
    from jiuye.registry.models import TABLES
    from jiuye.rules.catalog import get_measure

    number = _registry_person(web_db, "jinshan")
    p = TABLES["persons"]
    with db.session_scope(web_db) as s:
        s.execute(sa.update(p).where(p.c.id_number == number).values(origin_district=None))
    with db.session_scope(web_db) as s:
        own = registry_districts(s, "resident", number)
    assert own == {"hukou": "jinshan", "origin": "jinshan"}
    assert district_problem(get_measure("JS-03a"), own) is None
