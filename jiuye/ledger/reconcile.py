"""Reconciling the engine's entitlement lines with the ledger: the ledger service through which
entitlement rows are written (matching calls :func:`reconcile` once per chunk).

The lines go into staging tables and a few set-based statements reconcile them with ``entitlements``;
see :func:`reconcile`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jiuye.db.frames import read_frame, write_frame
from jiuye.ledger.models import entitlement_facts, entitlements
from jiuye.ledger.transitions import audit_set
from jiuye.rules.dates import month_end
from jiuye.rules.fingerprint import LINE_FACTS_SCHEMA, fact_changes
from jiuye.rules.money import yuan_text

LIVE = ("found", "approved", "review")  # lines matching may still change (not yet paid, rejected or withdrawn)
_POLICY_ID = re.compile(r"[A-Za-z0-9_.-]+")
SCOPE = "match_scope"
UPDATES = "match_updates"
FINGERPRINTS = "match_fingerprints"
FACT_PAIRS = "match_fact_pairs"
KEY = ["policy", "beneficiary", "subject", "month"]
LINE_SCHEMA: dict[str, Any] = {"policy": pl.String, "beneficiary": pl.String, "subject": pl.String,
                               "month": pl.Date, "amount_fen": pl.Int64, "amount_status": pl.String}  # fmt: skip
STORED_SCHEMA: dict[str, Any] = {"id": pl.Int64, **LINE_SCHEMA, "state": pl.String, "origin": pl.String,
                                 "fact_fingerprint": pl.Int64}  # fmt: skip
FACTS_STORED_SCHEMA: dict[str, Any] = {"policy": pl.String, "subject": pl.String, "stored_fingerprint": pl.Int64}


def _temp_table(session: Session, name: str, columns: str) -> None:
    session.execute(sa.text(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})"))
    session.execute(sa.text(f"DELETE FROM {name}"))


def stored_lines(session: Session, policies: Sequence[str], persons: bool, subjects: pl.Series) -> pl.DataFrame:
    """The ledger lines a reconciliation can touch: the given policies, and for a set of ``persons``
    only the lines whose subject is in ``subjects`` (the persons and every subject of their lines)."""
    if not all(_POLICY_ID.fullmatch(p) for p in policies):
        raise ValueError(f"not a measure id: {list(policies)!r}")
    pol = ", ".join(f"'{p}'" for p in policies)  # checked above: measure ids, never free text
    cols = ("e.id, e.policy, e.beneficiary, e.subject, e.month, e.amount_fen, e.amount_status, e.state, e.origin, "
            "e.fact_fingerprint")
    sql = f"SELECT {cols} FROM entitlements e WHERE e.policy IN ({pol})"
    if session.execute(sa.text(f"SELECT 1 FROM entitlements e WHERE e.policy IN ({pol}) LIMIT 1")).first() is None:
        return pl.DataFrame(schema=STORED_SCHEMA)  # nothing stored for these measures yet (a first run)
    if persons:
        _temp_table(session, SCOPE, "subject TEXT NOT NULL")
        write_frame(session.connection(), SCOPE, subjects.unique().to_frame("subject"))
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.text(f"ANALYZE {SCOPE}"))
        sql += f" AND e.subject IN (SELECT subject FROM {SCOPE})"
    return read_frame(session.connection(), sql, STORED_SCHEMA)


def _new_ids(session: Session, n: int) -> list[int]:
    """``n`` fresh entitlement ids (PostgreSQL: from the id sequence; SQLite: after the largest id, under
    the write lock the chunk's transaction holds since ``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        # drawn server-side; usually one contiguous block (then only its bounds travel), else the array
        seq = session.execute(sa.text("SELECT pg_get_serial_sequence('entitlements', 'id')")).scalar_one()
        low, high, values = session.execute(sa.text(
            "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL ELSE array_agg(v ORDER BY v) END "
            "FROM (SELECT nextval(CAST(:seq AS regclass)) AS v FROM generate_series(1, :n)) AS drawn"
        ), {"seq": seq, "n": n}).one()  # fmt: skip
        if values is None:
            return list(range(int(low), int(high) + 1))
        return [int(v) for v in values]
    top = session.execute(sa.select(sa.func.coalesce(sa.func.max(entitlements.c.id), 0))).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + n))


