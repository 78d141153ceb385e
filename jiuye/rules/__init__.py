"""Rules as code: every measure of 金就办〔2023〕1号 and 沪崇就办〔2023〕2号, evaluated over whole columns.

Pure: no I/O beyond reading the packaged parameter files.

    from jiuye.rules import evaluate
    result = evaluate(case_dict)          # validated case JSON (dict) or a parsed Case
    result.to_json()                      # case-format output
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jiuye.rules.case import Case, CaseError, parse_case
    from jiuye.rules.engine import Result, evaluate_facts

__all__ = ["Case", "CaseError", "Result", "evaluate", "evaluate_facts", "parse_case"]


def __getattr__(name: str) -> Any:
    # imported on first use so that `jiuye --help` and sub-commands that don't evaluate start fast
    if name in ("Case", "CaseError", "parse_case"):
        from jiuye.rules import case

        return getattr(case, name)
    if name in ("Result", "evaluate_facts"):
        from jiuye.rules import engine

        return getattr(engine, name)
    raise AttributeError(name)


def evaluate(case: dict[str, Any] | Case, explain: bool = True) -> Result:
    """Evaluate a case (dict in case format, or an already parsed :class:`Case`); raises CaseError."""
    from jiuye.rules.case import Case, parse_case
    from jiuye.rules.engine import evaluate_facts

    parsed = case if isinstance(case, Case) else parse_case(case)
    return evaluate_facts(
        parsed.facts, parsed.window_from, parsed.window_to, parameters=parsed.parameters, explain=explain
    )
