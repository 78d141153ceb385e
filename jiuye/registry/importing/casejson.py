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


def _case_map() -> dict[str, tuple[str, dict[str, str]]]:
    """registry table → (facts table, {registry column: facts column}): the registry's facts mapping
    (:data:`jiuye.registry.facts.FACTS_MAP`) read the other way, plus what a case lacks — its people are
    keyed by ``__key`` (ID number, else id) and names default to the id."""
    from jiuye.registry.facts import FACTS_MAP

    out = {table: (facts_name, {registry: column for column, registry in columns.items()})
           for table, (facts_name, columns) in FACTS_MAP.items()}  # fmt: skip
    out["persons"][1].update({"id_number": "__key", "name": "id"})
    out["organizations"][1]["name"] = "id"
    return out


_MAP = _case_map()

_PERSON_REFS = ("person",)


def case_sheets(path: Path) -> list[Sheet]:
    """The registry sheets of a case file.  Raises :class:`ReadError` listing the case's problems."""
    from jiuye.rules.case import CaseError, load_case_bytes, parse_case

    if not path.exists():
        raise ReadError(f"文件不存在：{path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise ReadError(f"{path.name}：文件是空的")
    try:
        data = load_case_bytes(raw)
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
