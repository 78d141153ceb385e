"""Fund-supervision checks: one pure function per check, whole-column Polars work, no loop over people.

Every check returns a frame of *flags* (疑点) with :data:`FLAG_SCHEMA`: a flag asks a person to review a
case; nothing is rejected or withheld automatically.  Each flag cites the fund-safety clause
(金就办〔2023〕1号 六(三) / 沪崇就办〔2023〕2号 (十六)) and the clause of the measure it protects, and explains
itself in Chinese.  ``(check, subject_kind, subject_id, flag_key)`` identifies a flag across runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from jiuye.rules.identifiers import credit_code_valid, id_number_valid, mask
from jiuye.rules.money import yuan_text
from jiuye.rules.shared import DISTRICT_NAMES, EMPLOYER_TYPE_LABELS, JINSHAN_EMPLOYER_EXCLUSION
from jiuye.supervision.frames import Inputs, measures_frame, parameters

S, D = pl.String, pl.Date

FLAG_SCHEMA: dict[str, Any] = {
    "check": S, "clause": S, "district": S, "subject_kind": S, "subject_id": S, "related_ids": S,
    "month": D, "flag_key": S, "detail": S, "severity": S,
}  # fmt: skip

CHECK_TITLES: dict[str, str] = {
    "double_claim": "同一人员同月被多家单位申领按人补贴",
    "dual_insurance": "同月在两家单位参保且两家均申领补贴",
    "incompatible": "同一人员享受了不能同时享受的补贴",
    "after_death": "人员死亡后仍有发放",
    "after_hukou_move": "户籍迁出后仍发放以本区户籍为条件的补贴",
    "after_deregistration": "单位注销后仍有发放",
    "excluded_employer": "不属于补贴范围的单位类型领取补贴",
    "outside_district": "区外单位或未登记单位领取本区补贴",
    "churning": "补贴期满后集中终止劳动合同",
    "shared_contact": "多名受助人员共用同一电话、地址或银行账号",
    "employer_shared_contact": "单位招用的受助人员共用同一电话、地址或银行账号",
    "invalid_id": "受助人员身份证号码无效",
    "invalid_credit_code": "受助单位统一社会信用代码无效",
    "amount_above_cap": "单笔发放金额超过补贴标准",
    "months_above_cap": "累计发放月数或次数超过上限",
}

SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
FIELD_LABELS = {"phone": "联系电话", "address": "居住地址", "bank_account": "银行账号"}


def empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAG_SCHEMA)


def _finish(frame: pl.DataFrame, check: str, severity: str) -> pl.DataFrame:
    return frame.with_columns(check=pl.lit(check), severity=pl.lit(severity)).select(
        [pl.col(n).cast(t) for n, t in FLAG_SCHEMA.items()]
    )


def month_text(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%Y年%-m月")


def month_of(expr: pl.Expr) -> pl.Expr:
    return expr.dt.truncate("1mo")


def _joined(expr: pl.Expr, sep: str = ",") -> pl.Expr:
    return expr.cast(S).unique().sort().str.join(sep)



def _subsidy_context() -> dict[str, pl.Expr]:
    """What every flag says about the money involved: the measures, their clauses, district and fund clause."""
    return {
        "policies": _joined(pl.col("policy"), "、"),
        "clauses": _joined(pl.col("measure_clause"), "；"),
        "district": pl.col("district").first(),
        "fund": pl.col("fund_clause").first(),
    }

def _lines(inputs: Inputs) -> pl.DataFrame:
    """Paid lines with the measure's supervision attributes (unknown measures keep nulls)."""
    return inputs.paid().join(measures_frame(), on="policy", how="left")


def _person_lines(inputs: Inputs) -> pl.DataFrame:
    return _lines(inputs).filter(pl.col("subject_is_person")).with_columns(person=pl.col("subject"))


def _groups_with(frame: pl.DataFrame, by: list[str], distinct: str, at_least: int) -> pl.DataFrame:
    """The rows of ``frame`` in groups ``by`` with at least ``at_least`` distinct ``distinct`` values.

    Counting first and aggregating text only for the few groups left keeps the checks fast."""
    keep = frame.group_by(by).agg(_n=pl.col(distinct).n_unique()).filter(pl.col("_n") >= at_least)
    return frame.join(keep.select(by), on=by, how="semi")


def _clause_of(fund: pl.Expr, measure_clauses: pl.Expr) -> pl.Expr:
    return fund + pl.lit("；") + measure_clauses


