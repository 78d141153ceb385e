"""Supervision reads each measure's district, clause, cap, once-key and amount from the rules — one place."""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources

import polars as pl
import pytest
import yaml

from jiuye.rules import parameters as rule_parameters
from jiuye.rules.catalog import all_measures
from jiuye.rules.parameters import DatedValue, MeasureParameters
from jiuye.supervision import checks
from jiuye.supervision.frames import Inputs, measures_frame, standards_frame


def test_supervision_keeps_no_copy_of_the_measures() -> None:
    text = resources.files("jiuye.supervision").joinpath("parameters.yaml").read_text(encoding="utf-8")
    assert "measures" not in yaml.safe_load(text)  # only its own thresholds (and the churning measure list)


def test_attributes_come_from_the_measure_modules() -> None:
    frame = {r["policy"]: r for r in measures_frame().iter_rows(named=True)}
    assert set(frame) == {m.id for m in all_measures() if m.meta.pays}
    for m in all_measures():
        if m.id not in frame:
            continue
        row = frame[m.id]
        assert row["district"] == m.district and row["measure_clause"].startswith(m.meta.clause)
        assert row["hukou"] == m.requires_hukou and row["line_bound_fen"] == m.meta.line_bound_fen
    assert (frame["JS-11"]["cap"], frame["JS-11"]["cap_count"]) == (12, "months")
    assert (frame["JS-11"]["cap_by_beneficiary"], frame["JS-11"]["cap_by_subject"]) == (True, True)
    assert (frame["JS-13"]["cap"], frame["JS-13"]["cap_count"], frame["JS-13"]["cap_by_subject"]) == (1, "lines", False)
    assert (frame["JS-12"]["cap_by_beneficiary"], frame["JS-12"]["cap_by_subject"]) == (False, True)  # whichever agency
    assert (frame["CM-04b"]["cap"], frame["CM-04b"]["employer_district"]) == (12, "chongming")  # rev. 2
    assert (frame["CM-10a"]["cap"], frame["CM-10a"]["cap_by_subject"], frame["CM-10a"]["cap_by_beneficiary"]) == (
        36, True, False)  # both routes per person
    assert frame["CM-10f"]["cap"] is None  # not set yet (G6)
    assert frame["JS-08"]["cap"] is None  # once per person × level: a key supervision cannot see
    assert frame["JS-02"]["hukou"] and not frame["JS-13"]["hukou"]


def _with_new_js13_amount(original: MeasureParameters) -> MeasureParameters:
    amount = original.parameters["amount"]
    raised = dataclasses.replace(amount, values=(*amount.values, DatedValue(dt.date(2025, 1, 1), 1500, "测试：新标准")))
    return dataclasses.replace(original, parameters={**original.parameters, "amount": raised})


def test_a_dated_amount_change_reaches_supervision(monkeypatch: pytest.MonkeyPatch) -> None:
    worker = "w"
    inputs = Inputs.from_frames(payments=pl.DataFrame({
        "payment_id": ["1", "2"], "policy": ["JS-13", "JS-13"], "beneficiary": [worker, "v"], "subject": [worker, "v"],
        "month": [dt.date(2024, 12, 1), dt.date(2025, 3, 1)], "amount_fen": [150_000, 150_000], "state": ["paid", "paid"],
    }))  # fmt: skip
    before = checks.CHECKS["amount_above_cap"](inputs)
    assert sorted(before["flag_key"].to_list()) == ["v|2025-03", "w|2024-12"]  # 1500 > the 1200 standard
    original = rule_parameters.load_measure_parameters
    monkeypatch.setattr(rule_parameters, "load_measure_parameters",
                        lambda mid: _with_new_js13_amount(original(mid)) if mid == "JS-13" else original(mid))  # fmt: skip
    assert standards_frame().filter(pl.col("policy") == "JS-13")["standard_fen"].to_list() == [120_000, 150_000]
    after = checks.CHECKS["amount_above_cap"](inputs)
    assert after["flag_key"].to_list() == ["w|2024-12"]  # 2025-03 is within the new dated standard


def test_payment_after_an_organisation_was_deregistered() -> None:
    inputs = Inputs.from_frames(
        organizations=pl.DataFrame({"id": ["base"], "district": ["jinshan"], "deregistered_on": [dt.date(2024, 2, 29)]}),
        payments=pl.DataFrame({
            "payment_id": ["1", "2"], "policy": ["JS-05", "JS-05"], "beneficiary": ["base", "base"],
            "subject": ["base", "base"], "month": [dt.date(2024, 2, 1), dt.date(2024, 3, 1)],
            "amount_fen": [10_000_000, 30_000_000], "state": ["paid", "paid"],
        }),
    )  # fmt: skip
    found = checks.CHECKS["after_deregistration"](inputs)
    assert found.height == 1 and found["subject_id"][0] == "base" and "2024-02-29" in found["detail"][0]
