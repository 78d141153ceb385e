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

__all__ = [
    "MAX_EXPLAINED_SUBJECTS",
    "Case",
    "CaseError",
    "Result",
    "evaluate",
    "evaluate_facts",
    "parse_case",
]

# Explanations hold every condition of every measure for every subject (about 250 kB per person):
# above this many persons + employers + organizations a case is evaluated only without them
# (docs/messages.md).  Larger populations belong in the registry and batch matching (`jiuye match`).
MAX_EXPLAINED_SUBJECTS = 2000


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
    if explain:
        check_explain_size(parsed)
    return evaluate_facts(
        parsed.facts, parsed.window_from, parsed.window_to, parameters=parsed.parameters, explain=explain
    )


def check_explain_size(case: Case) -> None:
    """CaseError when ``case`` is too large to be explained within bounded memory."""
    from jiuye.rules.case import CaseError

    facts = case.facts
    subjects = facts.persons.height + facts.employers.height + facts.organizations.height
    if subjects > MAX_EXPLAINED_SUBJECTS:
        raise CaseError(
            [
                f"$: 案例含 {subjects} 个对象（人员、用人单位、机构合计），超过逐条件说明（explanations）的上限 "
                f"{MAX_EXPLAINED_SUBJECTS} 个；请加 --no-explain 只计算待遇，或将数据导入登记库后用批量匹配（jiuye match）"
            ]
        )