# --- 1. a worker claimed by two employers ------------------------------------------------------------


def double_claim(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs).filter(pl.col("beneficiary_kind") == "employer_per_worker")
    lines = _groups_with(
        lines.select("person", "month", "beneficiary", "policy", "measure_clause", "fund_clause", "district"),
        ["person", "month"],
        "beneficiary",
        2,
    )
    g = (
        lines.group_by("person", "month")
        .agg(
            n=pl.col("beneficiary").n_unique(),
            employers=_joined(pl.col("beneficiary"), "、"),
            **_subsidy_context(),
        )
        .filter(pl.col("n") >= 2)
    )
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("person"),
        subject_id=pl.col("person"),
        related_ids=pl.col("employers"),
        flag_key=pl.col("month").dt.strftime("%Y-%m"),
        detail=pl.format(
            "人员 {} 在{}被 {} 家单位同时申领按人补贴（{}）：{}。同一人员同一月份只能由一家单位实际用工，"
            "请核实是否虚报冒领。",
            mask(pl.col("person")), month_text(pl.col("month")), pl.col("n"), pl.col("policies"),
            pl.col("employers"),
        ),
    )  # fmt: skip
    return _finish(out, "double_claim", "high")


def dual_insurance(inputs: Inputs) -> pl.DataFrame:
    """Insured under two employers in one month, and both employers claim the worker (any month)."""
    si = (
        inputs.social_insurance.filter(
            pl.col("paid").fill_null(False)
            & (pl.col("scheme") == "urban_employee")
            & pl.col("employer").is_not_null()
        )
        .select("person", "month", "employer")
        .unique()
    )
    multi = si.join(
        si.group_by("person", "month").agg(n=pl.col("employer").n_unique()).filter(pl.col("n") >= 2),
        on=["person", "month"],
    )
    lines = _person_lines(inputs).filter(pl.col("beneficiary_kind") == "employer_per_worker")
    claims = lines.group_by("person", "beneficiary").agg(
        policies=pl.col("policy").unique(), fund=pl.col("fund_clause").first(),
        clauses=pl.col("measure_clause").unique(), district=pl.col("district").first(),
    )  # fmt: skip
    both = multi.join(claims, left_on=["person", "employer"], right_on=["person", "beneficiary"])
    per_month = both.group_by("person", "month").agg(
        claimers=pl.col("employer").unique(), policies=pl.col("policies").list.explode(keep_nulls=False, empty_as_null=False).unique(),
        clauses=pl.col("clauses").list.explode(keep_nulls=False, empty_as_null=False).unique(), fund=pl.col("fund").first(),
        district=pl.col("district").first(),
    ).filter(pl.col("claimers").list.len() >= 2)  # fmt: skip
    g = per_month.group_by("person").agg(
        month=pl.col("month").min(), n_months=pl.len(),
        claimers=_joined(pl.col("claimers").list.explode(keep_nulls=False, empty_as_null=False), "、"),
        policies=_joined(pl.col("policies").list.explode(keep_nulls=False, empty_as_null=False), "、"),
        clauses=_joined(pl.col("clauses").list.explode(keep_nulls=False, empty_as_null=False), "；"),
        fund=pl.col("fund").first(), district=pl.col("district").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("person"), subject_id=pl.col("person"), related_ids=pl.col("claimers"),
        flag_key=pl.col("claimers"),
        detail=pl.format(
            "人员 {} 自{}起共 {} 个月同时在多家单位缴纳城镇职工社会保险，且这些单位均为其申领了按人补贴（{}）：{}。"
            "请核实实际用人单位，防止重复申领。",
            mask(pl.col("person")), month_text(pl.col("month")), pl.col("n_months"), pl.col("policies"),
            pl.col("claimers"),
        ),
    )  # fmt: skip
    return _finish(out, "dual_insurance", "medium")


# --- 2. measures that cannot both apply --------------------------------------------------------------


def incompatible_pairs() -> pl.DataFrame:
    """The list of measure pairs that cannot both apply to one person, with scope, reason and clauses."""
    from jiuye.supervision.frames import doc_of

    rows = [
        {
            "a": p["a"], "b": p["b"], "scope": p["scope"], "reason": p["reason"],
            "pair_clause": "；".join(
                f"{doc_of(m)} {c}（{m}）" for m, c in zip((p["a"], p["b"]), p["clauses"] * 2, strict=False)
            ) if p["a"] != p["b"] else f"{doc_of(p['a'])} {p['clauses'][0]}（{p['a']}）",
        }
        for p in parameters()["incompatible"]
    ]  # fmt: skip
    return pl.DataFrame(rows, schema={"a": S, "b": S, "scope": S, "reason": S, "pair_clause": S})


