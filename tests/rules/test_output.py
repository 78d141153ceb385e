"""The columnar JSON writer (issue 11) gives exactly the text of ``dumps(result.to_json(), indent=2)`` (the CLI)
and of ``indent=None`` (the evaluate API), extra members (warnings) and conditions' hints included."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuye.rules import output
from jiuye.rules.engine import ENTITLEMENT_SCHEMA, EXPLANATION_SCHEMA, FINDING_SCHEMA, Result
from jiuye.rules.jsonio import dumps
from jiuye.rules.output import result_text, write_result

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# quotes, backslashes, control characters, non-ASCII text, line/paragraph separators, lone-looking escapes
TEXT = st.text(alphabet=st.sampled_from(list('a"\\/\n\r\t\b\x0c\x00\x1f\x7f 金山区“”\u2028\u2029\ud7ff{}[],:é')), max_size=12)
MAYBE_TEXT = st.one_of(st.none(), TEXT)

entitlement = st.fixed_dictionaries({
    "policy": TEXT, "beneficiary": TEXT, "subject": TEXT,
    "month": st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 1)).map(lambda d: d.replace(day=1)),
    "amount_fen": st.one_of(st.none(), st.integers(-10**12, 10**12), st.sampled_from([0, 1, 10, 100, 2000050, 100000])),
    "status": TEXT,
})  # fmt: skip
condition = st.fixed_dictionaries({"text": TEXT, "met": st.one_of(st.none(), st.booleans()), "detail": MAYBE_TEXT,
                                   "clause": MAYBE_TEXT, "hint": MAYBE_TEXT})  # fmt: skip
explanation = st.fixed_dictionaries({
    "policy": TEXT, "subject": TEXT, "eligible": st.booleans(), "conditions": st.lists(condition, max_size=4),
    "clause": TEXT, "reading": st.one_of(st.none(), st.just(""), TEXT),
})  # fmt: skip
finding = st.fixed_dictionaries({"rule": TEXT, "subject": TEXT, "year": st.integers(1990, 2100), "kind": TEXT})


@SETTINGS
@given(st.lists(entitlement, max_size=4), st.lists(finding, max_size=2),
       st.one_of(st.none(), st.lists(explanation, max_size=4)),
       st.one_of(st.none(), st.fixed_dictionaries({"warnings": st.lists(TEXT, max_size=2)})))  # fmt: skip
def test_columnar_text_is_the_dict_paths_text(
    ents: list[dict[str, Any]], finds: list[dict[str, Any]], expls: list[dict[str, Any]] | None,
    extra: dict[str, Any] | None,
) -> None:
    result = Result(
        entitlements=pl.DataFrame(ents, schema=ENTITLEMENT_SCHEMA),
        findings=pl.DataFrame(finds, schema=FINDING_SCHEMA),
        explanations=None if expls is None else pl.DataFrame(expls, schema=EXPLANATION_SCHEMA),
    )
    for indent in (2, None):
        expected = dumps(result.to_json() | (extra or {}), indent=indent)
        assert result_text(result, indent=indent, extra=extra) == expected
        # the streamed bytes, explanations a slice at a time (here one or two per slice: every seam is crossed)
        for rows in (1, 2):
            saved, output.EXPLANATION_SLICE = output.EXPLANATION_SLICE, rows
            try:
                out = io.BytesIO()
                write_result(result, out, indent=indent, extra=extra)
            finally:
                output.EXPLANATION_SLICE = saved
            assert out.getvalue().decode() == expected


def test_other_indents_use_the_dict_path() -> None:
    result = Result(pl.DataFrame(schema=ENTITLEMENT_SCHEMA), pl.DataFrame(schema=FINDING_SCHEMA))
    assert result_text(result, indent=None) == dumps(result.to_json(), indent=None)
    assert result_text(result, indent=2) == dumps(result.to_json(), indent=2)
    assert result_text(result, indent=4) == dumps(result.to_json(), indent=4)