def _record_changes(session: Session, changed: pl.DataFrame, run_id: int | None) -> None:
    write_frame(session.connection(), "entitlement_changes", changed.select(
        pl.col("id").alias("entitlement_id"), pl.lit(run_id, pl.Int64).alias("run_id"),
        pl.col("amount_fen_old").alias("old_amount_fen"), pl.col("amount_fen").alias("new_amount_fen"),
        pl.col("amount_status_old").alias("old_status"), pl.col("amount_status").alias("new_status"),
        pl.col("state").alias("old_state"), pl.col("new_state"), pl.col("reason"),
    ))  # fmt: skip


def _gone_reasons(session: Session, gone: pl.DataFrame) -> pl.Series:
    """Why a line the rules no longer produce is gone, from the registry's facts about its subject: a death
    or a hukou move-out before the line's month (G13), else the general reason."""
    from jiuye.registry.models import TABLES

    persons = TABLES.get("persons")
    general = "事实变更后重新匹配，不再符合条件"
    if persons is None or not {"died_on", "hukou_moved_out_on"} <= set(persons.c.keys()):
        return pl.Series("reason", [general] * gone.height, dtype=pl.String)
    subjects = sorted(set(gone["subject"].to_list()))
    facts: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for start in range(0, len(subjects), 5000):
        for r in session.execute(
            sa.select(persons.c.id_number, persons.c.died_on, persons.c.hukou_moved_out_on)
            .where(persons.c.id_number.in_(subjects[start : start + 5000]))
        ):
            facts[str(r[0])] = (r[1], r[2])
    out = []
    for subject, month in zip(gone["subject"].to_list(), gone["month"].to_list(), strict=True):
        died, moved = facts.get(subject, (None, None))
        if died is not None and month > month_end(died):
            out.append(f"登记库记录其已于 {died:%Y-%m-%d} 死亡：死亡当月之后不再发放（G13），待复核")
        elif moved is not None and month > month_end(moved):
            out.append(f"登记库记录其户籍已于 {moved:%Y-%m-%d} 迁出本区：迁出当月之后不再发放（G13），待复核")
        else:
            out.append(general)
    return pl.Series("reason", out, dtype=pl.String)


@dataclass
class Reconciled:
    lines: int = 0
    inserted: int = 0
    changed: int = 0
    withdrawn: int = 0