def incompatible(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs).select(
        "person", "policy", "beneficiary", "month", "fund_clause", "district"
    )
    pairs = incompatible_pairs()
    a = lines.join(pairs, left_on="policy", right_on="a").rename({"month": "month_a", "beneficiary": "ben_a"})
    b = lines.select("person", b="policy", month_b="month", ben_b="beneficiary")
    cross = a.filter(pl.col("scope") != "repeat").join(b, on=["person", "b"])
    cross = cross.filter((pl.col("scope") != "same_month") | (pl.col("month_a") == pl.col("month_b")))
    pair_hits = cross.group_by("person", "policy", "b").agg(
        month=pl.min_horizontal(pl.col("month_a").min(), pl.col("month_b").min()),
        months=_joined(pl.col("month_a").filter(pl.col("scope") == "same_month").dt.strftime("%Y-%m"), "、"),
        related=_joined(pl.concat_list("ben_a", "ben_b").list.explode(keep_nulls=False, empty_as_null=False), "、"),
        reason=pl.col("reason").first(), pair_clause=pl.col("pair_clause").first(),
        fund=pl.col("fund_clause").first(), district=pl.col("district").first(), scope=pl.col("scope").first(),
    )  # fmt: skip
    repeats = (
        a.filter(pl.col("scope") == "repeat")
        .group_by("person", "policy", "b")
        .agg(
            n=pl.len(), month=pl.col("month_a").min(),
            months=_joined(pl.col("month_a").dt.strftime("%Y-%m"), "、"),
            related=_joined(pl.col("ben_a"), "、"),
            reason=pl.col("reason").first(), pair_clause=pl.col("pair_clause").first(),
            fund=pl.col("fund_clause").first(), district=pl.col("district").first(), scope=pl.col("scope").first(),
        )
        .filter(pl.col("n") >= 2)
    )  # fmt: skip
    both = pl.concat([pair_hits.with_columns(n=pl.lit(2, pl.UInt32)), repeats], how="diagonal_relaxed")
    what = (
        pl.when(pl.col("scope") == "repeat")
        .then(pl.format("{} 发放了 {} 次（{}）", pl.col("policy"), pl.col("n"), pl.col("months")))
        .when(pl.col("scope") == "same_month")
        .then(pl.format("{} 与 {} 在同一月份均有发放（{}）", pl.col("policy"), pl.col("b"), pl.col("months")))
        .otherwise(pl.format("{} 与 {} 均有发放", pl.col("policy"), pl.col("b")))
    )
    out = both.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("pair_clause")),
        subject_kind=pl.lit("person"), subject_id=pl.col("person"), related_ids=pl.col("related"),
        flag_key=pl.format("{}|{}", pl.col("policy"), pl.col("b")),
        detail=pl.format("人员 {}：{}，收款方 {}。{}。", mask(pl.col("person")), what, pl.col("related"),
                         pl.col("reason")),
    )  # fmt: skip
    return _finish(out, "incompatible", "high")


# --- 3. payments after death, hukou moving away, deregistration --------------------------------------


def _after(
    lines: pl.DataFrame, event: str, check: str, what: str, subject_kind: str, subject_col: str
) -> pl.DataFrame:
    late = lines.filter(pl.col("month") > month_of(pl.col(event)))
    g = late.group_by(subject_col, "policy", "beneficiary").agg(
        month=pl.col("month").min(), n=pl.col("month").n_unique(), amount=pl.col("amount_fen").sum(),
        event_on=pl.col(event).first(), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("measure_clause")),
        subject_kind=pl.lit(subject_kind), subject_id=pl.col(subject_col), related_ids=pl.col("beneficiary"),
        flag_key=pl.format("{}|{}", pl.col("policy"), pl.col("beneficiary")),
        detail=pl.format(
            "{} {} 于 {} {}，但 {} 仍在此后 {} 个月（自{}起）向 {} 发放共 {}。请核实并追回。",
            pl.lit("人员" if subject_kind == "person" else "单位"),
            mask(pl.col(subject_col)) if subject_kind == "person" else pl.col(subject_col),
            pl.col("event_on").dt.strftime("%Y-%m-%d"), pl.lit(what), pl.col("policy"), pl.col("n"),
            month_text(pl.col("month")), mask(pl.col("beneficiary")), yuan_text(pl.col("amount"), "元"),
        ),
    )  # fmt: skip
    return _finish(out, check, "high")


