"""The self-check (政策计算器): a short form → a case (../shared/case-format.md) → the same engine.

Only the questions of the chosen situation are asked (:data:`SITUATIONS`); the answers are checked here
in Chinese, turned into a one-person case and evaluated with the bureau's measures.  Nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

DISTRICTS: dict[str, str] = {
    "jinshan": "金山区", "chongming": "崇明区", "pudong": "浦东新区", "huangpu": "黄浦区", "xuhui": "徐汇区",
    "changning": "长宁区", "jingan": "静安区", "putuo": "普陀区", "hongkou": "虹口区", "yangpu": "杨浦区",
    "minhang": "闵行区", "baoshan": "宝山区", "jiading": "嘉定区", "songjiang": "松江区", "qingpu": "青浦区",
    "fengxian": "奉贤区", "": "非本市",
}  # fmt: skip
EDUCATION = {"": "无（高中及以下）", "secondary_vocational": "中等职业学校", "junior_college": "大专",
             "bachelor": "本科", "master": "硕士研究生", "doctor": "博士研究生"}  # fmt: skip
EMPLOYER_TYPES = {"enterprise": "企业", "social_organization": "社会组织", "public_institution": "事业单位",
                  "government_agency": "机关", "labor_dispatch": "劳务派遣公司", "social_work_org": "社工组织",
                  "informal_labor_org": "非正规劳动组织", "public_welfare_labor_org": "公益性劳动组织"}  # fmt: skip
EMPLOYER = "所填用人单位"  # the case id of the one employer; shown in explanations
SIZES = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}


@dataclass(frozen=True)
class Situation:
    key: str
    who: str  # resident | employer
    title: str
    hint: str
    steps: tuple[str, ...]  # question groups, in order
    groups: tuple[str, ...]  # policy groups shown first in the result
    beneficiaries: tuple[str, ...] = ("person",)


SITUATIONS: dict[str, Situation] = {s.key: s for s in (
    Situation("graduate", "resident", "我是高校毕业生，已经或将要就业", "应届毕业生就业补贴等",
              ("person", "education", "job"), ("graduates", "youth")),
    Situation("flexible", "resident", "我失业了，打算或已经灵活就业", "长期失业青年灵活就业补贴等",
              ("person", "unemployment"), ("youth", "long_term_unemployed", "hardship")),
    Situation("employed", "resident", "我已经在本区就业", "农村劳动力、对口地区劳动力就业补贴等",
              ("person", "job"), ("rural_labor", "paired_region", "hardship")),
    Situation("employer", "employer", "我是用人单位，招用了员工", "用人单位吸纳就业、稳定岗位补贴等",
              ("employer", "person", "job"), ("employers",), ("employer", "employer_per_worker")),
)}  # fmt: skip

GROUP_TITLES = {"person": "基本情况", "education": "学历", "job": "就业和社保", "unemployment": "失业和灵活就业",
                "employer": "单位情况"}  # fmt: skip


FORM = "_form"  # the key of a problem that belongs to no one field (shown above the form)
REPEATED = "此项提交了多个不同的值，请只填写一次"


@dataclass
class Answers:
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    repeated: frozenset[str] = frozenset()  # fields sent more than once with different values

    def text(self, key: str) -> str:
        if key in self.repeated:  # a browser sends each field once: which value was meant cannot be guessed
            self.problems[key] = REPEATED  # kept: a later check of the field does not replace it
            return ""
        return (self.values.get(key) or "").strip()

    def date(self, key: str, label: str, required: bool = False, future_ok: bool = False) -> dt.date | None:
        raw = self.text(key)
        if not raw:
            if required:
                self.problems.setdefault(key, f"请填写{label}")
            return None
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            self.problems.setdefault(key, f"{label}应为日期（年-月-日）")
            return None
        if day.year < 1930 or day.year > 2100:
            self.problems.setdefault(key, f"{label}不在合理范围")
            return None
        if not future_ok and day > dt.date.today():
            self.problems.setdefault(key, f"{label}不能晚于今天")
        return day

    def choice(self, key: str, options: dict[str, str], label: str) -> str:
        value = self.text(key)
        if value not in options:
            self.problems.setdefault(key, f"请选择{label}")
        return value

    def yes(self, key: str) -> bool:
        return self.text(key) in ("1", "on", "yes", "true")

    def count(self, key: str, label: str, top: int = 600) -> int:
        raw = self.text(key) or "0"
        if not re.fullmatch(r"\d{1,4}", raw) or int(raw) > top:
            self.problems.setdefault(key, f"{label}应为 0 到 {top} 的整数")
            return 0
        return int(raw)


def _months(start: dt.date, n: int) -> list[str]:
    out = []
    y, m = start.year, start.month
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def months_between(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def build_case(situation: Situation, values: dict[str, str], repeated: frozenset[str] = frozenset(),
               ) -> tuple[dict[str, Any], Answers]:  # fmt: skip
    """The case of the answers (raises nothing: problems are collected per field, in Chinese).  ``repeated``:
    the fields the form sent more than once with different values (each read is then a problem of its field)."""
    from jiuye.rules.identifiers import id_birth_date, id_gender, id_number_problem

    a = Answers({k: str(v)[:200] for k, v in values.items()}, repeated=repeated)
    steps = situation.steps
    today = dt.date.today()
    person: dict[str, Any] = {"id": "p1"}
    idn = re.sub(r"\s+", "", a.text("id_number")).upper()
    if idn:
        problem = id_number_problem(idn)
        if problem:
            a.problems["id_number"] = problem
        else:
            person["id_number"] = idn
            person["birth_date"] = id_birth_date(idn).isoformat()
            person["gender"] = id_gender(idn)
    if "id_number" not in person:
        birth = a.date("birth_date", "出生日期", required=True)
        person["birth_date"] = birth.isoformat() if birth else "2000-01-01"
        person["gender"] = a.choice("gender", {"male": "男", "female": "女"}, "性别") or "male"
    hukou = a.choice("hukou_district", DISTRICTS, "户籍所在区")
    person["hukou"] = {"district": hukou or None, "agricultural": a.yes("agricultural")}
    moved = a.date("hukou_moved_out_on", "户籍迁出日期")  # G13: the hukou left the district chosen above
    if moved and not hukou and "hukou_district" not in a.problems:
        a.problems["hukou_moved_out_on"] = "填写户籍迁出日期时，“户籍所在区”请选择迁出前所在的区"
    elif moved:
        person["hukou"]["moved_out_on"] = moved.isoformat()
    if a.yes("hardship"):
        person["statuses"] = [{"kind": "employment_hardship", "from": "2000-01-01", "to": None}]
    employers: list[dict[str, Any]] = []
    if "employer" in steps:
        employers.append({"id": EMPLOYER, "name": "本单位", "type": a.choice("employer_type", EMPLOYER_TYPES, "单位类型"),
                          "district": a.choice("employer_district", DISTRICTS, "单位所在区") or None,
                          "size": a.choice("employer_size", SIZES, "企业规模"),
                          "state_owned": a.yes("state_owned")})  # fmt: skip
    if "education" in steps:
        level = a.choice("education", EDUCATION, "最高学历")
        grad = a.date("graduation_date", "毕业日期", required=bool(level), future_ok=True)
        origin = a.choice("origin_district", DISTRICTS, "生源地")
        person["origin_district"] = origin or None
        if level and grad:
            person["education"] = [{"level": level, "full_time": a.yes("full_time"), "graduation_date": grad.isoformat(),
                                    "school_district": None}]  # fmt: skip
    if "job" in steps:
        start = a.date("contract_start", "劳动合同开始日期", future_ok=True)
        if start:
            end = a.date("contract_end", "劳动合同结束日期", future_ok=True)
            if end and end < start:
                a.problems["contract_end"] = "劳动合同结束日期不能早于开始日期"
            if not employers:
                employers.append({"id": EMPLOYER, "name": "用人单位",
                                  "type": a.choice("employer_type", EMPLOYER_TYPES, "单位类型"),
                                  "district": a.choice("employer_district", DISTRICTS, "单位所在区") or None,
                                  "size": "small", "state_owned": False})  # fmt: skip
            person["contracts"] = [{"employer": EMPLOYER, "start": start.isoformat(),
                                    "end": end.isoformat() if end else None, "registered": a.yes("registered"),
                                    "referred_by": None}]  # fmt: skip
            insured = a.count("insured_months", "已缴纳社保月数")
            person["social_insurance"] = [{"month": m, "scheme": "urban_employee", "employer": EMPLOYER, "base": 7310,
                                           "paid": True} for m in _months(start, insured)]  # fmt: skip
        elif "employer" in steps:
            a.problems["contract_start"] = "请填写劳动合同开始日期"
    if "unemployment" in steps:
        since = a.date("unemployed_from", "失业登记日期")
        if since:
            person["unemployment_registrations"] = [{"from": since.isoformat(), "to": None}]
        flex = a.date("flexible_from", "灵活就业登记日期", future_ok=True)
        if flex:
            person["flexible_employment"] = [{"registered_on": flex.isoformat(), "ended_on": None}]
            if a.yes("flexible_insured"):
                upto = max(flex, today)
                person["social_insurance"] = [{"month": m, "scheme": "flexible", "employer": None, "base": 7310,
                                               "paid": True} for m in _months(flex, months_between(flex, upto))]  # fmt: skip
    latest = today
    for key in ("graduation_date", "contract_start", "flexible_from"):
        day = a.date(key, key, future_ok=True) if a.text(key) and key not in a.problems else None
        if day and day > latest:
            latest = day
    end_month = dt.date(latest.year + 1, 12, 1)
    case = {"evaluate": {"from": "2023-01", "to": f"{end_month:%Y-%m}"}, "persons": [person], "employers": employers}
    return case, a


@dataclass
class Item:
    policy: str
    title: str
    clause: str
    summary: str
    eligible: bool
    total_fen: int | None = None
    months: list[str] = field(default_factory=list)
    pending: bool = False
    conditions: list[dict[str, Any]] = field(default_factory=list)
    how: str = ""
    relevant: bool = True
    refusal: str = ""  # why it is not for this visitor, where the engine gives no conditions (G12, by the answers)

    @property
    def any_failed(self) -> bool:
        """Some condition is not met (the page's test, as Jinja's ``selectattr("met", "false")`` was: ``is
        False``) — a Python loop rather than a filter chain per measure on every result page."""
        return any(c.get("met") is False for c in self.conditions)


async def evaluate_answers(situation: Situation, case: dict[str, Any], url: str) -> list[Item]:
    """Run the engine on the case with the bureau's measures for this kind of visitor, its 免申即享 settings and
    the parameter values it has set (:func:`jiuye.public.bureau.bureau` on database ``url``).

    Awaited on the event loop without holding a thread; the case is read by the gathering's thread with the
    other visitors' (``BATCHER.case_async``: no Polars query on the loop), each its own result — and the
    bureau's settings are looked up there too, once per gathering: a check made after this request arrived
    sees every change committed before it (``since``), so one check serves the whole gathering instead of
    one query per request on the event loop."""
    import time

    from jiuye.public.bureau import Bureau, bureau
    from jiuye.rules.batch import BATCHER, NO_TEXT, Job
    from jiuye.rules.case import CaseError

    arrived = time.monotonic()
    used: list[tuple[Bureau, list[Any]]] = []

    def make(parsed: Any) -> tuple[Any, Any]:  # in the gathering's thread
        import dataclasses

        now = bureau(url, since=arrived)
        measures = [m for m in now.measures if set(m.meta.payee_kinds) & set(situation.beneficiaries)
                    and m.meta.kind in ("money", "pending", "reviewer", "application")]  # fmt: skip
        used.append((now, measures))
        if now.overrides:  # the bureau's stored values under the case's own
            parsed = dataclasses.replace(parsed, parameters={**now.overrides, **parsed.parameters})
        return Job.of(parsed, True, [m for m in measures if m.computable]), NO_TEXT

    try:
        result = await BATCHER.case_async(case, make)
    except CaseError as exc:  # the answers were checked above: what the reader still refuses, on its field
        raise Unreadable(case_problems(exc.problems)) from exc
    now, measures = used[0]
    return _items(situation, measures, {k: v.auto for k, v in now.settings.items()}, result,
                  own_districts(situation, case))


def own_districts(situation: Situation, case: dict[str, Any]) -> dict[str, str | None]:
    """The visitor's own districts by G12 sense, as answered (as ``applications.service.own_districts`` reads
    them from the registry): a resident's hukou (and origin, when asked), an employer's own district."""
    from jiuye.applications.service import OWN_SENSES

    if situation.who == "employer":
        return dict.fromkeys(OWN_SENSES["employer"], case["employers"][0]["district"])
    person = case["persons"][0]
    own = {"hukou": person["hukou"]["district"]}
    if "origin_district" in person:
        own["origin"] = person["origin_district"]
    return own


class Unreadable(Exception):
    """The case reader refused the case built from the answers; ``problems`` per form field, in Chinese."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