def reconcile(
    session: Session,
    lines: pl.DataFrame,
    *,
    policies: Sequence[str],
    persons: Sequence[str] | None,
    month_from: dt.date,
    month_to: dt.date,
    run_id: int | None,
    actor: str,
    facts: pl.DataFrame | None = None,
) -> Reconciled:
    """Reconcile ``lines`` (the engine's entitlements of ``policies`` for ``persons``; ``persons=None``:
    for everyone) with the ledger — the one way entitlement rows are written by matching.

    - new lines of any month up to ``month_to`` are inserted as ``found`` (arrears included);
    - lines of the window ``month_from``…``month_to`` whose amount/status changed are updated (only while
      ``found``/``approved``/``review``; paid lines are history) and the change is written to
      ``entitlement_changes`` and the audit log (old and new values); an *approved* line so changed goes
      back to ``review`` — its approval (and seal) no longer covers it;
    - ``withdrawn`` lines the facts show again become ``found``;
    - ``found`` lines of the window that the facts no longer show become ``withdrawn``; ``approved`` ones
      go back to ``review`` with the reason (a death or hukou move-out in the registry, G13).

    ``facts`` (the engine's ``line_facts``: policy, subject, fact_fingerprint, facts) are the facts behind the
    lines (issue 9 item 5): every line stores their fingerprint, ``entitlement_facts`` their text.  An
    approved line (of any month, not yet paid) whose fingerprint changed and whose facts read differently
    goes back to ``review`` even when its amount is the same, with the facts that changed, old and new, in
    the review reason and the audit event.  A line stored without a fingerprint (NULL: before revision 0011)
    is never flagged; it gets one.  Found and review lines just take the new fingerprint.

    Every UPDATE is guarded by the state it expects (``… AND state = <old>``): a line paid, rejected or
    reviewed by someone else meanwhile is left alone, and only lines actually moved are recorded.

    The stored lines are read back columnar and compared with ``lines`` in Polars; only the difference is
    written (new lines by bulk insert, changed lines through one ``UPDATE … FROM``).  Every state change
    writes an audit event.  Does not commit.
    """
    res = Reconciled(lines=lines.height)
    # the engine calls it ``status`` (the case format); the ledger column is ``amount_status``
    lines = lines.rename({"status": "amount_status"}, strict=False)
    lines = lines.select(pl.col(c).cast(d) for c, d in LINE_SCHEMA.items())
    facts = pl.DataFrame(schema=LINE_FACTS_SCHEMA) if facts is None else facts.select(list(LINE_FACTS_SCHEMA))
    lines = lines.join(facts.select("policy", "subject", "fact_fingerprint"), on=["policy", "subject"], how="left")
    scope = pl.Series("subject", list(persons or []), dtype=pl.String)
    stored = stored_lines(session, policies, persons is not None, pl.concat([scope, lines["subject"]]))
    policies = list(policies)
    wt = month_end(month_to)
    in_window = (pl.col("month") >= month_from) & (pl.col("month") <= wt)
    # a line granted by a reviewer from an application (issue 13) is the reviewer's decision: matching never
    # withdraws, changes or reopens it (it still counts as stored, so no second line is inserted for its key)
    live = pl.col("state").is_in(LIVE) & (pl.col("origin") != "application")
    now = "CURRENT_TIMESTAMP"

    # 0. the facts behind the lines: which (measure, subject) read differently from what is stored
    both = lines.join(stored, on=KEY, how="inner", suffix="_old")
    fp_moved = pl.col("fact_fingerprint").is_not_null() & pl.col("fact_fingerprint").ne_missing(
        pl.col("fact_fingerprint_old"))
    table = _stored_facts(session, policies, persons is not None, stored)
    suspects = both.filter(live & (pl.col("state") == "approved") & fp_moved
                           & pl.col("fact_fingerprint_old").is_not_null())  # fmt: skip
    facts_changed = _facts_changed(session, suspects, table, facts)

    # 1. changed (found/approved/review, in window) and re-found (withdrawn) lines.  An approved line whose
    #    amount or amount status changed goes back to review (its approval no longer covers it, issue 9), and
    #    so does one (of any month) whose facts changed.
    differs = pl.col("amount_fen").ne_missing(pl.col("amount_fen_old")) | (pl.col("amount_status") != pl.col("amount_status_old"))
    refound_ = (pl.col("state") == "withdrawn") & (pl.col("origin") != "application")
    both = both.join(facts_changed, on=["policy", "subject"], how="left")
    reviewed_facts = (live & (pl.col("state") == "approved") & fp_moved & pl.col("fact_fingerprint_old").is_not_null()
                      & pl.col("facts_summary").is_not_null())  # fmt: skip
    both = both.with_columns(reviewed_facts=reviewed_facts)
    changed = both.filter((in_window & ((live & differs) | refound_)) | pl.col("reviewed_facts")).sort("id")
    # lines whose fingerprint is new or moved without anything to review: the fingerprint is just stored
    silent = both.filter(live & fp_moved).join(changed.select("id"), on="id", how="anti")
    if silent.height:
        _temp_table(session, FINGERPRINTS, "id BIGINT NOT NULL, fact_fingerprint BIGINT NOT NULL, "
                                            "old_state VARCHAR(16) NOT NULL")  # fmt: skip
        write_frame(session.connection(), FINGERPRINTS,
                    silent.select("id", "fact_fingerprint", pl.col("state").alias("old_state")))
        session.execute(sa.text(
            f"UPDATE entitlements SET fact_fingerprint = u.fact_fingerprint FROM {FINGERPRINTS} u "
            f"WHERE entitlements.id = u.id AND entitlements.state = u.old_state AND entitlements.origin = 'match'"
        ))  # fmt: skip
    if changed.height:
        refound = pl.col("state") == "withdrawn"
        amount_moved = differs & ~refound
        new_state = (
            pl.when(refound).then(pl.lit("found"))
            .when(pl.col("state") == "approved").then(pl.lit("review"))
            .otherwise(pl.col("state"))
        )  # fmt: skip
        amount_why = pl.format("金额由 {} 改为 {}（{} → {}）",
                               yuan_text(pl.col("amount_fen_old")).fill_null("待定"),
                               yuan_text(pl.col("amount_fen")).fill_null("待定"),
                               pl.col("amount_status_old"), pl.col("amount_status"))  # fmt: skip
        facts_why = pl.concat_str(pl.lit("所依据的事实改变："), pl.col("facts_summary"))
        why = (
            pl.when(refound).then(pl.lit("事实变更后重新匹配，又符合条件"))
            .otherwise(pl.concat_str(
                pl.lit("事实变更后重新匹配，"),
                pl.concat_str([pl.when(amount_moved).then(amount_why),
                               pl.when(pl.col("reviewed_facts")).then(facts_why)], separator="；", ignore_nulls=True),
            ))
        )  # fmt: skip
        changed = changed.with_columns(new_state=new_state, reason=why)
        _temp_table(session, UPDATES, "id BIGINT NOT NULL, amount_fen BIGINT, amount_status VARCHAR(16) NOT NULL, "
                                      "old_state VARCHAR(16) NOT NULL, new_state VARCHAR(16) NOT NULL, "
                                      "reason TEXT, fact_fingerprint BIGINT")  # fmt: skip
        write_frame(session.connection(), UPDATES, changed.select(
            "id", "amount_fen", "amount_status", pl.col("state").alias("old_state"), "new_state", "reason",
            "fact_fingerprint"))  # fmt: skip
        # guarded: a line that left its state meanwhile (paid, rejected …) is left untouched; the seal of an
        # approval goes with it (a line back in review must be approved again)
        done = {int(r[0]) for r in session.execute(sa.text(
            f"UPDATE entitlements SET amount_fen = u.amount_fen, amount_status = u.amount_status, state = u.new_state, "
            f"fact_fingerprint = COALESCE(u.fact_fingerprint, entitlements.fact_fingerprint), "
            f"approved_seal = CASE WHEN u.new_state = 'approved' THEN entitlements.approved_seal END, "
            f"review_reason = CASE WHEN u.new_state = 'review' THEN u.reason ELSE entitlements.review_reason END, "
            f"last_run = :run, updated_at = {now}, updated_by = :by FROM {UPDATES} u "
            f"WHERE entitlements.id = u.id AND entitlements.state = u.old_state AND entitlements.origin = 'match' "
            f"RETURNING entitlements.id"
        ), {"run": run_id, "by": actor})}  # fmt: skip
        changed = changed.filter(pl.col("id").is_in(sorted(done)))
        _record_changes(session, changed, run_id)
        audit_set(session, changed.filter(refound)["id"].to_list(), "withdrawn", "found", actor,
                  "重新匹配又符合条件", "rematch", {"run": run_id})  # fmt: skip
        for old in LIVE:
            moved = changed.filter((pl.col("state") == old) & amount_moved).sort("id")
            audit_set(session, moved["id"].to_list(), old, str(moved["new_state"][0]) if moved.height else old,
                      actor, "重新匹配：金额或金额状态改变", "amount_changed",
                      {"run": run_id, "old_amount_fen": moved["amount_fen_old"].to_list(),
                       "new_amount_fen": moved["amount_fen"].to_list(),
                       "old_status": moved["amount_status_old"].to_list(),
                       "new_status": moved["amount_status"].to_list(),
                       "facts": moved.select(pl.when(pl.col("reviewed_facts")).then(pl.col("facts_detail")))
                       .to_series().to_list()})  # fmt: skip
        # the amount is the same but the facts behind the approval are not (issue 9 item 5)
        moved = changed.filter((pl.col("state") == "approved") & ~amount_moved & ~refound).sort("id")
        audit_set(session, moved["id"].to_list(), "approved", "review", actor,
                  "重新匹配：所依据的事实改变（金额不变），须重新核准", "facts_changed",
                  {"run": run_id, "facts": moved["facts_detail"].to_list()})  # fmt: skip
        res.changed = changed.height

    # 2. lines no longer found (in window, not yet paid): a found line is withdrawn; an approved line goes
    #    back to review with the reason (e.g. the registry records a death or a hukou move-out, G13)
    gone = stored.filter(pl.col("policy").is_in(policies) & pl.col("state").is_in(["found", "approved"]) & in_window
                         & (pl.col("origin") != "application"))  # fmt: skip
    if persons is not None:
        gone = gone.filter(pl.col("subject").is_in(scope.implode()))
    gone = gone.join(lines, on=KEY, how="anti").sort("id")
    if gone.height:
        gone = gone.with_columns(
            new_state=pl.when(pl.col("state") == "approved").then(pl.lit("review")).otherwise(pl.lit("withdrawn")),
            reason=_gone_reasons(session, gone),
        )
        moved_ids: set[int] = set()
        for old, target in (("found", "withdrawn"), ("approved", "review")):
            part = gone.filter(pl.col("state") == old)
            for start in range(0, part.height, 5000):
                piece = part.slice(start, 5000)
                values: dict[str, Any] = {"state": target, "last_run": run_id, "updated_by": actor,
                                          "updated_at": sa.func.current_timestamp()}  # fmt: skip
                if target == "review":
                    values |= {"approved_seal": None, "review_reason": sa.bindparam("why")}
                    session.execute(
                        sa.update(entitlements)
                        .where(entitlements.c.id == sa.bindparam("eid"), entitlements.c.state == old,
                               entitlements.c.origin == "match")
                        .values(**values),
                        [{"eid": int(i), "why": w} for i, w in zip(piece["id"], piece["reason"], strict=True)],
                    )
                    moved_ids |= {int(x) for x in session.execute(
                        sa.select(entitlements.c.id).where(entitlements.c.id.in_(piece["id"].to_list()),
                                                           entitlements.c.state == target)
                    ).scalars()}  # fmt: skip
                else:
                    moved_ids |= {int(x) for x in session.execute(
                        sa.update(entitlements)
                        .where(entitlements.c.id.in_(piece["id"].to_list()), entitlements.c.state == old,
                               entitlements.c.origin == "match")
                        .values(**values).returning(entitlements.c.id)
                    ).scalars()}  # fmt: skip
        gone = gone.filter(pl.col("id").is_in(sorted(moved_ids)))
        write_frame(session.connection(), "entitlement_changes", gone.select(
            pl.col("id").alias("entitlement_id"), pl.lit(run_id, pl.Int64).alias("run_id"),
            pl.col("amount_fen").alias("old_amount_fen"), pl.lit(None, pl.Int64).alias("new_amount_fen"),
            pl.col("amount_status").alias("old_status"), pl.lit(None, pl.String).alias("new_status"),
            pl.col("state").alias("old_state"), pl.col("new_state"), pl.col("reason"),
        ))  # fmt: skip
        for old, target in (("found", "withdrawn"), ("approved", "review")):
            part = gone.filter(pl.col("state") == old)
            audit_set(session, part["id"].to_list(), old, target, actor, "重新匹配不再符合条件",
                      "withdraw" if target == "withdrawn" else "back_to_review",
                      {"run": run_id, "reasons": part["reason"].to_list()})  # fmt: skip
        res.withdrawn = gone.height

    # 3. new lines (any month up to month_to: arrears included), ids in key order
    new = lines.join(stored.select(KEY), on=KEY, how="anti").sort(KEY)
    if new.height:
        ids = _new_ids(session, new.height)
        new = new.with_columns(
            pl.Series("id", ids, dtype=pl.Int64), state=pl.lit("found"), first_found_run=pl.lit(run_id, pl.Int64),
            last_run=pl.lit(run_id, pl.Int64), created_by=pl.lit(actor), updated_by=pl.lit(actor),
        )  # fmt: skip
        write_frame(session.connection(), "entitlements", new.select(
            "id", "policy", "beneficiary", "subject", "month", "amount_fen", "amount_status", "state", "first_found_run",
            "last_run", "created_by", "updated_by", "fact_fingerprint"), drop_empty=True)  # fmt: skip
        audit_set(session, ids, None, "found", actor, "主动匹配发现", "match", {"run": run_id})
        res.inserted = new.height

    # 4. the facts behind the lines, where they are new or read differently
    _save_facts(session, facts.join(lines.select("policy", "subject").unique(), on=["policy", "subject"]), table,
                run_id)  # fmt: skip
    return res