def after_death(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs).join(
        inputs.persons.select(person="id", died_on="died_on").filter(pl.col("died_on").is_not_null()),
        on="person",
    )
    return _after(lines, "died_on", "after_death", "死亡", "person", "person")


def after_hukou_move(inputs: Inputs) -> pl.DataFrame:
    lines = (
        _person_lines(inputs)
        .filter(pl.col("hukou"))
        .join(
            inputs.persons.select(person="id", moved="hukou_moved_out_on").filter(
                pl.col("moved").is_not_null()
            ),
            on="person",
        )
    )
    return _after(lines, "moved", "after_hukou_move", "户籍迁出本区", "person", "person")


def after_deregistration(inputs: Inputs) -> pl.DataFrame:
    """Needs ``employers.deregistered_on``; the registry schema has no such column yet (finds nothing)."""
    lines = _lines(inputs).join(
        inputs.employers.select(employer="id", dereg="deregistered_on").filter(pl.col("dereg").is_not_null()),
        left_on="beneficiary", right_on="employer",
    ).with_columns(employer=pl.col("beneficiary"))  # fmt: skip
    return _after(lines, "dereg", "after_deregistration", "注销", "employer", "employer")


# --- 4. employer type and district --------------------------------------------------------------------


def _employer_lines(inputs: Inputs) -> pl.DataFrame:
    return (
        _lines(inputs)
        .filter(pl.col("beneficiary_kind").is_in(["employer", "employer_per_worker"]))
        .join(
            inputs.employers.select(employer="id", type="type", emp_district="district", known=pl.lit(True)),
            left_on="beneficiary", right_on="employer", how="left",
        )
    )  # fmt: skip


def _employer_flags(
    hits: pl.DataFrame, check: str, detail: Callable[[], pl.Expr], clause: pl.Expr
) -> pl.DataFrame:
    g = hits.group_by("beneficiary", "policy").agg(
        month=pl.col("month").min(), n=pl.len(), workers=pl.col("subject").n_unique(),
        amount=pl.col("amount_fen").sum(), type=pl.col("type").first(), emp_district=pl.col("emp_district").first(),
        employer_district=pl.col("employer_district").first(), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
        known=pl.col("known").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=clause, subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"),
        related_ids=pl.lit(None, S), flag_key=pl.col("policy"), detail=detail(),
    )  # fmt: skip
    return _finish(out, check, "high")


def excluded_employer(inputs: Inputs) -> pl.DataFrame:
    exclusion = JINSHAN_EMPLOYER_EXCLUSION
    hits = _employer_lines(inputs).filter((pl.col("doc") == "JS") & pl.col("type").is_in(list(exclusion.types)))
    labels = EMPLOYER_TYPE_LABELS

    def detail() -> pl.Expr:
        return pl.format(
            "单位 {} 的类型为“{}”，按金就办〔2023〕1号 七(一)不属于补贴对象，但自{}起领取 {} {} 笔共 {}。",
            pl.col("beneficiary"), pl.col("type").replace(labels), month_text(pl.col("month")), pl.col("policy"),
            pl.col("n"), yuan_text(pl.col("amount"), "元"),
        )  # fmt: skip

    clause = _clause_of(
        pl.col("fund"), pl.lit(exclusion.source) + pl.lit("；") + pl.col("measure_clause")
    )
    return _employer_flags(hits, "excluded_employer", detail, clause)


def outside_district(inputs: Inputs) -> pl.DataFrame:

    hits = _employer_lines(inputs).filter(
        pl.col("employer_district").is_not_null()
        & (pl.col("known").is_null() | (pl.col("emp_district") != pl.col("employer_district")))
    )

    def detail() -> pl.Expr:
        where = (
            pl.when(pl.col("known").is_null())
            .then(pl.lit("未在用人单位名录中登记"))
            .otherwise(pl.format("注册在{}", pl.col("emp_district").replace(DISTRICT_NAMES)))
        )
        return pl.format(
            "单位 {} {}，而 {} 要求为{}用人单位；自{}起领取 {} 笔共 {}。",
            pl.col("beneficiary"), where, pl.col("policy"), pl.col("employer_district").replace(DISTRICT_NAMES),
            month_text(pl.col("month")), pl.col("n"), yuan_text(pl.col("amount"), "元"),
        )  # fmt: skip

    return _employer_flags(
        hits, "outside_district", detail, _clause_of(pl.col("fund"), pl.col("measure_clause"))
    )