# where each form field lands in the case (build_case): a problem of the case reader at that path is the field's
CASE_FIELDS: tuple[tuple[str, str], ...] = (
    ("persons[0].id_number", "id_number"), ("persons[0].birth_date", "birth_date"), ("persons[0].gender", "gender"),
    ("persons[0].hukou.moved_out_on", "hukou_moved_out_on"), ("persons[0].hukou", "hukou_district"), ("persons[0].origin_district", "origin_district"),
    ("persons[0].education", "graduation_date"), ("persons[0].contracts[0].end", "contract_end"),
    ("persons[0].contracts", "contract_start"), ("persons[0].unemployment_registrations", "unemployed_from"),
    ("persons[0].flexible_employment", "flexible_from"), ("persons[0].social_insurance", "insured_months"),
    ("employers[0].type", "employer_type"), ("employers[0].district", "employer_district"),
    ("employers[0].size", "employer_size"),
)  # fmt: skip
def case_problems(problems: list[str]) -> dict[str, str]:
    """The case reader's problems (``path: message``) as problems of the form's fields; one it cannot place on
    a field is the form's (:data:`FORM`)."""
    from jiuye.rules.case import split_problem

    out: dict[str, str] = {}
    for problem in problems:
        path, message = split_problem(problem)
        key = next((k for prefix, k in CASE_FIELDS if path is not None and
                    (path == prefix or path.startswith((prefix + ".", prefix + "[")))), FORM)  # fmt: skip
        out.setdefault(key, f"无法测算：{message}" if key != FORM else f"填写的信息无法测算：{message}")
    return out


