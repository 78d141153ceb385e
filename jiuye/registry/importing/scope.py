"""The uploader's scope on import: a district (and town) account writes only rows of its own district/town.

Checked on whole columns after the other checks, from each table's declared :class:`~jiuye.registry.schema.Scope`:

- a table with its own district/town columns (persons: 户籍; employers, organisations: where registered):
  the row's district must be the uploader's (and the town theirs, for a town account); and a row that
  updates a record already stored must not take over a record of another district or town;
- a table that belongs to a person / employer / organisation (contracts, social insurance, …): the record
  it names — in this upload or, when not there, in the database — must be in the uploader's scope.

A person without a Shanghai 户籍 (no 户籍所在区) may be imported by a district account (e.g. a worker of one
of its employers), never by a town account.  Every out-of-scope row gets a Chinese row error; the upload is
then rejected as a whole, like any other problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from jiuye.registry.importing.readers import ROW
from jiuye.registry.importing.validate import Piece, _with_place
from jiuye.registry.schema import TABLES, Table, enum_label


@dataclass(frozen=True)
class UploadScope:
    district: str
    town: str | None = None

    @property
    def label(self) -> str:
        return enum_label("district", self.district) + (self.town or "")


def _in_scope(scope: UploadScope, district: pl.Expr, town: pl.Expr | None) -> pl.Expr:
    if scope.town is None:
        return district.is_null() | (district == scope.district)
    assert town is not None
    return ((district == scope.district) & (town == scope.town)).fill_null(False)


def _stored_scope(conn: sa.Connection, table: Table, key: str, values: pl.Series) -> pl.DataFrame:
    """``key, district, town`` of the stored rows of ``table`` whose key is among ``values``."""
    from jiuye.registry.models import TABLES as MODELS

    model = MODELS[table.name]
    dcol = table.column(table.scope.district).db_name if table.scope.district else None
    tcol = table.column(table.scope.town).db_name if table.scope.town else None
    kcol = model.c[table.column(key).db_name]
    cols = [kcol.label("k"),
            (model.c[dcol] if dcol else sa.literal(None, sa.String)).label("d"),
            (model.c[tcol] if tcol else sa.literal(None, sa.String)).label("t")]  # fmt: skip
    items = values.drop_nulls().unique().to_list()
    rows: list[tuple[str, str | None, str | None]] = []
    for start in range(0, len(items), 1000):
        part = items[start : start + 1000]
        rows.extend((str(r[0]), r[1], r[2]) for r in conn.execute(sa.select(*cols).where(kcol.in_(part))))
    return pl.DataFrame(rows, schema={"k": pl.String, "d": pl.String, "t": pl.String}, orient="row")


def check_scope(conn: sa.Connection, pieces: list[Piece], scope: UploadScope) -> None:
    """Add a row error to every row outside ``scope`` (in place, like the other checks)."""
    uploaded: dict[str, pl.DataFrame] = {}  # table → key, district, town of its rows in this upload
    for piece in pieces:
        table = piece.table
        if piece.typed is None or not table.scope.district or len(table.key) != 1:
            continue
        key = table.key[0]
        uploaded.setdefault(table.name, pl.DataFrame(schema={"k": pl.String, "d": pl.String, "t": pl.String}))
        uploaded[table.name] = pl.concat([uploaded[table.name], piece.typed.select(
            pl.col(key).cast(pl.String).alias("k"), pl.col(table.scope.district).cast(pl.String).alias("d"),
            (pl.col(table.scope.town) if table.scope.town else pl.lit(None)).cast(pl.String).alias("t"))])  # fmt: skip
    for piece in pieces:
        if piece.typed is None:
            continue
        found = _own(conn, piece, scope) if piece.table.scope.district else _via(conn, piece, scope, uploaded)
        if found is not None and found.height:
            piece.problems = pl.concat([piece.problems, _with_place(piece, found)])


def _own(conn: sa.Connection, piece: Piece, scope: UploadScope) -> pl.DataFrame | None:
    table = piece.table
    assert piece.typed is not None and table.scope.district
    dname, tname = table.scope.district, table.scope.town
    town = pl.col(tname) if tname else None
    column = piece.header(tname if scope.town is not None and tname else dname)
    outside = piece.typed.filter(~_in_scope(scope, pl.col(dname), town))
    found = [outside.select(
        pl.col(ROW).alias("row"), pl.lit(column).alias("column"),
        pl.concat_str([pl.col(dname).cast(pl.String).fill_null(""),
                       (town if town is not None else pl.lit("")).cast(pl.String).fill_null("")]).alias("value"),
        pl.lit(f"不在您的辖区（{scope.label}）：只能导入本辖区的{table.title}").alias("reason"),
    )]  # fmt: skip
    if len(table.key) == 1:  # an update must not take over a record of another district or town
        key = table.key[0]
        stored = _stored_scope(conn, table, key, piece.typed.get_column(key).cast(pl.String))
        theirs = stored.filter(~_in_scope(scope, pl.col("d"), pl.col("t") if tname else None))
        if theirs.height:
            hit = piece.typed.join(theirs.select(pl.col("k").alias(key)), on=key, how="semi")
            found.append(hit.select(
                pl.col(ROW).alias("row"), pl.lit(piece.header(key)).alias("column"),
                pl.col(key).cast(pl.String).alias("value"),
                pl.lit(f"此{table.title}已由其他辖区登记，不在您的辖区（{scope.label}），不能由您导入或修改").alias("reason"),
            ))  # fmt: skip
    return pl.concat(found)


def _via(conn: sa.Connection, piece: Piece, scope: UploadScope, uploaded: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    table = piece.table
    assert piece.typed is not None
    if not table.scope.via:
        return None
    ref = table.column(table.scope.via).ref
    assert ref is not None
    target = TABLES[ref.table]
    if not target.scope.district:
        return None
    values = piece.typed.select(pl.col(ROW), pl.col(table.scope.via).cast(pl.String).alias("k")).drop_nulls()
    if values.is_empty():
        return None
    here = uploaded.get(target.name, pl.DataFrame(schema={"k": pl.String, "d": pl.String, "t": pl.String}))
    missing = values.get_column("k").unique()
    missing = missing.filter(~missing.is_in(here.get_column("k").implode()))
    known = pl.concat([here.unique("k", keep="last"), _stored_scope(conn, target, ref.column, missing)])
    outside = known.filter(~_in_scope(scope, pl.col("d"), pl.col("t") if target.scope.town else None))
    bad = values.join(outside.select("k"), on="k", how="semi")
    return bad.select(
        pl.col(ROW).alias("row"), pl.lit(piece.header(table.scope.via)).alias("column"), pl.col("k").alias("value"),
        pl.lit(f"所指的{target.title}不在您的辖区（{scope.label}），不能由您导入其{table.title}").alias("reason"),
    )  # fmt: skip