# --- 5. churning ----------------------------------------------------------------------------------------


def _add_months(expr: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    if isinstance(n, int):
        return expr.dt.offset_by(f"{n}mo")
    return expr.dt.offset_by(pl.format("{}mo", n))


def _month_end(expr: pl.Expr) -> pl.Expr:
    return expr.dt.month_end()


def binomial_upper_tail(n: np.ndarray, k: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X ≥ k) for X ~ Binomial(n, p), vectorised (log-factorial table, one exploded row per term)."""
    if len(n) == 0:
        return np.zeros(0)
    n = n.astype(np.int64)
    k = k.astype(np.int64)
    top = int(n.max())
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, top + 1, dtype=np.float64)))])
    counts = np.maximum(n - k + 1, 0)
    row = np.repeat(np.arange(len(n)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    j = np.repeat(k, counts) + offsets
    nn = n[row]
    pp = np.clip(p[row], 1e-12, 1 - 1e-12)
    logpmf = logfact[nn] - logfact[j] - logfact[nn - j] + j * np.log(pp) + (nn - j) * np.log1p(-pp)
    out = np.zeros(len(n))
    np.add.at(out, row, np.exp(logpmf))
    return np.minimum(out, 1.0)


def churn_rates(inputs: Inputs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per employer: subsidised workers whose subsidy ran out, how many contracts ended within the window;
    per district × size: the baseline rate).  Exposed for the report and the tests."""
    cp = parameters()["churning"]
    window, tenure = int(cp["window_months"]), int(cp["comparable_tenure_months"])
    horizon = inputs.horizon()
    employers = inputs.employers.select(employer="id", emp_district="district", size="size")
    if horizon is None:
        return pl.DataFrame(), pl.DataFrame()
    observable = _add_months(pl.col("last"), window) <= pl.lit(horizon)
    lines = _person_lines(inputs).filter(pl.col("policy").is_in(cp["measures"]))
    # the subsidy ran out: the worker's paid months reached the measure's cap (not: the job ended first)
    ran_out = (
        lines.filter(pl.col("cap").is_not_null())
        .group_by("beneficiary", "person", "policy")
        .agg(last=pl.col("month").max(), used=pl.col("month").n_unique(), cap=pl.col("cap").first(),
             district=pl.col("district").first(), fund=pl.col("fund_clause").first(),
             measure_clause=pl.col("measure_clause").first())
        .filter(observable & (pl.col("used") >= pl.col("cap")))
    )  # fmt: skip
    contracts = inputs.contracts.select("person", "employer", "start", "end")
    covering = ran_out.join(contracts, left_on=["beneficiary", "person"], right_on=["employer", "person"]).filter(
        (pl.col("start") <= _month_end(pl.col("last"))) & (pl.col("end").is_null() | (pl.col("end") >= pl.col("last")))
    )  # fmt: skip
    covering = covering.with_columns(
        churned=pl.col("end").is_not_null()
        & (pl.col("end") > _month_end(pl.col("last")))
        & (pl.col("end") <= _month_end(_add_months(pl.col("last"), window)))
    )
    per_worker = covering.group_by("beneficiary", "person").agg(
        churned=pl.col("churned").any(), last=pl.col("last").first(), policy=pl.col("policy").first(),
        district=pl.col("district").first(), fund=pl.col("fund").first(),
        measure_clause=pl.col("measure_clause").first(), end=pl.col("end").filter(pl.col("churned")).min(),
    )  # fmt: skip
    per_employer = (
        per_worker.group_by("beneficiary")
        .agg(
            n=pl.len(), k=pl.col("churned").sum(), policies=_joined(pl.col("policy"), "、"),
            churned_ids=_joined(pl.col("person").filter(pl.col("churned")), ","),
            month=pl.col("last").filter(pl.col("churned")).min(),
            district=pl.col("district").first(), fund=pl.col("fund").first(),
            clauses=_joined(pl.col("measure_clause"), "；"),
        )
        .join(employers, left_on="beneficiary", right_on="employer", how="left")
    )  # fmt: skip
    # baseline: every contract of the district's employers that reached the comparable month C (its
    # ``tenure``-th month) still running, observed for ``window`` months after C
    base = (
        contracts.join(employers, on="employer")
        .with_columns(c=_add_months(month_of(pl.col("start")), tenure - 1))
        .filter(
            (pl.col("end").is_null() | (pl.col("end") > _month_end(pl.col("c"))))
            & (_add_months(pl.col("c"), window) <= pl.lit(horizon))
        )
        .with_columns(
            ended=pl.col("end").is_not_null()
            & (pl.col("end") <= _month_end(_add_months(pl.col("c"), window)))
        )
        .group_by("emp_district", "size")
        .agg(base_n=pl.len(), base_rate=pl.col("ended").mean())
    )
    return per_employer, base


def churning(inputs: Inputs) -> pl.DataFrame:
    from jiuye.registry.schema import ENUM_LABELS

    cp = parameters()["churning"]
    per_employer, base = churn_rates(inputs)
    if per_employer.is_empty():
        return empty_flags()
    joined = per_employer.join(base, on=["emp_district", "size"], how="left").with_columns(
        p0=pl.max_horizontal(pl.col("base_rate").fill_null(0.0), pl.lit(float(cp["min_baseline"]))),
        rate=pl.col("k") / pl.col("n"),
    )
    tail = binomial_upper_tail(joined["n"].to_numpy(), joined["k"].to_numpy(), joined["p0"].to_numpy())
    joined = joined.with_columns(p_value=pl.Series(tail, dtype=pl.Float64))
    hits = joined.filter(
        (pl.col("n") >= int(cp["min_workers"]))
        & (pl.col("k") > 0)
        & (pl.col("rate") >= float(cp["min_ratio"]) * pl.col("p0"))
        & (pl.col("p_value") <= float(cp["alpha"]))
    )
    pct = lambda e: (e * 100).round(1).cast(S) + pl.lit("%")  # noqa: E731
    out = hits.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"), related_ids=pl.col("churned_ids"),
        flag_key=pl.col("policies"),
        detail=pl.format(
            "单位 {}（{}）按人补贴（{}）期满的 {} 名人员中，有 {} 名在补贴最后一个月后 {} 个月内终止劳动合同，"
            "比例 {}；本区同规模单位可比合同的比例为 {}（偶然出现的概率 {}）。请核实是否存在补贴期满即解聘的情况。",
            pl.col("beneficiary"), pl.col("size").replace(ENUM_LABELS["employer_size"]).fill_null("规模不详"),
            pl.col("policies"), pl.col("n"), pl.col("k"), pl.lit(cp["window_months"]), pct(pl.col("rate")),
            pct(pl.col("p0")),
            pl.when(pl.col("p_value") < 0.0001).then(pl.lit("小于0.0001")).otherwise(pl.col("p_value").round(4).cast(S)),
        ),
    )  # fmt: skip
    return _finish(out, "churning", "medium")


