"""The rules engine's facts frames, read from the registry database.

:func:`load_facts` builds a :class:`jiuye.rules.facts.Facts` for every registered person, the people
of a district, or a list of ID numbers, together with the employers and organisations they name.
Ids in the facts: person = ID number, employer = credit code, organisation = ``org_id``.

Columnar throughout: each table is one ``SELECT`` of its stored columns (no SQL joins), references are
turned into natural keys with Polars joins against the key maps of ``persons``, ``employers`` and
``organizations``.  For a whole-population extract from PostgreSQL the ADBC driver (Arrow, C) is used
when installed — it reads *committed* data through its own connection; otherwise, and for SQLite or a
set of persons, the session's own connection is used (PostgreSQL ``COPY``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.frames import Reader, adbc_reader, read_frame
from jiuye.registry import schema
from jiuye.registry.models import TABLES
from jiuye.registry.store import IN_LIST_LIMIT
from jiuye.rules.facts import Facts

# registry table → (facts table, {facts column: registry logical column})
FACTS_MAP: dict[str, tuple[str, dict[str, str]]] = {
    "persons": ("persons", {
        "id": "id_number", "id_number": "id_number", "birth_date": "birth_date", "gender": "gender",
        "hukou_district": "hukou_district", "hukou_agricultural": "hukou_agricultural",
        "origin_district": "origin_district", "died_on": "died_on", "hukou_moved_out_on": "hukou_moved_out_on",
    }),
    "education": ("education", {
        "person": "person", "level": "level", "full_time": "full_time", "graduation_date": "graduation_date",
        "school_district": "school_district",
    }),
    "statuses": ("statuses", {"person": "person", "kind": "kind", "start": "start", "end": "end"}),
    "unemployment_registrations": ("unemployment", {"person": "person", "start": "start", "end": "end"}),
    "flexible_employment": ("flexible", {"person": "person", "start": "registered_on", "end": "ended_on"}),
    "contracts": ("contracts", {
        "person": "person", "employer": "employer", "start": "start", "end": "end", "registered": "registered",
        "referred_by": "referred_by",
    }),
    "social_insurance": ("social_insurance", {
        "person": "person", "month": "month", "scheme": "scheme", "employer": "employer",
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
    "skill_evaluations": ("skill_evaluations", {"person": "person", "level": "level", "date": "date",
                                                "fee_fen": "fee_fen"}),
    "employers": ("employers", {
        "id": "credit_code", "name": "name", "type": "type", "district": "district", "size": "size",
        "state_owned": "state_owned", "deregistered_on": "deregistered_on",
    }),
    "organizations": ("organizations", {"id": "org_id", "kind": "kind", "district": "district",
                                        "quality_certified": "quality_certified",
                                        "deregistered_on": "deregistered_on"}),
    "org_evaluations": ("evaluations", {"org": "org", "year": "year", "grade": "grade",
                                        "published_on": "published_on"}),
    "org_city_subsidies": ("city_subsidies", {"org": "org", "year": "year", "amount_fen": "amount_fen",
                                              "granted_on": "granted_on"}),
    "org_events": ("events", {"org": "org", "event_id": "event_id", "held_on": "held_on",
                              "cost_fen": "cost_fen"}),
    "org_awards": ("awards", {"event_id": "event", "place": "place", "winner": "winner"}),
    "org_landings": ("landings", {
        "org": "org", "registered_on": "registered_on", "award_on": "award_on",
        "approved_amount_fen": "approved_amount_fen", "operating_normally": "operating_normally",
        "employs_jinshan_hukou": "employs_jinshan_hukou",
    }),
}  # fmt: skip

PERSON_TABLES = tuple(n for n, t in schema.TABLES.items() if t.scope.via == "person" and n in FACTS_MAP)
ORG_TABLES = ("org_evaluations", "org_city_subsidies", "org_events", "org_landings")

Fetcher = Callable[[sa.Select[Any], dict[str, Any]], pl.DataFrame]

_POLARS: dict[str, Any] = {
    "str": pl.String, "date": pl.Date, "month": pl.Date, "bool": pl.Boolean, "int": pl.Int64,
    "money": pl.Int64, "enum": pl.String, "town": pl.String,
}  # fmt: skip


def _stored_select(table: str, where: Sequence[Any]) -> tuple[sa.Select[Any], dict[str, Any]]:
    """SELECT of the stored columns needed for the facts (reference ids instead of natural keys)."""
    spec, t = schema.TABLES[table], TABLES[table]
    needed = set(FACTS_MAP[table][1].values())
    cols, dtypes = [], {}
    for col in spec.columns:
        if col.name not in needed:
            continue
        cols.append(t.c[col.db_name].label(col.name))
        dtypes[col.name] = pl.Int64 if col.ref is not None else _POLARS[col.type]
    stmt = sa.select(*cols)
    for w in where:
        stmt = stmt.where(w)
    return stmt, dtypes


def load_facts(
    session: Session,
    persons: list[str] | None = None,
    district: str | None = None,
    *,
    fast: bool | None = None,
    reader: Reader | None = None,
) -> Facts:
    """Facts for every person (``persons=None``), the given ID numbers, or the people of ``district``.

    ``district`` (a slug such as ``jinshan``) selects the people whose hukou is in the district or who
    have a contract with an employer registered there, and adds the district's employers and
    organisations.  With ``persons`` and ``district`` both None, everything is loaded.

    Employers and organisations named by the selected people's rows are always included, and so are
    the award winners of the included organisations' events.  ``payments`` is empty (the registry
    has no payments yet).  ``fast`` forces (True) or forbids (False) the ADBC path; by default it is
    used for whole-population extracts from PostgreSQL.  ``reader``: read every table through it instead
    (e.g. :func:`jiuye.db.frames.snapshot_reader`, so that all tables come from one committed state); the
    caller closes it.
    """
    conn = session.connection()
    everything = persons is None and district is None
    fetcher: Reader | None = reader
    if reader is None and (fast or (fast is None and everything)):
        fetcher = adbc_reader(session.get_bind())

    def fetch(stmt: sa.Select[Any], dtypes: dict[str, Any]) -> pl.DataFrame:
        if fetcher is not None:
            return fetcher(stmt, dtypes)
        return read_frame(conn, stmt, dtypes)

    temp: list[str] = []
    try:
        return _load(conn, fetch, persons, district, temp)
    finally:
        for name in temp:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        if fetcher is not None and fetcher is not reader:
            fetcher.close()


def _load(
    conn: sa.Connection,
    fetch: Fetcher,
    persons: list[str] | None,
    district: str | None,
    temp: list[str],
) -> Facts:
    P, E, OR = TABLES["persons"], TABLES["employers"], TABLES["organizations"]
    EV = TABLES["org_events"]
    everything = persons is None and district is None

    # -- which people ---------------------------------------------------------------------------
    person_ids: Any = None  # a SQL expression yielding persons.id, or None for all
    if persons is not None:
        wanted = sorted(set(persons))
        if len(wanted) > IN_LIST_LIMIT:
            name = "tmp_jiuye_facts_persons"
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} (id_number VARCHAR(18) PRIMARY KEY)")
            temp.append(name)
            tmp = sa.table(name, sa.column("id_number"))
            conn.execute(sa.insert(tmp), [{"id_number": w} for w in wanted])
            cond: Any = P.c.id_number.in_(sa.select(tmp.c.id_number))
        else:
            cond = P.c.id_number.in_(wanted)
        if district is not None:
            cond = sa.and_(cond, _in_district(district))
        person_ids = sa.select(P.c.id).where(cond)
    elif district is not None:
        person_ids = sa.select(P.c.id).where(_in_district(district))

    def person_where(table: str) -> list[Any]:
        if person_ids is None:
            return []
        col = P.c.id if table == "persons" else TABLES[table].c.person_id
        return [col.in_(person_ids)]

    raw: dict[str, pl.DataFrame] = {}
    for table in ("persons", *PERSON_TABLES):
        stmt, dtypes = _stored_select(table, person_where(table))
        if table == "persons":
            stmt = stmt.add_columns(P.c.id.label("_id"))
            dtypes = {**dtypes, "_id": pl.Int64}
        raw[table] = fetch(stmt, dtypes)

    # -- which employers and organisations -----------------------------------------------------------
    def ids(frames: list[tuple[str, str]]) -> pl.Series:
        parts = [raw[t][c].drop_nulls() for t, c in frames if raw[t].height]
        return pl.concat(parts).unique() if parts else pl.Series([], dtype=pl.Int64)

    def entity_where(table: Any, referenced: pl.Series) -> list[Any]:
        if everything:
            return []
        conds: list[Any] = [table.c.district == district] if district is not None else []
        values = referenced.to_list()
        if values:
            conds.append(table.c.id.in_(values))
        return [sa.or_(*conds)] if conds else [sa.false()]

    emp_stmt, emp_types = _stored_select("employers", entity_where(E, ids(
        [("contracts", "employer"), ("social_insurance", "employer")])))
    raw["employers"] = fetch(emp_stmt.add_columns(E.c.id.label("_id")), {**emp_types, "_id": pl.Int64})

    org_refs = ids(
        [("contracts", "referred_by"), ("internships", "base"), ("certificates", "training_institution")]
    )
    org_where = entity_where(OR, org_refs)
    if not everything:  # close over award winners: a host's events name their winners
        A = TABLES["org_awards"]
        chosen = set(fetch(sa.select(OR.c.id.label("id")).where(*org_where), {"id": pl.Int64})["id"].to_list())
        pairs = fetch(
            sa.select(EV.c.org_id.label("host"), A.c.winner_id.label("winner")).join(EV, A.c.event_id == EV.c.id),
            {"host": pl.Int64, "winner": pl.Int64},
        )
        while True:
            more = set(pairs.filter(pl.col("host").is_in(list(chosen)))["winner"].to_list()) - chosen
            if not more:
                break
            chosen |= more
        org_where = [OR.c.id.in_(sorted(chosen))] if chosen else [sa.false()]
    org_stmt, org_types = _stored_select("organizations", org_where)
    raw["organizations"] = fetch(org_stmt.add_columns(OR.c.id.label("_id")), {**org_types, "_id": pl.Int64})

    org_ids = raw["organizations"]["_id"].to_list()
    for table in ORG_TABLES:
        where = [] if everything else [TABLES[table].c.org_id.in_(org_ids) if org_ids else sa.false()]
        stmt, dtypes = _stored_select(table, where)
        raw[table] = fetch(stmt, dtypes)
    A = TABLES["org_awards"]
    where = [] if everything else [EV.c.org_id.in_(org_ids) if org_ids else sa.false()]
    stmt, dtypes = _stored_select("org_awards", [])
    stmt = stmt.select_from(A.join(EV, A.c.event_id == EV.c.id)).add_columns(EV.c.org_id.label("_org"))
    for w in where:
        stmt = stmt.where(w)
    raw["org_awards"] = fetch(stmt, {**dtypes, "_org": pl.Int64})
    return _to_facts(fetch, raw)


def _in_district(district: str) -> Any:
    P, E, C = TABLES["persons"], TABLES["employers"], TABLES["contracts"]
    works_there = sa.select(C.c.person_id).join(E, C.c.employer_id == E.c.id).where(E.c.district == district)
    return sa.or_(P.c.hukou_district == district, P.c.id.in_(works_there))


def _to_facts(fetch: Fetcher, raw: dict[str, pl.DataFrame]) -> Facts:
    """Replace reference ids by natural keys and rename to the facts schemas."""
    persons = raw["persons"].select(pl.col("_id"), pl.col("id_number").alias("_key"))
    employers = raw["employers"].select(pl.col("_id"), pl.col("credit_code").alias("_key"))
    orgs = raw["organizations"].select(pl.col("_id"), pl.col("org_id").alias("_key"))
    no_events = pl.DataFrame(schema={"_id": pl.Int64, "_key": pl.String})
    maps = {"persons": persons, "employers": employers, "organizations": orgs, "org_events": no_events}

    def key_frame(target: str, values: pl.Series) -> pl.DataFrame:
        """Keys of ``target`` for ``values`` (ids); fetches rows not loaded (e.g. an employer elsewhere)."""
        known = maps[target]
        present = values.drop_nulls().unique()
        missing = present.filter(~present.is_in(known["_id"].implode()))
        if missing.len() == 0:
            return known
        spec = schema.TABLES[target]
        t = TABLES[target]
        key_col = t.c[spec.column(spec.key[0]).db_name]
        extra = fetch(
            sa.select(t.c.id.label("_id"), key_col.label("_key")).where(t.c.id.in_(missing.to_list())),
            {"_id": pl.Int64, "_key": pl.String},
        )
        maps[target] = pl.concat([known, extra])
        return maps[target]

    frames: dict[str, pl.DataFrame] = {}
    for table, (facts_table, mapping) in FACTS_MAP.items():
        frame = raw[table]
        spec = schema.TABLES[table]
        for col in spec.references:
            if col.name not in frame.columns:
                continue
            assert col.ref is not None
            keys = key_frame(col.ref.table, frame[col.name])
            frame = (
                frame.join(keys.rename({"_id": col.name, "_key": "_k"}), on=col.name, how="left",
                           maintain_order="left")
                .drop(col.name)
                .rename({"_k": col.name})
            )  # fmt: skip
        if table == "org_awards":
            frame = frame.join(
                orgs.rename({"_id": "_org", "_key": "org"}), on="_org", how="left", maintain_order="left"
            )
            mapping = {"org": "org", **mapping}
        frame = frame.select(pl.col(src).alias(dst) for dst, src in mapping.items())
        if table == "persons":
            origin = pl.coalesce("origin_district", "hukou_district").alias("origin_district")
            frame = frame.with_columns(origin)
        elif table == "contracts":
            frame = frame.with_columns(
                pl.concat_str([pl.col("person"), pl.col("employer"), pl.col("start").cast(pl.String)],
                              separator="#").alias("contract_id")
            )  # fmt: skip
        elif table == "internships":
            frame = frame.with_columns(
                pl.concat_str([pl.col("person"), pl.col("base"), pl.col("start").cast(pl.String)],
                              separator="#").alias("internship_id")
            )  # fmt: skip
        frames[facts_table] = frame
    return Facts.from_frames(**frames)
