"""Case JSON (``../shared/case-format.md``) → validated :class:`Case` with its :class:`Facts`, and back.

Validation happens completely before anything is computed: every problem is collected as one
``json.path: 中文原因`` line, and :class:`CaseError` carries them all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from jiuye.rules.dates import format_month, parse_month
from jiuye.rules.facts import ENUMS, SCHEMAS, Facts
from jiuye.rules.identifiers import id_birth_date, id_gender, id_number_reason
from jiuye.rules.money import MoneyError, fen_to_json_number, yuan_to_fen


class CaseError(ValueError):
    """The case cannot be evaluated; ``problems`` lists every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Case:
    facts: Facts
    window_from: dt.date
    window_to: dt.date
    parameters: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # not errors: shown on stderr, evaluation goes on


def load_case_text(text: str) -> dict[str, Any]:
    """Parse JSON keeping decimals exact; raises CaseError on malformed JSON."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CaseError([f"$: 不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"]) from exc
    if not isinstance(data, dict):
        raise CaseError(["$: 案例必须是一个 JSON 对象"])
    return data


# --------------------------------------------------------------------------- field readers
class _Reader:
    """Collects problems while reading typed fields out of nested JSON."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.references: list[tuple[str, str, tuple[str, ...]]] = []  # (path, id, allowed kinds)
        self.id_numbers: dict[str, tuple[str | None, dt.date | None, str]] = {}  # see _id_number_facts

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def field(
        self, obj: dict[str, Any], path: str, name: str, parse: Callable[[str, Any], Any], *,
        required: bool = False, nullable: bool = True, default: Any = None,
    ) -> Any:
        where = f"{path}.{name}"
        if name not in obj:
            if required:
                self.problem(where, "缺少必填字段")
            return default
        value = obj[name]
        if value is None:
            if not nullable:
                self.problem(where, "不能为 null")
            return None
        return parse(where, value)

    # parsers: (path, value) -> parsed value, or None after recording a problem
    def text(self, path: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            self.problem(path, f"应为非空字符串：{value!r}")
            return None
        return value

    def date(self, path: str, value: Any) -> dt.date | None:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(path, f"不是有效日期（YYYY-MM-DD）：{value!r}")
            return None

    def month(self, path: str, value: Any) -> dt.date | None:
        try:
            if not isinstance(value, str):
                raise ValueError
            return parse_month(value)
        except ValueError:
            self.problem(path, f"不是有效月份（YYYY-MM）：{value!r}")
            return None

    def boolean(self, path: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"应为 true 或 false：{value!r}")
            return None
        return value

    def integer(self, path: str, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"应为整数：{value!r}")
            return None
        return value

    def money(self, path: str, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(path, f"应为金额（元，最多两位小数）：{value!r}")
            return None
        try:
            fen = yuan_to_fen(value)
        except MoneyError as exc:
            self.problem(path, str(exc))
            return None
        if fen < 0:
            self.problem(path, f"金额不能为负：{value}")
            return None
        return fen

    def enum(self, kind: str) -> Callable[[str, Any], str | None]:
        allowed = ENUMS[kind]

        def parse(path: str, value: Any) -> str | None:
            if value not in allowed:
                self.problem(path, f"未知取值 {value!r}（可选：{' | '.join(allowed)}）")
                return None
            return str(value)

        return parse

    def reference(self, *kinds: str) -> Callable[[str, Any], str | None]:
        def parse(path: str, value: Any) -> str | None:
            ref = self.text(path, value)
            if ref is not None:
                self.references.append((path, ref, kinds))
            return ref

        return parse

    def items(self, obj: dict[str, Any], path: str, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield (path, element) for a list of objects; absent or null = empty."""
        value = obj.get(name)
        if value is None:
            return
        if not isinstance(value, list):
            self.problem(f"{path}.{name}" if path else name, "应为数组")
            return
        for i, element in enumerate(value):
            where = f"{path}.{name}[{i}]" if path else f"{name}[{i}]"
            if not isinstance(element, dict):
                self.problem(where, "应为对象")
                continue
            yield where, element


def _period_problem(r: _Reader, path: str, start: dt.date | None, end: dt.date | None, names: str) -> None:
    if start is not None and end is not None and end < start:
        r.problem(path, f"结束日期早于开始日期（{names}：{start} > {end}）")


# --------------------------------------------------------------------------- the case
def parse_case(data: dict[str, Any]) -> Case:
    r = _Reader()
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    kinds: dict[str, str] = {}  # id -> person | employer | organization

    window_from = window_to = None
    evaluate = data.get("evaluate")
    if not isinstance(evaluate, dict):
        r.problem("evaluate", "缺少必填字段（应为 {\"from\": \"YYYY-MM\", \"to\": \"YYYY-MM\"}）")
    else:
        window_from = r.field(evaluate, "evaluate", "from", r.month, required=True, nullable=False)
        window_to = r.field(evaluate, "evaluate", "to", r.month, required=True, nullable=False)
        if window_from and window_to and window_from > window_to:
            r.problem("evaluate", f"from 晚于 to（{format_month(window_from)} > {format_month(window_to)}）")

    def declare(path: str, ident: str | None, kind: str) -> None:
        if ident is None:
            return
        if ident in kinds:
            r.problem(f"{path}.id", f"id 重复：{ident!r}（persons、employers、organizations 的 id 必须互不相同）")
        kinds[ident] = kind

    persons = data.get("persons")
    if isinstance(persons, list):  # GB 11643 for every ID number at once (one query, not three per person)
        r.id_numbers = _id_number_facts([p["id_number"] for p in persons if isinstance(p, dict)
                                         and isinstance(p.get("id_number"), str) and p["id_number"]])  # fmt: skip
    for path, p in r.items(data, "", "persons"):
        _read_person(r, path, p, rows, declare)
    for path, e in r.items(data, "", "employers"):
        ident = r.field(e, path, "id", r.text, required=True, nullable=False)
        declare(path, ident, "employer")
        rows["employers"].append({
            "id": ident, "name": r.field(e, path, "name", r.text),
            "type": r.field(e, path, "type", r.enum("employer_type"), required=True, nullable=False),
            "district": r.field(e, path, "district", r.enum("district")),
            "size": r.field(e, path, "size", r.enum("employer_size")),
            "state_owned": r.field(e, path, "state_owned", r.boolean, default=False),
            "deregistered_on": r.field(e, path, "deregistered_on", r.date),
        })
    event_ids: set[str] = set()
    for path, o in r.items(data, "", "organizations"):
        _read_organization(r, path, o, rows, declare, event_ids)
    for path, pay in r.items(data, "", "payments"):
        rows["payments"].append({
            "policy": r.field(pay, path, "policy", r.text, required=True, nullable=False),
            "beneficiary": r.field(pay, path, "beneficiary", r.reference("person", "employer", "organization"),
                                   required=True, nullable=False),
            "subject": r.field(pay, path, "subject", r.reference("person", "employer", "organization"),
                               required=True, nullable=False),
            "month": r.field(pay, path, "month", r.month, required=True, nullable=False),
            "amount_fen": r.field(pay, path, "amount", r.money, required=True, nullable=False),
        })  # fmt: skip
    warnings: list[str] = []
    parameters = _read_parameters(r, data.get("parameters"), warnings)
    _check_payment_policies(r, rows["payments"])

    for path, ident, allowed in r.references:
        if ident not in kinds:
            r.problem(path, f"引用了不存在的 id：{ident!r}")
        elif kinds[ident] not in allowed:
            r.problem(path, f"{ident!r} 是 {kinds[ident]}，此处应引用 {' 或 '.join(allowed)}")

    if r.problems:
        raise CaseError(r.problems)
    assert window_from is not None and window_to is not None
    facts = Facts.from_frames(
        **{name: pl.DataFrame(table, schema=SCHEMAS[name], orient="row") for name, table in rows.items()}
    )
    return Case(facts=facts, window_from=window_from, window_to=window_to, parameters=parameters, warnings=warnings)


def _id_number_facts(numbers: list[str]) -> dict[str, tuple[str | None, dt.date | None, str]]:
    """For each ID number: (problem or None, birth date, gender) from the GB 11643 column expressions."""
    v = pl.col("v")
    frame = pl.DataFrame({"v": sorted(set(numbers))}, schema={"v": pl.String}).select(
        "v", id_number_reason(v).alias("reason"), id_birth_date(v).alias("born"), id_gender(v).alias("gender")
    )
    return {row[0]: (row[1], row[2], row[3]) for row in frame.iter_rows()}


def _read_person(
    r: _Reader, path: str, p: dict[str, Any], rows: dict[str, list[dict[str, Any]]],
    declare: Callable[[str, str | None, str], None],
) -> None:
    ident = r.field(p, path, "id", r.text, required=True, nullable=False)
    declare(path, ident, "person")
    birth = r.field(p, path, "birth_date", r.date, required=True, nullable=False)
    gender = r.field(p, path, "gender", r.enum("gender"), required=True, nullable=False)
    id_number = r.field(p, path, "id_number", r.text)
    if id_number is not None:
        problem, id_born, id_sex = r.id_numbers.get(id_number) or _id_number_facts([id_number])[id_number]
        if problem:
            r.problem(f"{path}.id_number", f"{problem}：{id_number!r}")
        else:
            if birth is not None and id_born != birth:
                r.problem(f"{path}.id_number", f"身份证号码中的出生日期 {id_born} 与 birth_date {birth} 不一致")
            if gender is not None and id_sex != gender:
                r.problem(f"{path}.id_number", f"身份证号码的性别位与 gender {gender!r} 不一致")
    hukou = p.get("hukou")
    district = agricultural = moved_out_on = None
    if not isinstance(hukou, dict):
        r.problem(f"{path}.hukou", "缺少必填字段（应为 {\"district\": …, \"agricultural\": …}）")
    else:
        if "district" not in hukou:
            r.problem(f"{path}.hukou.district", "缺少必填字段（非本市户籍请填 null）")
        district = r.field(hukou, f"{path}.hukou", "district", r.enum("district"))
        agricultural = r.field(hukou, f"{path}.hukou", "agricultural", r.boolean, default=False)
        moved_out_on = r.field(hukou, f"{path}.hukou", "moved_out_on", r.date)
    origin = r.field(p, path, "origin_district", r.enum("district"), default=district) if "origin_district" in p else district
    rows["persons"].append({
        "id": ident, "id_number": id_number, "birth_date": birth, "gender": gender,
        "hukou_district": district, "hukou_agricultural": agricultural, "origin_district": origin,
        "died_on": r.field(p, path, "died_on", r.date), "hukou_moved_out_on": moved_out_on,
    })
    for q, e in r.items(p, path, "education"):
        rows["education"].append({
            "person": ident, "level": r.field(e, q, "level", r.enum("education_level"), required=True, nullable=False),
            "full_time": r.field(e, q, "full_time", r.boolean, default=False),
            "graduation_date": r.field(e, q, "graduation_date", r.date),
            "school_district": r.field(e, q, "school_district", r.enum("district")),
        })
    for q, s in r.items(p, path, "statuses"):
        start, end = r.field(s, q, "from", r.date, required=True, nullable=False), r.field(s, q, "to", r.date)
        _period_problem(r, q, start, end, "from/to")
        rows["statuses"].append({"person": ident, "kind": r.field(s, q, "kind", r.enum("status_kind"), required=True,
                                                                  nullable=False), "start": start, "end": end})
    for q, u in r.items(p, path, "unemployment_registrations"):
        start, end = r.field(u, q, "from", r.date, required=True, nullable=False), r.field(u, q, "to", r.date)
        _period_problem(r, q, start, end, "from/to")
        rows["unemployment"].append({"person": ident, "start": start, "end": end})
    for q, f in r.items(p, path, "flexible_employment"):
        start = r.field(f, q, "registered_on", r.date, required=True, nullable=False)
        end = r.field(f, q, "ended_on", r.date)
        _period_problem(r, q, start, end, "registered_on/ended_on")
        rows["flexible"].append({"person": ident, "start": start, "end": end})
    for i, (q, c) in enumerate(r.items(p, path, "contracts")):
        start, end = r.field(c, q, "start", r.date, required=True, nullable=False), r.field(c, q, "end", r.date)
        _period_problem(r, q, start, end, "start/end")
        rows["contracts"].append({
            "contract_id": f"{ident}#c{i}", "person": ident,
            "employer": r.field(c, q, "employer", r.reference("employer"), required=True, nullable=False),
            "start": start, "end": end, "registered": r.field(c, q, "registered", r.boolean, default=False),
            "referred_by": r.field(c, q, "referred_by", r.reference("organization")),
        })
    for q, s in r.items(p, path, "social_insurance"):
        rows["social_insurance"].append({
            "person": ident, "month": r.field(s, q, "month", r.month, required=True, nullable=False),
            "scheme": r.field(s, q, "scheme", r.enum("scheme"), required=True, nullable=False),
            "employer": r.field(s, q, "employer", r.reference("employer")),
            "base_fen": r.field(s, q, "base", r.money), "paid": r.field(s, q, "paid", r.boolean, default=False),
        })
    for i, (q, s) in enumerate(r.items(p, path, "internships")):
        start, end = r.field(s, q, "start", r.date, required=True, nullable=False), r.field(s, q, "end", r.date)
        _period_problem(r, q, start, end, "start/end")
        rows["internships"].append({
            "internship_id": f"{ident}#i{i}", "person": ident,
            "base": r.field(s, q, "base", r.reference("organization"), required=True, nullable=False),
            "start": start, "end": end, "contract_signed_on": r.field(s, q, "contract_signed_on", r.date),
        })
    for q, c in r.items(p, path, "certificates"):
        rows["certificates"].append({
            "person": ident, "level": r.field(c, q, "level", r.enum("certificate_level"), required=True, nullable=False),
            "obtained_on": r.field(c, q, "obtained_on", r.date, required=True, nullable=False),
            "training_institution": r.field(c, q, "training_institution", r.reference("organization")),
        })
    for q, s in r.items(p, path, "skill_evaluations"):
        rows["skill_evaluations"].append({
            "person": ident, "level": r.field(s, q, "level", r.enum("certificate_level"), required=True, nullable=False),
            "date": r.field(s, q, "date", r.date, required=True, nullable=False),
            "fee_fen": r.field(s, q, "fee", r.money, required=True, nullable=False),
        })  # fmt: skip


def _read_organization(
    r: _Reader, path: str, o: dict[str, Any], rows: dict[str, list[dict[str, Any]]],
    declare: Callable[[str, str | None, str], None], event_ids: set[str],
) -> None:
    ident = r.field(o, path, "id", r.text, required=True, nullable=False)
    declare(path, ident, "organization")
    rows["organizations"].append({
        "id": ident, "kind": r.field(o, path, "kind", r.enum("organization_kind"), required=True, nullable=False),
        "district": r.field(o, path, "district", r.enum("district")),
        "quality_certified": r.field(o, path, "quality_certified", r.boolean, default=False),
        "deregistered_on": r.field(o, path, "deregistered_on", r.date),
    })
    for q, e in r.items(o, path, "evaluations"):
        rows["evaluations"].append({
            "org": ident, "year": r.field(e, q, "year", r.integer, required=True, nullable=False),
            "grade": r.field(e, q, "grade", r.enum("grade"), required=True, nullable=False),
            "published_on": r.field(e, q, "published_on", r.date, required=True, nullable=False),
        })
    for q, s in r.items(o, path, "city_subsidies"):
        rows["city_subsidies"].append({
            "org": ident, "year": r.field(s, q, "year", r.integer, required=True, nullable=False),
            "amount_fen": r.field(s, q, "amount", r.money, required=True, nullable=False),
            "granted_on": r.field(s, q, "granted_on", r.date, required=True, nullable=False),
        })
    for q, e in r.items(o, path, "events"):
        event = r.field(e, q, "id", r.text, required=True, nullable=False)
        if event is not None:
            if event in event_ids:
                r.problem(f"{q}.id", f"赛事 id 重复：{event!r}")
            event_ids.add(event)
        rows["events"].append({
            "org": ident, "event_id": event,
            "held_on": r.field(e, q, "held_on", r.date, required=True, nullable=False),
            "cost_fen": r.field(e, q, "cost", r.money, required=True, nullable=False),
        })
        for qa, a in r.items(e, q, "awards"):
            rows["awards"].append({
                "org": ident, "event_id": event,
                "place": r.field(a, qa, "place", r.integer, required=True, nullable=False),
                "winner": r.field(a, qa, "winner", r.reference("person", "organization"), required=True, nullable=False),
            })
    landing = o.get("landing")
    if landing is not None:
        q = f"{path}.landing"
        if not isinstance(landing, dict):
            r.problem(q, "应为对象")
            return
        rows["landings"].append({
            "org": ident,
            "registered_on": r.field(landing, q, "registered_on", r.date, required=True, nullable=False),
            "award_on": r.field(landing, q, "award_on", r.date, required=True, nullable=False),
            "approved_amount_fen": r.field(landing, q, "approved_amount", r.money),
            "operating_normally": r.field(landing, q, "operating_normally", r.boolean, default=False),
            "employs_jinshan_hukou": r.field(landing, q, "employs_jinshan_hukou", r.boolean, default=False),
        })  # fmt: skip


def _read_parameters(r: _Reader, raw: Any, warnings: list[str]) -> dict[str, Any]:
    from jiuye.rules.catalog import measure_ids
    from jiuye.rules.parameters import known_parameter_keys

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        r.problem("parameters", "应为对象（\"措施ID.参数名\": 值）")
        return {}
    known, measures = known_parameter_keys(), set(measure_ids())
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key.partition(".")[0] not in measures:
            r.problem(f"parameters.{key}", "未知措施编号（格式为 措施ID.参数名，见 `jiuye policies --parameters`）")
        elif key not in known:
            # an unknown name of a known measure changes nothing; say so rather than refuse the case
            warnings.append(f"parameters.{key}: 该措施没有此参数，已忽略（见 `jiuye policies --parameters`）")
        elif isinstance(value, bool) or (not isinstance(value, int | Decimal | str) and value is not None):
            r.problem(f"parameters.{key}", f"参数值应为数字或文本：{value!r}")
        else:
            out[key] = value
    return out


def _check_payment_policies(r: _Reader, payments: list[dict[str, Any]]) -> None:
    from jiuye.rules.catalog import measure_ids

    known = set(measure_ids())
    for i, pay in enumerate(payments):
        if pay["policy"] is not None and pay["policy"] not in known:
            r.problem(f"payments[{i}].policy", f"未知措施编号：{pay['policy']!r}")


# --------------------------------------------------------------------------- back to JSON
def _d(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _m(value: Any) -> str | None:
    return None if value is None else format_month(value)


def _y(fen: Any) -> Any:
    return None if fen is None else fen_to_json_number(int(fen))


def case_to_json(
    facts: Facts, window_from: dt.date, window_to: dt.date, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write ``facts`` as a case-format dict (the inverse of :func:`parse_case`)."""

    def by(table: pl.DataFrame, key: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in table.iter_rows(named=True):
            grouped.setdefault(row[key], []).append(row)
        return grouped

    edu, sta, une, flx = (by(facts.education, "person"), by(facts.statuses, "person"),
                          by(facts.unemployment, "person"), by(facts.flexible, "person"))
    con, si, itn = by(facts.contracts, "person"), by(facts.social_insurance, "person"), by(facts.internships, "person")
    cer, ske = by(facts.certificates, "person"), by(facts.skill_evaluations, "person")
    persons = []
    for p in facts.persons.iter_rows(named=True):
        pid = p["id"]
        person: dict[str, Any] = {"id": pid}
        if p["id_number"]:
            person["id_number"] = p["id_number"]
        person |= {
            "birth_date": _d(p["birth_date"]), "gender": p["gender"],
            "hukou": {"district": p["hukou_district"], "agricultural": bool(p["hukou_agricultural"]),
                      "moved_out_on": _d(p["hukou_moved_out_on"])},
            "died_on": _d(p["died_on"]),
            "origin_district": p["origin_district"],
            "education": [{"level": e["level"], "full_time": bool(e["full_time"]),
                           "graduation_date": _d(e["graduation_date"]), "school_district": e["school_district"]}
                          for e in edu.get(pid, [])],
            "statuses": [{"kind": s["kind"], "from": _d(s["start"]), "to": _d(s["end"])} for s in sta.get(pid, [])],
            "unemployment_registrations": [{"from": _d(u["start"]), "to": _d(u["end"])} for u in une.get(pid, [])],
            "flexible_employment": [{"registered_on": _d(f["start"]), "ended_on": _d(f["end"])}
                                    for f in flx.get(pid, [])],
            "contracts": [{"employer": c["employer"], "start": _d(c["start"]), "end": _d(c["end"]),
                           "registered": bool(c["registered"]), "referred_by": c["referred_by"]}
                          for c in con.get(pid, [])],
            "social_insurance": [{"month": _m(s["month"]), "scheme": s["scheme"], "employer": s["employer"],
                                  "base": _y(s["base_fen"]), "paid": bool(s["paid"])} for s in si.get(pid, [])],
            "internships": [{"base": i["base"], "start": _d(i["start"]), "end": _d(i["end"]),
                             "contract_signed_on": _d(i["contract_signed_on"])} for i in itn.get(pid, [])],
            "certificates": [{"level": c["level"], "obtained_on": _d(c["obtained_on"]),
                              "training_institution": c["training_institution"]} for c in cer.get(pid, [])],
            "skill_evaluations": [{"level": s["level"], "date": _d(s["date"]), "fee": _y(s["fee_fen"])}
                                  for s in ske.get(pid, [])],
        }  # fmt: skip
        persons.append(person)
    evs, sub, evt, awd = (by(facts.evaluations, "org"), by(facts.city_subsidies, "org"),
                          by(facts.events, "org"), by(facts.awards, "event_id"))
    lnd = by(facts.landings, "org")
    organizations = []
    for o in facts.organizations.iter_rows(named=True):
        oid = o["id"]
        org: dict[str, Any] = {
            "id": oid, "kind": o["kind"], "district": o["district"], "quality_certified": bool(o["quality_certified"]),
            "deregistered_on": _d(o["deregistered_on"]),
            "evaluations": [{"year": e["year"], "grade": e["grade"], "published_on": _d(e["published_on"])}
                            for e in evs.get(oid, [])],
            "city_subsidies": [{"year": s["year"], "amount": _y(s["amount_fen"]), "granted_on": _d(s["granted_on"])}
                               for s in sub.get(oid, [])],
            "events": [{"id": e["event_id"], "held_on": _d(e["held_on"]), "cost": _y(e["cost_fen"]),
                        "awards": [{"place": a["place"], "winner": a["winner"]} for a in awd.get(e["event_id"], [])]}
                       for e in evt.get(oid, [])],
        }  # fmt: skip
        for landing in lnd.get(oid, [])[:1]:
            org["landing"] = {
                "registered_on": _d(landing["registered_on"]), "award_on": _d(landing["award_on"]),
                "approved_amount": _y(landing["approved_amount_fen"]),
                "operating_normally": bool(landing["operating_normally"]),
                "employs_jinshan_hukou": bool(landing["employs_jinshan_hukou"]),
            }
        organizations.append(org)
    employers = [
        {"id": e["id"], "name": e["name"], "type": e["type"], "district": e["district"], "size": e["size"],
         "state_owned": bool(e["state_owned"]), "deregistered_on": _d(e["deregistered_on"])}
        for e in facts.employers.iter_rows(named=True)
    ]  # fmt: skip
    payments = [
        {"policy": p["policy"], "beneficiary": p["beneficiary"], "subject": p["subject"], "month": _m(p["month"]),
         "amount": _y(p["amount_fen"])}
        for p in facts.payments.iter_rows(named=True)
    ]  # fmt: skip
    out: dict[str, Any] = {
        "evaluate": {"from": format_month(window_from), "to": format_month(window_to)},
        "persons": persons, "employers": employers, "organizations": organizations, "payments": payments,
    }
    if parameters:
        out["parameters"] = parameters
    return out