# --- 6. shared phone, address, bank account --------------------------------------------------------------


def _normalised(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.replace_all(r"[\s\-－]", "").str.to_uppercase()
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned).otherwise(None)


def _contacts(inputs: Inputs, persons: pl.DataFrame) -> pl.DataFrame:
    """(person, field, value) for the given persons, long form, empty values dropped."""
    frame = persons.join(
        inputs.persons.select(person="id", phone="phone", address="address", bank_account="bank_account"),
        on="person",
    )
    return (
        frame.unpivot(index=[c for c in frame.columns if c not in FIELD_LABELS], on=list(FIELD_LABELS),
                      variable_name="field", value_name="value")
        .with_columns(value=_normalised(pl.col("value")))
        .filter(pl.col("value").is_not_null())
    )  # fmt: skip


def _mask_value(field: pl.Expr, value: pl.Expr) -> pl.Expr:
    return (
        pl.when(field == "address")
        .then(value)
        .when(field == "phone")
        .then(mask(value, "phone"))
        .otherwise(mask(value, "bank_account"))
    )


def shared_contact(inputs: Inputs) -> pl.DataFrame:
    n_min = int(parameters()["shared_contact"]["min_persons"])
    lines = _person_lines(inputs)
    subsidised = lines.select("person").unique()
    long = _groups_with(_contacts(inputs, subsidised), ["field", "value"], "person", n_min)
    about = (
        lines.join(long.select("person").unique(), on="person", how="semi")
        .select("person", "policy", "measure_clause", "district", "fund_clause")
        .unique()
    )
    g = long.join(about, on="person").group_by("field", "value").agg(
        n=pl.col("person").n_unique(), persons=_joined(pl.col("person"), ","),
        **_subsidy_context(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.col("field"), subject_id=pl.col("value"), related_ids=pl.col("persons"),
        month=pl.lit(None, D), flag_key=pl.lit("-"),
        detail=pl.format(
            "{} 名受助人员登记了同一{}（{}），涉及补贴 {}。请核实是否为冒名或代领。",
            pl.col("n"), pl.col("field").replace(FIELD_LABELS), _mask_value(pl.col("field"), pl.col("value")),
            pl.col("policies"),
        ),
    )  # fmt: skip
    return _finish(out, "shared_contact", "medium")


def employer_shared_contact(inputs: Inputs) -> pl.DataFrame:
    n_min = int(parameters()["shared_contact"]["employer_min_workers"])
    lines = _person_lines(inputs).filter(pl.col("beneficiary_kind") == "employer_per_worker")
    hires = lines.select("beneficiary", "person").unique()
    long = _groups_with(_contacts(inputs, hires), ["beneficiary", "field", "value"], "person", n_min)
    about = lines.join(
        long.select("beneficiary", "person").unique(), on=["beneficiary", "person"], how="semi"
    )
    about = about.select(
        "beneficiary", "person", "policy", "measure_clause", "district", "fund_clause"
    ).unique()
    g = long.join(about, on=["beneficiary", "person"]).group_by("beneficiary", "field", "value").agg(
        n=pl.col("person").n_unique(), persons=_joined(pl.col("person"), ","),
        **_subsidy_context(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"), related_ids=pl.col("persons"),
        month=pl.lit(None, D), flag_key=pl.format("{}:{}", pl.col("field"), pl.col("value")),
        detail=pl.format(
            "单位 {} 申领按人补贴（{}）的 {} 名人员登记了同一{}（{}）。请核实是否存在虚构用工。",
            pl.col("beneficiary"), pl.col("policies"), pl.col("n"), pl.col("field").replace(FIELD_LABELS),
            _mask_value(pl.col("field"), pl.col("value")),
        ),
    )  # fmt: skip
    return _finish(out, "employer_shared_contact", "medium")


# --- 7. identifiers ---------------------------------------------------------------------------------------

def invalid_id(inputs: Inputs) -> pl.DataFrame:
    lines = _person_lines(inputs)
    subsidised = lines.group_by("person").agg(
        month=pl.col("month").min(), **_subsidy_context(),
    ).join(inputs.persons.select(person="id", id_number="id_number"), on="person", how="left")  # fmt: skip
    number = pl.coalesce(pl.col("id_number"), pl.col("person"))
    hits = subsidised.filter(~id_number_valid(number))
    out = hits.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("person"), subject_id=pl.col("person"), related_ids=pl.lit(None, S),
        flag_key=pl.lit("-"),
        detail=pl.format("受助人员身份证号码 {} 不符合 GB 11643（位数、出生日期或校验位错误），涉及补贴 {}。"
                         "请核实身份。", number, pl.col("policies")),
    )  # fmt: skip
    return _finish(out, "invalid_id", "high")


def invalid_credit_code(inputs: Inputs) -> pl.DataFrame:
    lines = _lines(inputs).filter(pl.col("beneficiary_kind").is_in(["employer", "employer_per_worker"]))
    g = lines.group_by("beneficiary").agg(
        month=pl.col("month").min(), **_subsidy_context(),
    )  # fmt: skip
    g = g.join(
        inputs.employers.select(beneficiary="id", credit_code="credit_code"), on="beneficiary", how="left"
    )
    code = pl.coalesce(pl.col("credit_code"), pl.col("beneficiary"))
    hits = g.filter(~credit_code_valid(code))
    out = hits.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("clauses")),
        subject_kind=pl.lit("employer"), subject_id=pl.col("beneficiary"), related_ids=pl.lit(None, S),
        flag_key=pl.lit("-"),
        detail=pl.format("受助单位统一社会信用代码 {} 不符合 GB 32100（位数、字符或校验位错误），涉及补贴 {}。"
                         "请核实单位身份。", code, pl.col("policies")),
    )  # fmt: skip
    return _finish(out, "invalid_credit_code", "high")


