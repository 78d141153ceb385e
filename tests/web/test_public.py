"""Residents and employers online (issue 13): the public policy list, the self-check, accounts,
点单式 applications with uploads, 免申即享 confirmation — through the HTTP pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa

from tests.web.conftest import login
from tests.web.public_helpers import PDF, PNG, credit_code, csrf, id_number, register, text_of

GRADUATE = {"birth_date": "2001-04-01", "gender": "male", "hukou_district": "jinshan", "education": "bachelor",
            "full_time": "1", "graduation_date": "2024-06-30", "origin_district": "jinshan",
            "employer_district": "jinshan", "employer_type": "enterprise", "contract_start": "2024-07-01",
            "registered": "1", "insured_months": "6"}  # fmt: skip


def selfcheck(client: Any, situation: str, answers: dict[str, str]) -> Any:
    page = client.get(f"/self-check/{situation}")
    assert page.status_code == 200
    return client.post(f"/self-check/{situation}", data={**answers, "csrf_token": csrf(page.text)})


def counts(url: str) -> dict[str, int]:
    from jiuye import db

    names = ("applicants", "applications", "application_files", "audit_events", "entitlements")
    with db.session_scope(url) as s:
        return {n: int(s.execute(sa.text(f"SELECT count(*) FROM {n}")).scalar_one()) for n in names}


def test_policy_list_is_public_searchable_and_complete(client: Any, web_db: str) -> None:
    from jiuye import db
    from jiuye.applications.service import bureau_measures

    r = client.get("/policies")
    assert r.status_code == 200
    text = text_of(r.text)
    with db.session_scope(web_db) as s:
        ours = bureau_measures(s)
    for m in ours:
        if m.meta.kind not in ("rule", "indicator"):
            assert m.meta.title in text, m.id
    assert "按市级标准" in text  # JS-04: the amount is the city's
    assert "3,000 元" in text and "免申即享" in text and "由经办人员审核认定" in text
    assert "对本区户籍35周岁及以下、连续失业时间超过6个月的长期失业青年" in text  # exact clause quote
    found = text_of(client.get("/policies", params={"q": "灵活就业"}).text)
    assert "长期失业青年灵活就业补贴" in found and "一次性落地补贴" not in found
    grads = text_of(client.get("/policies", params={"group": "graduates"}).text)
    assert "金山籍应届高校毕业生一次性就业补贴" in grads and "创业赛事承办费补贴" not in grads
    one = client.get("/policies/JS-02")
    assert one.status_code == 200 and "金就办〔2023〕1号 一(二)" in one.text
    assert client.get("/policies/XX-99").status_code == 404
    assert 'name="viewport"' in r.text and "/static/public.css" in r.text
    # the list and the policy's page show the same facts (one macro), the page adds how it is obtained
    listed = r.text.split('id="JS-02"')[1].split('<dl class="kv">')[1].split("</dl>")[0]
    page = one.text.split('<dl class="kv">')[1].split("</dl>")[0]
    assert "1,000" in listed and page.startswith(listed.rstrip()) and "怎么领取" in page and "怎么领取" not in listed


def test_graduate_selfcheck_shows_js03a_with_explanations_and_stores_nothing(client: Any, web_db: str) -> None:
    before = counts(web_db)
    r = selfcheck(client, "graduate", GRADUATE)
    assert r.status_code == 200, r.text
    eligible = r.text.split("与您情况相关")[0]
    assert 'data-policy="JS-03a"' in eligible
    text = text_of(eligible)
    assert "3,000.00 元" in text and "2024-12" in text
    assert "在该单位缴纳社会保险费满6个月" in text and "金就办〔2023〕1号 一(三)" in text
    assert counts(web_db) == before  # nothing the visitor typed is stored


def test_selfcheck_shows_the_amount_the_bureau_has_set(client: Any, web_db: str) -> None:
    """A value set on the parameters page (dated, audited) is what matching pays, so the self-check shows it."""
    from jiuye.db import write_session
    from jiuye.parameters.service import parse_change, set_value

    with write_session(web_db) as s:
        set_value(s, parse_change("JS-03a", "bachelor_amount", "2024-01-01", "3500", "测试：区人社局调整通知第1号"),
                  "officer")  # fmt: skip
    eligible = selfcheck(client, "graduate", GRADUATE).text.split("与您情况相关")[0]
    assert 'data-policy="JS-03a"' in eligible
    text = text_of(eligible)
    assert "3,500.00 元" in text and "3,000.00 元" not in text


def test_36_year_old_refused_js02_on_age_without_what_would_change(client: Any) -> None:
    r = selfcheck(client, "flexible", {"birth_date": "1987-03-01", "gender": "female", "hukou_district": "jinshan",
                                       "unemployed_from": "2023-01-05", "flexible_from": "2023-09-01",
                                       "flexible_insured": "1"})  # fmt: skip
    assert r.status_code == 200, r.text
    block = r.text.split('data-policy="JS-02"')[1].split("</article>")[0]
    assert "35周岁及以下（灵活就业登记日）" in block and "年龄 36 周岁" in block
    age = block.split("35周岁及以下")[1].split("</li>")[0]
    assert "怎样才能符合" not in age  # an age limit passed cannot be undone
    assert "不满足" in block.split("35周岁及以下")[0].rsplit("<li>", 1)[1]


def test_failed_threshold_says_what_would_change_it(client: Any) -> None:
    r = selfcheck(client, "flexible", {"birth_date": "1998-03-01", "gender": "male", "hukou_district": "jinshan",
                                       "unemployed_from": "2023-09-05", "flexible_from": "2024-01-10"})  # fmt: skip
    assert r.status_code == 200
    block = r.text.split('data-policy="JS-02"')[1].split("</article>")[0]
    assert "怎样才能符合：失业登记满6个月后（2024-03-06起）办理灵活就业登记即可申请" in block


def test_any_of_condition_says_what_would_change_it(client: Any) -> None:
    """CM-09's 离校2年内 is any of the graduations, each from its day: hired before graduating, the hint is
    computed from the branch (a hire on the graduation day), not written for the measure."""
    r = selfcheck(client, "graduate", {**GRADUATE, "hukou_district": "chongming", "origin_district": "chongming",
                                       "employer_district": "chongming", "graduation_date": "2026-06-30",
                                       "contract_start": "2026-03-01"})  # fmt: skip
    assert r.status_code == 200
    block = r.text.split('data-policy="CM-09"')[1].split("</article>")[0]
    assert "怎样才能符合：毕业后（2026-06-30起）招用即可申请" in text_of(block)


def test_graduate_short_of_six_insured_months_is_told_how_many_more(client: Any) -> None:
    r = selfcheck(client, "graduate", {**GRADUATE, "insured_months": "4"})
    assert r.status_code == 200
    block = r.text.split('data-policy="JS-03a"')[1].split("</article>")[0]
    assert "怎样才能符合：在该单位缴纳社会保险费再满2个月后" in text_of(block)


def test_selfcheck_checks_the_id_number_and_answers_in_chinese(client: Any) -> None:
    bad = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
    r = selfcheck(client, "graduate", {**GRADUATE, "id_number": bad})
    assert r.status_code == 422
    assert "校验位错误" in r.text and "Traceback" not in r.text
    r = selfcheck(client, "graduate", {**GRADUATE, "birth_date": "2001-02-30"})
    assert r.status_code == 422 and "出生日期应为日期" in r.text
    ok = selfcheck(client, "graduate", {**GRADUATE, "id_number": id_number(2, dt.date(2001, 4, 1))})
    assert ok.status_code == 200 and 'data-policy="JS-03a"' in ok.text.split("与您情况相关")[0]
    assert id_number(2, dt.date(2001, 4, 1)) not in ok.text  # the ID is never echoed back on the result
    page = client.get("/self-check/graduate")
    forged = client.post("/self-check/graduate", data={**GRADUATE, "csrf_token": "forged"})
    assert page.status_code == 200 and forged.status_code == 403 and "页面已失效" in forged.text
    assert client.get("/self-check/nonsense").status_code == 404


def _apply_js08b(client: Any, token: str, upload: tuple[str, bytes, str] = ("证明.pdf", PDF, "application/pdf"),
                 submit: bool = True) -> tuple[int, Any]:  # fmt: skip
    start = client.post("/my/apply/JS-08b", data={"csrf_token": token})
    assert start.status_code == 303, start.text
    app_id = int(start.headers["location"].rsplit("/", 1)[1])
    r = client.post(f"/my/applications/{app_id}", data={
        "csrf_token": token, "org_name": "金山某职业培训学校", "org_code": credit_code(7), "grade": "A", "org_district": "jinshan",
        "graded_on": "2024-03-01", "reason": "2023年度评定为A级", "action": "submit" if submit else "save",
    }, files={"proof": upload})  # fmt: skip
    return app_id, r


def test_resident_applies_with_upload_reviewer_approves_resident_sees_it(client: Any, web_db: str) -> None:
    from jiuye.applications.models import applications
    from jiuye.audit.service import verify
    from jiuye.ledger.models import entitlements

    token = register(client, id_number(3), "李四")
    app_id, r = _apply_js08b(client, token)
    assert r.status_code == 303, r.text
    mine = client.get(f"/my/applications/{app_id}")
    assert "已提交，待审核" in mine.text and "证明.pdf" in mine.text
    login(client, "reviewer_js")
    queue = client.get("/review/applications")
    assert queue.status_code == 200 and f"/review/applications/{app_id}" in queue.text
    assert id_number(3) not in queue.text  # masked for the reviewer too (no unmask here)
    page = client.get(f"/review/applications/{app_id}")
    fid = re.search(rf"/review/applications/{app_id}/files/(\d+)", page.text)
    assert fid, page.text
    f = client.get(f"/review/applications/{app_id}/files/{fid.group(1)}")
    assert f.status_code == 200 and f.content == PDF and f.headers["content-type"] == "application/pdf"
    r = client.post(f"/review/applications/{app_id}", data={"csrf_token": csrf(page.text), "decision": "approve",
                                                            "amount": "20000", "reason": "A级，按标准资助"})  # fmt: skip
    assert r.status_code == 303, r.text
    client.cookies.clear()
    client.post("/my/login", data={"identifier": id_number(3), "password": "resident-pass-1",
                                   "csrf_token": csrf(client.get("/my/login").text)})  # fmt: skip
    seen = client.get(f"/my/applications/{app_id}")
    assert "已核准" in seen.text and "20,000.00 元" in seen.text and "A级，按标准资助" in seen.text
    from jiuye import db

    with db.session_scope(web_db) as s:
        app = s.execute(sa.select(applications).where(applications.c.id == app_id)).mappings().one()
        ent = s.execute(sa.select(entitlements).where(entitlements.c.id == app["entitlement_id"])).mappings().one()
        assert (ent["policy"], ent["state"], ent["amount_fen"], ent["beneficiary"]) == ("JS-08b", "approved", 2_000_000,
                                                                                         credit_code(7))
        actions = [r[0] for r in s.execute(sa.text(
            "SELECT action FROM audit_events WHERE entity='entitlements' AND entity_id=:i ORDER BY seq"),
            {"i": str(ent["id"])})]  # fmt: skip
        assert actions == ["grant", "review"]
        assert verify(s).ok
    # a second decision is refused (guarded transition)
    login(client, "reviewer_js")
    again = client.post(f"/review/applications/{app_id}", data={
        "csrf_token": csrf(client.get(f"/review/applications/{app_id}").text), "decision": "reject", "reason": "x"})
    assert again.status_code == 409 and "不能审核" in again.text


def test_resident_cannot_open_another_residents_application(client: Any) -> None:
    token = register(client, id_number(4), "王五")
    app_id, r = _apply_js08b(client, token)
    assert r.status_code == 303
    files = re.findall(rf"/my/applications/{app_id}/files/(\d+)", client.get(f"/my/applications/{app_id}").text)
    client.cookies.clear()
    other = register(client, id_number(5), "赵六")
    for path in (f"/my/applications/{app_id}", f"/my/applications/{app_id}/files/{files[0]}"):
        r = client.get(path)
        assert r.status_code == 404 and ("找不到" in r.text or "不存在" in r.text), path
        assert "王五" not in r.text and id_number(4) not in r.text
    r = client.post(f"/my/applications/{app_id}/withdraw", data={"csrf_token": other})
    assert r.status_code == 404
    r = client.post(f"/my/applications/{app_id}", data={"csrf_token": other, "reason": "x", "action": "save"})
    assert r.status_code == 404
    assert client.get("/review/applications").status_code in (303, 401)  # a resident is no staff member


def test_uploads_are_checked_by_content_and_size(client: Any) -> None:
    from jiuye.applications.uploads import MAX_BYTES

    token = register(client, id_number(6), "孙七")
    app_id, r = _apply_js08b(client, token, ("伪装.pdf", b"MZ\x90\x00 this is an exe", "application/pdf"), submit=False)
    assert r.status_code == 422 and "只接受 PDF、JPG 或 PNG" in r.text
    big = PNG + b"\x00" * (MAX_BYTES + 10)
    r = client.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "save"},
                    files={"proof": ("大.png", big, "image/png")})  # fmt: skip
    assert r.status_code == 422 and "MB" in r.text and "Traceback" not in r.text
    r = client.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "submit", "org_name": "某校",
                                                        "org_code": credit_code(8), "grade": "B", "org_district": "jinshan",
                                                        "graded_on": "2024-01-01", "reason": "理由"})  # fmt: skip
    assert r.status_code == 422 and "请上传“等级评定证明”" in r.text
    ok = client.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "save"},
                     files={"proof": ("扫描件.png", PNG, "image/png")})  # fmt: skip
    assert ok.status_code == 303
    bad_code = client.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "submit", "org_name": "某校",
                                                               "org_code": "91310116000000000X", "grade": "B", "org_district": "jinshan",
                                                               "graded_on": "2024-01-01", "reason": "理由"})  # fmt: skip
    assert bad_code.status_code == 422 and "GB 32100" in bad_code.text


def test_an_upload_too_large_to_read_is_refused_on_the_application_page(client: Any) -> None:
    """Refused before the body is read, shown on the resident's application (not a bare error page naming the
    field 'file' with a link back to the policy list)."""
    from jiuye.applications.views import MAX_REQUEST_BYTES

    token = register(client, id_number(12), "吴九")
    app_id, r = _apply_js08b(client, token, submit=False)
    assert r.status_code == 303
    huge = PDF + b"0" * MAX_REQUEST_BYTES
    r = client.post(f"/my/applications/{app_id}", data={"csrf_token": token, "action": "save"},
                    files={"proof": ("大.pdf", huge, "application/pdf")})  # fmt: skip
    assert r.status_code == 422 and "上传的文件过大" in r.text, (r.status_code, text_of(r.text)[:600])
    text = text_of(r.text)
    assert "金山某职业培训学校" in text and "保存草稿" in text  # the application with its saved answers
    assert "file" not in text and "回到政策清单" not in text
    submitted, r = _apply_js08b(client, token)
    assert r.status_code == 303
    r = client.post(f"/my/applications/{submitted}", data={"csrf_token": token, "action": "save"},
                    files={"proof": ("补充.pdf", PDF, "application/pdf")})  # fmt: skip
    assert r.status_code == 409 and "申请已提交，不能再上传材料" in r.text  # a state conflict, not "bad request"


def test_automatic_measure_and_wrong_kind_are_refused(client: Any) -> None:
    token = register(client, id_number(9), "周八")
    r = client.post("/my/apply/JS-03a", data={"csrf_token": token})
    assert r.status_code == 409 and "免申即享" in r.text
    r = client.post("/my/apply/JS-10", data={"csrf_token": token})
    assert r.status_code == 409 and "单位账号" in r.text
    assert client.post("/my/apply/JS-08b", data={"csrf_token": "forged"}).status_code == 403


def test_closed_window_is_refused_with_the_reason() -> None:
    from jiuye.applications.service import window_problem

    assert window_problem("JS-08b", dt.date(2025, 6, 1)) is None
    closed = window_problem("JS-08b", dt.date(2031, 1, 1))
    assert closed is not None and "有效期已于" in closed and "不再受理" in closed
    early = window_problem("JS-08b", dt.date(2020, 1, 1))
    assert early is not None and "还不能申请" in early


def test_register_checks_identifiers_and_login_locks(client: Any) -> None:
    page = client.get("/my/register")
    r = client.post("/my/register", data={"kind": "resident", "identifier": "310116199001011234", "name": "甲",
                                          "phone": "13812345678", "password": "abcdefgh", "password2": "abcdefgh",
                                          "csrf_token": csrf(page.text)})  # fmt: skip
    assert r.status_code == 422 and "GB 11643" in r.text
    r = client.post("/my/register", data={"kind": "employer", "identifier": credit_code(1), "name": "某公司",
                                          "phone": "1381234", "password": "abcdefgh", "password2": "abcdefgh",
                                          "csrf_token": csrf(page.text)})  # fmt: skip
    assert r.status_code == 422 and "手机号码" in r.text
    register(client, credit_code(2), "某公司", kind="employer")
    client.cookies.clear()
    page = client.get("/my/login")
    for _ in range(5):
        r = client.post("/my/login", data={"identifier": credit_code(2), "password": "wrong-password",
                                           "csrf_token": csrf(page.text)})  # fmt: skip
    r = client.post("/my/login", data={"identifier": credit_code(2), "password": "resident-pass-1",
                                       "csrf_token": csrf(page.text)})  # fmt: skip
    assert r.status_code == 423 and "锁定" in r.text


def test_confirmation_gates_payment(client: Any, web_db: str, tmp_path: Any) -> None:
    """A 免申即享 line of a measure needing confirmation is paid only after the person confirms."""
    from jiuye import db
    from jiuye.accounts.web import write_session
    from jiuye.errors import UserError
    from jiuye.ledger import service as ledger
    from jiuye.ledger.models import entitlements as e
    from jiuye.registry.models import metadata

    persons = metadata.tables["persons"]
    # a person the registry records no death or hukou move-out for: else the why page shows G13 failed
    alive = sa.select(persons.c.id_number).where(persons.c.died_on.is_(None), persons.c.hukou_moved_out_on.is_(None))
    with db.session_scope(web_db) as s:
        row = s.execute(sa.select(e.c.id, e.c.policy, e.c.subject, e.c.month).where(
            e.c.state == "found", e.c.policy == "JS-02", e.c.subject == e.c.beneficiary, e.c.subject.in_(alive),
            e.c.amount_fen.is_not(None)).order_by(e.c.month, e.c.id).limit(1)).mappings().one()  # fmt: skip
    month = row["month"]
    with write_session(web_db) as s:
        ledger.set_confirm(s, "JS-02", True, "测试")
        ledger.approve_month(s, month, "测试", "JS-02")

    def pay() -> None:
        try:
            with write_session(web_db) as s:
                ledger.pay(s, month, "测试", tmp_path)
        except UserError as exc:
            assert "无需生成发放批次" in str(exc)

    def state() -> str:
        with db.session_scope(web_db) as s:
            return str(s.execute(sa.select(e.c.state).where(e.c.id == row["id"])).scalar_one())

    pay()
    assert state() == "approved"  # not confirmed: left for a later batch
    token = register(client, row["subject"])  # with the registry's name and phone
    page = client.get("/my")
    assert f'data-entitlement="{row["id"]}"' in page.text and "确认领取" in page.text
    assert row["subject"] not in page.text  # own ID masked on the page too
    why = client.get(f"/my/entitlements/{row['id']}")
    assert why.status_code == 200 and "连续失业时间超过6个月" in why.text and "不满足" not in why.text
    with db.session_scope(web_db) as s:
        other = s.execute(sa.select(e.c.id).where(e.c.subject != row["subject"], e.c.beneficiary != row["subject"])
                          .limit(1)).scalar_one()  # fmt: skip
    assert client.get(f"/my/entitlements/{other}").status_code == 404  # someone else's line
    bad = client.post(f"/my/entitlements/{row['id']}/confirm", data={"csrf_token": token, "decision": "confirmed",
                                                                     "bank_account": "6222020200112233445"})  # fmt: skip
    assert bad.status_code == 422 and "校验位不对" in bad.text  # the same account check as import and pay
    r = client.post(f"/my/entitlements/{row['id']}/confirm", data={"csrf_token": token, "decision": "confirmed",
                                                                   "bank_account": "６２２２ ０２０２ ００１１ ２２３３ ４４６"})  # fmt: skip
    assert r.status_code == 303, r.text  # typed with a Chinese input method's full-width digits: the same account
    page = client.get("/my")
    assert "3446" in page.text and "6222020200112233446" not in page.text
    again = client.post(f"/my/entitlements/{row['id']}/confirm", data={"csrf_token": token, "decision": "declined"})
    assert again.status_code == 409
    pay()
    assert state() == "paid"
    from jiuye.ledger.models import payments

    with db.session_scope(web_db) as s:  # paid to the account the person gave
        paid_to = s.execute(sa.select(payments.c.bank_account).where(payments.c.entitlement_id == row["id"])).scalar_one()
    assert paid_to == "6222020200112233446"


def test_public_notice_masks_everyone_and_a_concern_becomes_a_flag(client: Any, web_db: str) -> None:
    from jiuye import db
    from jiuye.ledger.models import payments
    from jiuye.supervision.models import flags

    with db.session_scope(web_db) as s:
        batch = s.execute(sa.select(payments.c.batch_id).where(payments.c.policy.like("JS-%")).limit(1)).scalar_one()
        paid = s.execute(sa.select(payments.c.beneficiary).where(payments.c.batch_id == batch)).scalars().all()
    token = login(client, "reviewer_js")
    r = client.post(f"/payments/batches/{batch}/notice", data={"csrf_token": token, "days": "7"})
    assert r.status_code == 303, r.text
    notice = r.headers["location"]
    assert client.post(f"/payments/batches/{batch}/notice", data={"csrf_token": token, "days": "7"}).status_code == 409
    client.cookies.clear()
    assert notice in client.get("/notices").text
    page = client.get(notice)
    assert page.status_code == 200
    assert not re.search(r"\b\d{17}[\dX]\b", page.text)  # no full ID number of anyone
    leaked = [b for b in paid if b in page.text]
    assert not leaked, leaked[:3]
    assert re.search(r"\d{6}\*{8}\d{3}[\dX]", page.text) and "*" in text_of(page.text)
    first = re.search(r"<tr><td[^>]*>(\d+)</td>", page.text)  # the 序号 cell (data-label for phones since 0602211)
    assert first
    r = client.post(f"{notice}/concern", data={"csrf_token": csrf(page.text), "payment": first.group(1),
                                               "text": "此人已于去年迁出本区"})  # fmt: skip
    assert r.status_code == 303
    with db.session_scope(web_db) as s:
        flag = s.execute(sa.select(flags).where(flags.c.check == "public_concern")).mappings().one()
    assert flag["state"] == "open" and "此人已于去年迁出本区" in flag["detail"] and flag["district"] == "jinshan"
    # a flood of anonymous reports of one payment stops at a few a day, with a Chinese message
    for n in range(2, 5):
        again = client.post(f"{notice}/concern", data={"csrf_token": csrf(page.text), "payment": first.group(1),
                                                       "text": f"第{n}次反映：此人已迁出"})  # fmt: skip
        assert again.status_code == (303 if n <= 3 else 409), (n, again.status_code)
    assert "请勿重复提交" in again.text
    with db.session_scope(web_db) as s:
        assert s.execute(sa.select(sa.func.count()).where(flags.c.check == "public_concern")).scalar_one() == 3
    forged = client.post(f"{notice}/concern", data={"csrf_token": "x", "payment": first.group(1), "text": "内容内容内容"})
    assert forged.status_code == 403
    wrong = client.post(f"{notice}/concern", data={"csrf_token": csrf(page.text), "payment": "999999999",
                                                   "text": "内容内容内容"})  # fmt: skip
    assert wrong.status_code == 404
    login(client, "auditor_js")
    assert "群众对资金公示反映的问题" in client.get("/supervision").text
