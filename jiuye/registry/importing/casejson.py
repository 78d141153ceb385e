"""Case JSON (``case-format.md``) as import input.

The case is validated by :func:`jiuye.rules.case.parse_case` (every problem as ``json.path: 原因``);
its facts are then turned into one text sheet per registry table, exactly as if they had come from
CSV files, so the registry's own checks (keys, references against the database, towns…) apply too.

Registry keys and fields a case does not carry:

- a person is keyed by ``id_number``; when it is absent, ``id`` is used (so it must be an ID number);
- an employer is keyed by its 统一社会信用代码: the case ``id`` must be one;
- an organisation is keyed by its ``id`` (机构编号);
- names default to the id (``persons.name``, ``employers.name`` when absent, ``organizations.name``);
- ``payments`` and ``parameters`` are not registry data and are ignored (a notice says so).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jiuye.registry.importing.readers import ROW, ReadError, Sheet
from jiuye.registry.importing.writer import key_text_expr
from jiuye.registry.schema import TABLES

# registry table → (facts table, {registry column: facts column or expression})
_MAP: dict[str, tuple[str, dict[str, str]]] = {
    "persons": ("persons", {
        "id_number": "__key", "name": "id", "birth_date": "birth_date", "gender": "gender",
        "hukou_district": "hukou_district", "hukou_agricultural": "hukou_agricultural",
        "origin_district": "origin_district",
    }),
    "education": ("education", {
        "person": "person", "level": "level", "full_time": "full_time", "graduation_date": "graduation_date",
        "school_district": "school_district",
    }),
    "statuses": ("statuses", {"person": "person", "kind": "kind", "start": "start", "end": "end"}),
    "unemployment_registrations": ("unemployment", {"person": "person", "start": "start", "end": "end"}),
    "flexible_employment": ("flexible", {"person": "person", "registered_on": "start", "ended_on": "end"}),
    "contracts": ("contracts", {
        "person": "person", "employer": "employer", "start": "start", "end": "end",
        "registered": "registered", "referred_by": "referred_by",
    }),
    "social_insurance": ("social_insurance", {
        "person": "person", "month": "month", "employer": "employer", "scheme": "scheme",
        "base_fen": "base_fen", "paid": "paid",
    }),
    "internships": ("internships", {
        "person": "person", "base": "base", "start": "start", "end": "end",
        "contract_signed_on": "contract_signed_on",
    }),
    "certificates": ("certificates", {
        "person": "person", "level": "level", "obtained_on": "obtained_on",
        "training_institution": "training_institution",
    }),
    "skill_evaluations": ("skill_evaluations", {
        "person": "person", "level": "level", "date": "date", "fee_fen": "fee_fen",
    }),
    "employers": ("employers", {
        "credit_code": "id", "name": "name", "type": "type", "district": "district", "size": "size",
        "state_owned": "state_owned",
    }),
    "organizations": ("organizations", {
        "org_id": "id", "name": "id", "kind": "kind", "district": "district",
        "quality_certified": "quality_certified",
    }),
    "org_evaluations": ("evaluations", {
        "org": "org", "year": "year", "grade": "grade", "published_on": "published_on",
    }),
    "org_city_subsidies": ("city_subsidies", {
        "org": "org", "year": "year", "amount_fen": "amount_fen", "granted_on": "granted_on",
    }),
    "org_events": ("events", {"event_id": "event_id", "org": "org", "held_on": "held_on", "cost_fen": "cost_fen"}),
    "org_awards": ("awards", {"event": "event_id", "place": "place", "winner": "winner"}),
    "org_landings": ("landings", {
        "org": "org", "registered_on": "registered_on", "award_on": "award_on",
        "approved_amount_fen": "approved_amount_fen", "operating_normally": "operating_normally",
        "employs_jinshan_hukou": "employs_jinshan_hukou",
    }),
}  # fmt: skip

_PERSON_REFS = ("person",)


def case_sheets(path: Path) -> list[Sheet]:
    """The registry sheets of a case file.  Raises :class:`ReadError` listing the case's problems."""
    from jiuye.rules.case import CaseError, load_case_text, parse_case

    if not path.exists():
        raise ReadError(f"文件不存在：{path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path.name}：案例 JSON 必须是 UTF-8 编码") from exc
    if not text.strip():
        raise ReadError(f"{path.name}：文件是空的")
    try:
        data = load_case_text(text)
        if "evaluate" not in data:  # the window does not matter to the registry
            data = {**data, "evaluate": {"from": "2000-01", "to": "2000-01"}}
        case = parse_case(data)
    except CaseError as exc:
        raise ReadError(f"{path.name}：案例有误\n" + "\n".join(f"  {p}" for p in exc.problems)) from exc
    facts = case.facts.tables()

    persons = facts["persons"].with_columns(pl.coalesce("id_number", "id").alias("__key"))
    person_key = dict(zip(persons["id"].to_list(), persons["__key"].to_list(), strict=True))

    sheets: list[Sheet] = []
    for table_name, (facts_name, columns) in _MAP.items():
        frame = persons if facts_name == "persons" else facts[facts_name]
        if frame.is_empty():
            continue
        table = TABLES[table_name]
        if "person" in columns:
            frame = frame.with_columns(
                pl.col("person").replace_strict(person_key, default=pl.col("person"), return_dtype=pl.String)
            )
        if table_name == "employers":
            frame = frame.with_columns(pl.coalesce("name", "id").alias("name"))
        typed = frame.select(*[pl.col(src).alias(dst) for dst, src in columns.items()])
        text_cols = [
            key_text_expr(table.column(c)).cast(pl.String).alias(c) if c in typed.columns else pl.lit(None)
            for c in columns
        ]
        sheet_frame = typed.select(text_cols).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
        sheets.append(Sheet(path=path, sheet=table.title, frame=sheet_frame, table_hint=table_name))
    if not sheets:
        raise ReadError(f"{path.name}：案例中没有人员、用人单位或机构")
    return sheets


def ignored_parts(path: Path) -> list[str]:
    """Case sections that are not registry data (for a notice)."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return []
    return [k for k in ("payments", "parameters") if data.get(k)]