# --- 8. amounts and caps ---------------------------------------------------------------------------------


def amount_above_cap(inputs: Inputs) -> pl.DataFrame:
    lines = _lines(inputs).filter(
        pl.col("max_line_fen").is_not_null() & (pl.col("amount_fen") > pl.col("max_line_fen"))
    )
    g = lines.group_by("policy", "beneficiary", "subject", "month").agg(
        amount=pl.col("amount_fen").sum(), cap=pl.col("max_line_fen").first(),
        ids=_joined(pl.col("payment_id"), ","), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
    )  # fmt: skip
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("measure_clause")),
        subject_kind=pl.lit("payment"), subject_id=pl.format("{}|{}", pl.col("policy"), pl.col("beneficiary")),
        related_ids=pl.col("ids"),
        flag_key=pl.format("{}|{}", pl.col("subject"), pl.col("month").dt.strftime("%Y-%m")),
        detail=pl.format(
            "{} 向 {}（对象 {}）{}发放 {}，超过该项补贴单笔标准 {}。",
            pl.col("policy"), mask(pl.col("beneficiary")), mask(pl.col("subject")),
            month_text(pl.col("month")), yuan_text(pl.col("amount"), "元"), yuan_text(pl.col("cap"), "元"),
        ),
    )  # fmt: skip
    return _finish(out, "amount_above_cap", "high")