def _stored_facts(session: Session, policies: Sequence[str], persons: bool, stored: pl.DataFrame) -> pl.DataFrame:
    """The fingerprints in ``entitlement_facts`` of the subjects of the stored lines (facts are stored only
    where lines are) of ``policies``; ``persons``: only those subjects (else every subject)."""
    if stored.is_empty():
        return pl.DataFrame(schema=FACTS_STORED_SCHEMA)
    if not all(_POLICY_ID.fullmatch(p) for p in policies):
        raise ValueError(f"not a measure id: {list(policies)!r}")
    pol = ", ".join(f"'{p}'" for p in policies)  # checked above: measure ids, never free text
    sql = f"SELECT f.policy, f.subject, f.fingerprint FROM entitlement_facts f WHERE f.policy IN ({pol})"
    if persons:
        _temp_table(session, FACT_PAIRS, "policy VARCHAR(16) NOT NULL, subject TEXT NOT NULL")
        write_frame(session.connection(), FACT_PAIRS, stored.select(pl.lit("").alias("policy"), "subject").unique())
        sql += f" AND f.subject IN (SELECT subject FROM {FACT_PAIRS})"
    return read_frame(session.connection(), sql, FACTS_STORED_SCHEMA)


FACTS_CHANGED_SCHEMA: dict[str, Any] = {
    "policy": pl.String, "subject": pl.String, "facts_summary": pl.String,
    "facts_detail": pl.List(pl.Struct({"condition": pl.String, "old": pl.String, "new": pl.String})),
}  # fmt: skip


