"""The demo district in the registry's own layout: frames per schema table, import CSV files, database.

:func:`registry_frames` turns a :class:`jiuye.demo.base.DemoData` into one frame per table of
:data:`jiuye.registry.schema.TABLES`, in the table's logical columns (people by ID number, employers by
credit code, organisations by organisation number, money in integer fen).  :func:`write_csv` writes them
as import files (Chinese headers, yuan with two decimals, ``是/否``, ``YYYY-MM`` months) that
``jiuye import`` reads back; :func:`write_database` writes them through the import writer
(:func:`jiuye.registry.importing.writer.upsert`) in dependency order, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from jiuye.demo.base import DemoData
from jiuye.rules.money import yuan_text


def _facts_to_registry() -> dict[str, tuple[str, dict[str, str]]]:
    """facts table → (registry table, {registry column: facts column}): the registry's own facts mapping
    (:data:`jiuye.registry.facts.FACTS_MAP`) read the other way, for the tables written as they are
    (persons, employers, organisations and events get their registry-only columns separately)."""
    from jiuye.registry.facts import FACTS_MAP

    separate = {"persons", "employers", "organizations", "org_events"}
    return {facts_name: (table, {registry: column for column, registry in columns.items()})
            for table, (facts_name, columns) in FACTS_MAP.items() if table not in separate}  # fmt: skip


FACTS_TO_REGISTRY = _facts_to_registry()


def _key_maps(data: DemoData) -> dict[str, pl.DataFrame]:
    f = data.facts
    return {
        "persons": f.persons.select(pl.col("id").alias("_from"), pl.col("id_number").alias("_to")),
        "employers": data.extras["employers"].select(pl.col("id").alias("_from"), pl.col("credit_code").alias("_to")),
    }


def _replace(frame: pl.DataFrame, column: str, mapping: pl.DataFrame) -> pl.DataFrame:
    """Replace facts ids in ``column`` by natural keys (a left join; order kept)."""
    return (
        frame.join(mapping.rename({"_from": column}), on=column, how="left", maintain_order="left")
        .drop(column)
        .rename({"_to": column})
    )


def registry_frames(data: DemoData, tables: set[str] | None = None) -> dict[str, pl.DataFrame]:
    """One frame per registry table, in :data:`jiuye.registry.schema.TABLES` logical columns."""
    from jiuye.registry.schema import TABLES

    f = data.facts
    maps = _key_maps(data)
    out: dict[str, pl.DataFrame] = {}
    people = f.persons.join(data.extras["persons"], on="id", how="left", maintain_order="left")
    out["persons"] = people.select(
        "id_number", "name", "birth_date", "gender", "hukou_district", "hukou_town",
        pl.lit(None, pl.String).alias("hukou_village"), "hukou_agricultural", "origin_district", "phone",
        "address", "bank_account", "died_on", "hukou_moved_out_on",
    )  # fmt: skip
    emp = f.employers.join(data.extras["employers"], on="id", how="left", maintain_order="left")
    out["employers"] = emp.select(
        "credit_code", "name", "type", "district", "town", "size", "state_owned", "industry", "bank_account",
        "deregistered_on",
    )
    org = f.organizations.join(data.extras["organizations"], on="id", how="left", maintain_order="left")
    out["organizations"] = org.select(
        pl.col("id").alias("org_id"), "name", "kind", "district", "town", "quality_certified", "credit_code",
        "bank_account", "deregistered_on",
    )
    names = data.extras.get("events")
    events = f.events
    if names is not None and names.height:
        events = events.join(names, on="event_id", how="left", maintain_order="left")
    else:
        events = events.with_columns(pl.lit(None, pl.String).alias("name"))
    out["org_events"] = events.select("event_id", "org", "name", "held_on", "cost_fen")
    for facts_table, (table, mapping) in FACTS_TO_REGISTRY.items():
        if tables is not None and table not in tables:
            continue
        frame = getattr(f, facts_table).select([pl.col(src).alias(dst) for dst, src in mapping.items()])
        if "person" in frame.columns:
            frame = _replace(frame, "person", maps["persons"])
        if "employer" in frame.columns:
            frame = _replace(frame, "employer", maps["employers"])
        out[table] = frame
    for table, frame in list(out.items()):
        spec = TABLES[table]
        for col in spec.columns:  # columns the schema has that the generator has no value for
            if col.name not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.String).alias(col.name))
        out[table] = frame.select(spec.column_names)
    if tables is not None:
        out = {k: v for k, v in out.items() if k in tables}
    return out


def storable(frames: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], dict[str, int]]:
    """Rows the registry cannot hold with its current schema are left out, counted per table.

    The registry requires an employer's district (注册所在区), so employers outside Shanghai, and the
    contracts and insurance months that name them, cannot be stored; the facts keep them.
    """
    from jiuye.registry.schema import TABLES

    dropped: dict[str, int] = {}
    out = dict(frames)
    if TABLES["employers"].column("district").required and "employers" in out:
        emp = out["employers"]
        outside = emp.filter(pl.col("district").is_null())["credit_code"]
        if outside.len():
            out["employers"] = emp.filter(pl.col("district").is_not_null())
            dropped["employers"] = outside.len()
            for table in ("contracts", "social_insurance"):
                if table in out:
                    before = out[table].height
                    out[table] = out[table].filter(~pl.col("employer").is_in(outside.implode()).fill_null(False))
                    dropped[table] = before - out[table].height
    return out, dropped


# --------------------------------------------------------------------------- CSV files
def _file_expr(col_type: str, name: str) -> pl.Expr:
    c = pl.col(name)
    if col_type == "month":
        return c.dt.strftime("%Y-%m")
    if col_type == "date":
        return c.dt.strftime("%Y-%m-%d")
    if col_type == "money":
        return yuan_text(c)
    if col_type == "bool":
        return pl.when(c).then(pl.lit("是")).when(~c).then(pl.lit("否"))
    return c.cast(pl.String)


def write_csv(frames: dict[str, pl.DataFrame], out_dir: Path) -> list[tuple[Path, int]]:
    """Import files, one ``<table>.csv`` per table (UTF-8, Chinese headers); returns (path, rows)."""
    from jiuye.registry.schema import TABLES

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table, frame in frames.items():
        spec = TABLES[table]
        text = frame.select([_file_expr(col.type, col.name).alias(col.header) for col in spec.columns])
        path = out_dir / f"{table}.csv"
        text.write_csv(path)
        written.append((path, frame.height))
    return written


def write_payments_csv(data: DemoData, out_dir: Path) -> Path:
    """Past payments (facts ``payments``) — not a registry table; written for the ledger's use."""
    path = out_dir / "payments" / "payments.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    maps = _key_maps(data)
    pay = data.facts.payments
    persons = maps["persons"]
    employers = maps["employers"]
    both = pl.concat([persons, employers])
    pay = _replace(_replace(pay, "subject", persons), "beneficiary", both.vstack(pl.DataFrame(
        {"_from": data.facts.organizations["id"], "_to": data.facts.organizations["id"]})))  # fmt: skip
    pay.select(
        "policy", "beneficiary", "subject", pl.col("month").dt.strftime("%Y-%m"),
        _file_expr("money", "amount_fen").alias("amount"),
    ).write_csv(path)  # fmt: skip
    return path


# --------------------------------------------------------------------------- database
Progress = Callable[[str, int, int], None]


def write_database(
    conn: object,
    frames: dict[str, pl.DataFrame],
    *,
    by: str = "demo-data",
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write ``frames`` through the import writer, in dependency order (the caller commits)."""
    import sqlalchemy as sa

    from jiuye.registry.importing import writer
    from jiuye.registry.schema import TABLES, dependency_order

    assert isinstance(conn, sa.Connection)
    stamp = now or dt.datetime.now(dt.UTC)
    counts: dict[str, int] = {}
    for name in dependency_order():
        if name not in frames:
            continue
        result = writer.upsert(conn, TABLES[name], frames[name], by, stamp, progress)
        counts[name] = result.inserted + result.updated
    return counts