def months_above_cap(inputs: Inputs) -> pl.DataFrame:
    lines = (
        _lines(inputs)
        .filter(pl.col("cap").is_not_null())
        .with_columns(
            kb=pl.when(pl.col("cap_by_beneficiary")).then(pl.col("beneficiary")).otherwise(pl.lit("")),
            ks=pl.when(pl.col("cap_by_subject")).then(pl.col("subject")).otherwise(pl.lit("")),
        )
    )
    g = lines.group_by("policy", "kb", "ks").agg(
        used=pl.when(pl.col("cap_count").first() == "lines").then(pl.len()).otherwise(pl.col("month").n_unique()),
        cap=pl.col("cap").first(), count=pl.col("cap_count").first(),
        beneficiaries=_joined(pl.col("beneficiary"), "、"), subject=pl.col("subject").first(),
        month=pl.col("month").max(), fund=pl.col("fund_clause").first(),
        measure_clause=pl.col("measure_clause").first(), district=pl.col("district").first(),
    ).filter(pl.col("used") > pl.col("cap"))  # fmt: skip
    unit = pl.when(pl.col("count") == "lines").then(pl.lit("次")).otherwise(pl.lit("个月"))
    out = g.with_columns(
        clause=_clause_of(pl.col("fund"), pl.col("measure_clause")),
        subject_kind=pl.lit("person"), subject_id=pl.col("subject"), related_ids=pl.col("beneficiaries"),
        flag_key=pl.format("{}|{}", pl.col("policy"), pl.col("kb")),
        detail=pl.format(
            "{} 对 {} 已发放 {} {}，超过上限 {} {}（收款方 {}）。",
            pl.col("policy"), mask(pl.col("subject")), pl.col("used"), unit, pl.col("cap"), unit,
            pl.col("beneficiaries"),
        ),
    )  # fmt: skip
    return _finish(out, "months_above_cap", "high")


CHECKS: dict[str, Callable[[Inputs], pl.DataFrame]] = {
    "double_claim": double_claim,
    "dual_insurance": dual_insurance,
    "incompatible": incompatible,
    "after_death": after_death,
    "after_hukou_move": after_hukou_move,
    "after_deregistration": after_deregistration,
    "excluded_employer": excluded_employer,
    "outside_district": outside_district,
    "churning": churning,
    "shared_contact": shared_contact,
    "employer_shared_contact": employer_shared_contact,
    "invalid_id": invalid_id,
    "invalid_credit_code": invalid_credit_code,
    "amount_above_cap": amount_above_cap,
    "months_above_cap": months_above_cap,
}


def run_checks(inputs: Inputs, only: list[str] | None = None) -> pl.DataFrame:
    """Every check (or ``only`` those), concatenated; duplicates of one flag identity merged."""
    frames = [fn(inputs) for name, fn in CHECKS.items() if only is None or name in only]
    flags = pl.concat(frames, how="vertical") if frames else empty_flags()
    return flags.unique(
        ["check", "subject_kind", "subject_id", "flag_key"], keep="first", maintain_order=True
    )
