"""ID numbers (GB 11643) and credit codes (GB 32100) that are not valid."""

from __future__ import annotations

import polars as pl

from jiuye.rules.identifiers import credit_code_valid, id_number_valid
from jiuye.rules.measure import EMPLOYER_KINDS
from jiuye.supervision.checks._common import S, _clause_of, _finish, _lines, _person_lines, _subsidy_context
from jiuye.supervision.frames import Inputs

FAMILY = 7
TITLES: dict[str, str] = {  # check → title; the checks are the functions of the same name
    "invalid_id": "受助人员身份证号码无效",
    "invalid_credit_code": "受助单位统一社会信用代码无效",
}


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
    lines = _lines(inputs).filter(pl.col("beneficiary_kind").is_in(EMPLOYER_KINDS))
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