def _facts_changed(
    session: Session, suspects: pl.DataFrame, table: pl.DataFrame, facts: pl.DataFrame
) -> pl.DataFrame:
    """Of the (measure, subject) pairs of approved lines whose fingerprint moved, those whose facts read
    differently (a fingerprint alone may move with a Polars version): which conditions' values changed,
    old and new — as one readable sentence and as a list.  When the stored facts are not those the line
    was approved on (or none are stored), the old values are unknown and every value is listed as new."""
    if suspects.is_empty():
        return pl.DataFrame(schema=FACTS_CHANGED_SCHEMA)
    pairs = (
        suspects.group_by("policy", "subject")
        .agg(lo=pl.col("fact_fingerprint_old").min(), hi=pl.col("fact_fingerprint_old").max())
        .join(table, on=["policy", "subject"], how="left")
        .join(facts.select("policy", "subject", "facts"), on=["policy", "subject"], how="inner")
    )  # fmt: skip
    _temp_table(session, FACT_PAIRS, "policy VARCHAR(16) NOT NULL, subject TEXT NOT NULL")
    write_frame(session.connection(), FACT_PAIRS, pairs.select("policy", "subject"))
    old = read_frame(session.connection(), (
        f"SELECT f.policy, f.subject, f.facts FROM entitlement_facts f JOIN {FACT_PAIRS} p "
        f"ON p.policy = f.policy AND p.subject = f.subject"
    ), {"policy": pl.String, "subject": pl.String, "old_facts": pl.String})  # fmt: skip
    known = (pl.col("stored_fingerprint") == pl.col("lo")) & (pl.col("stored_fingerprint") == pl.col("hi"))
    pairs = pairs.join(old, on=["policy", "subject"], how="left").with_columns(
        old_facts=pl.when(known).then(pl.col("old_facts")))
    changes = fact_changes(pairs.select("policy", "subject", "old_facts", "facts"))
    sentence = pl.format("{}：{} → {}", pl.col("label"), pl.col("old").fill_null("（未记录）"),
                         pl.col("new").fill_null("（无）"))  # fmt: skip
    return changes.group_by("policy", "subject", maintain_order=True).agg(
        facts_summary=sentence.str.join("；"),
        facts_detail=pl.struct(condition="label", old="old", new="new"),
    ).select(list(FACTS_CHANGED_SCHEMA))  # fmt: skip


