"""Catalog revision 2 as properties over random cases (hypothesis): payments count first (G5) and every
measure stays in its own district (G12)."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuye.rules import evaluate
from jiuye.rules.catalog import all_measures, get_measure
from jiuye.rules.dates import add_months, format_month, parse_month
from jiuye.rules.engine import measure_parameters
from jiuye.rules.measure import Measure
from tests.rules.strategies import cases

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lines(case: dict[str, Any]) -> list[dict[str, Any]]:
    return evaluate(case, explain=False).to_json()["entitlements"]


def _capped() -> dict[str, tuple[Measure, int]]:
    """Measures whose cap key names only beneficiary/subject, with their limit (a cap not set is skipped)."""
    out = {}
    for m in all_measures():
        if m.cap is None or m.cap.extra:
            continue
        raw = measure_parameters(m, None).get(m.cap.limit) if isinstance(m.cap.limit, str) else m.cap.limit
        if raw is not None:
            out[m.id] = (m, int(raw))
    return out


CAPPED = _capped()


def _key(m: Measure, row: dict[str, Any]) -> tuple[Any, ...]:
    assert m.cap is not None
    return (m.id, *(row[c] for c in m.cap.key))


def _policy_cases() -> list[dict[str, Any]]:
    """The policy cases (tests/rules/cases) whose expected lines include a capped measure, without payments."""
    import yaml

    from tests.rules.test_policy_cases import CASE_FILES, _json_roundtrip

    out = []
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text("utf-8"))
        if any(line["policy"] in CAPPED for line in spec["expected"].get("entitlements", [])):
            case = _json_roundtrip(spec["case"])
            case["payments"] = []
            out.append(case)
    return out


POLICY_CASES = _policy_cases()


@st.composite
def cases_with_payment_history(draw: Any) -> dict[str, Any]:
    """A case (random, or one of the policy cases that pay a capped measure) and payments for keys its
    capped measures produce — dated in the computed months or in any other month, earlier or later, up to
    two more than the cap."""
    case = copy.deepcopy(draw(st.one_of(cases(max_persons=3), st.sampled_from(POLICY_CASES))))
    case["evaluate"]["from"] = "2022-01"
    found = [line for line in lines(case) if line["policy"] in CAPPED]
    payments = []
    for line in draw(st.lists(st.sampled_from(found), max_size=6, unique_by=lambda x: tuple(x.values()))) if found else []:
        _, limit = CAPPED[line["policy"]]
        for _ in range(draw(st.integers(1, min(limit, 12) + 2))):
            shift = draw(st.integers(-30, 30))
            month = format_month(add_months(parse_month(line["month"]), shift))
            amount = line["amount"] if line["amount"] is not None else 1000
            payments.append({"policy": line["policy"], "beneficiary": line["beneficiary"], "subject": line["subject"],
                             "month": month, "amount": amount})  # fmt: skip
    case["payments"] = payments
    return case


@SETTINGS
@given(cases_with_payment_history())
def test_paid_and_printed_never_exceed_the_cap_or_the_once_key(case: dict[str, Any]) -> None:
    """G5 (rev. 2): for any payment history, paid + printed never exceeds a cap or a once-key.

    Month caps count distinct months per cap key: a printed line in a month already paid under the key (the
    other route of CM-10a) adds no month; every other printed month must fit in what the payments left."""
    used: dict[tuple[Any, ...], set[str]] = defaultdict(set)  # months (month caps) or payments (once)
    printed: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    paid_lines = {(p["policy"], p["beneficiary"], p["subject"], p["month"]) for p in case["payments"]}
    for pay in case["payments"]:
        m, _ = CAPPED[pay["policy"]]
        assert m.cap is not None
        used[_key(m, pay)].add(pay["month"] if m.cap.counts == "months" else repr(sorted(pay.items())))
    for line in lines(case):
        assert (line["policy"], line["beneficiary"], line["subject"], line["month"]) not in paid_lines, line
        if line["policy"] not in CAPPED:
            continue
        m, _ = CAPPED[line["policy"]]
        assert m.cap is not None
        k = _key(m, line)
        if m.cap.counts == "months":
            if line["month"] not in used[k]:
                printed[k].add(line["month"])
        else:
            printed[k].add(repr(line))
    for k, new in printed.items():
        _, limit = CAPPED[k[0]]
        assert len(new) <= max(0, limit - len(used[k])), (k, sorted(new), sorted(used[k]))


def _entities(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in case["persons"]:
        out[p["id"]] = {"kind": "person", "hukou": p["hukou"]["district"],
                        "origin": p.get("origin_district", p["hukou"]["district"])}  # fmt: skip
    for e in case["employers"]:
        out[e["id"]] = {"kind": "employer", "district": e["district"]}
    for o in case["organizations"]:
        out[o["id"]] = {"kind": "organization", "district": o["district"]}
    return out


@SETTINGS
@given(cases())
def test_every_line_stays_in_its_measures_district(case: dict[str, Any]) -> None:
    """G12 (rev. 2) over random registries holding both districts (and others): no CM line for a Jinshan
    subject and no JS line for a Chongming subject.  The beneficiary, when it is an employer or an
    organisation, is located in the measure's district; under a measure that requires hukou (or origin) the
    subject person has it there."""
    case = copy.deepcopy(case)
    case["evaluate"]["from"] = "2023-01"
    who = _entities(case)
    for line in lines(case):
        m = get_measure(line["policy"])
        other = {"jinshan": "chongming", "chongming": "jinshan"}[m.district]
        beneficiary, subject = who[line["beneficiary"]], who[line["subject"]]
        senses = {s.sense for s in m.scope}
        assert senses, f"{m.id} pays without a declared district scope"
        if beneficiary["kind"] != "person":
            assert beneficiary["district"] == m.district, line
        if subject["kind"] == "person":
            if "hukou" in senses:
                assert subject["hukou"] == m.district, line
            if "origin" in senses:
                assert subject["origin"] == m.district, line
            # the literal statement: a person with the other district's hukou is never paid under a
            # measure that is decided by hukou or origin
            if senses & {"hukou", "origin"}:
                assert other not in (subject["hukou"], subject["origin"]) or subject["hukou"] == m.district, line


def test_every_paying_measure_declares_its_district_scope() -> None:
    """G12 is one mechanism: every measure that can pay (computed or on application) declares its scope."""
    for m in all_measures():
        if m.meta.pays and m.meta.kind in ("money", "pending", "application"):
            assert m.scope, m.id
            assert m.district == {"JS": "jinshan", "CM": "chongming"}[m.meta.document]