def _items(situation: Situation, measures: list[Any], auto: dict[str, bool], result: Any,
           own: dict[str, str | None]) -> list[Item]:  # fmt: skip
    from jiuye.applications.service import district_problem
    from jiuye.rules.dates import format_month

    # read by column, not row dicts: the same values for ≈ 20 µs less of the event loop's time per submit
    lines: dict[str, list[tuple[Any, Any]]] = {}
    e = result.entitlements
    for policy, month, amount in zip(*(e.get_column(c).to_list() for c in ("policy", "month", "amount_fen")), strict=True):
        lines.setdefault(policy, []).append((month, amount))
    x = result.explanations
    explained: dict[str, Any] = ({} if x is None else
                                 dict(zip(x.get_column("policy").to_list(), x.get_column("conditions").to_list(), strict=True)))  # fmt: skip
    items = []
    for m in measures:
        meta = m.meta
        how = ("免申即享：符合条件的将主动发放，无须申请" if auto.get(m.id)
               else "须在网上提出申请，经办人员审核" if meta.kind not in ("reviewer", "application")
               else "须提出申请，由经办人员审核认定")  # fmt: skip
        relevant = bool(set(meta.groups) & set(situation.groups))
        got = lines.get(m.id, [])
        if got:
            amounts = [a for _, a in got]
            pending = any(a is None for a in amounts)
            items.append(Item(m.id, meta.title, meta.clause, meta.summary, True,
                              None if pending else sum(int(a) for a in amounts),
                              [format_month(month) for month, _ in got], pending,
                              list(explained.get(m.id) or []), how, True))  # fmt: skip
            continue
        # a measure the engine does not compute (decided on application) has no conditions to say it is another
        # district's: the answers say it, and it is not offered as one to apply for
        refusal = "" if m.id in explained else (district_problem(m, own, "您填写的") or "")
        items.append(Item(m.id, meta.title, meta.clause, meta.summary, False,
                          conditions=list(explained.get(m.id) or []), how=how,
                          relevant=relevant and not refusal, refusal=refusal))  # fmt: skip
    return items