def _save_facts(session: Session, facts: pl.DataFrame, table: pl.DataFrame, run_id: int | None) -> None:
    """Store the facts of the pairs whose fingerprint is new or differs from the stored one."""
    write = facts.join(table, on=["policy", "subject"], how="left").filter(
        pl.col("stored_fingerprint").ne_missing(pl.col("fact_fingerprint")))
    if write.is_empty():
        return
    replaced = write.filter(pl.col("stored_fingerprint").is_not_null())
    if replaced.height:
        _temp_table(session, FACT_PAIRS, "policy VARCHAR(16) NOT NULL, subject TEXT NOT NULL")
        write_frame(session.connection(), FACT_PAIRS, replaced.select("policy", "subject"))
        session.execute(sa.text(
            f"DELETE FROM entitlement_facts WHERE EXISTS (SELECT 1 FROM {FACT_PAIRS} p "
            f"WHERE p.policy = entitlement_facts.policy AND p.subject = entitlement_facts.subject)"
        ))  # fmt: skip
    write_frame(session.connection(), entitlement_facts.name, write.select(
        "policy", "subject", pl.col("fact_fingerprint").alias("fingerprint"), "facts",
        pl.lit(run_id, pl.Int64).alias("run_id")), drop_empty=True)  # fmt: skip
