"""``jiuye evaluate`` output has exactly the shape documented in docs/case-format-extensions.md.

The documented shape (a fenced ``json shape`` block) is read from the document itself, so the document and
the output cannot drift apart: an undocumented key, a wrong type or a missing required key fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).parents[2] / "docs" / "case-format-extensions.md"
TYPES = {"string": str, "boolean": bool, "array": list, "null": type(None)}


def documented_shape() -> dict[str, dict[str, str]]:
    block = re.search(r"```json shape\n(.*?)```", DOC.read_text("utf-8"), re.S)
    assert block, "docs/case-format-extensions.md 须含 ```json shape 代码块"
    shape: dict[str, dict[str, str]] = json.loads(block.group(1))
    return shape


def _is(value: Any, kind: str) -> bool:
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, TYPES[kind])


def problems(value: Any, shape: dict[str, dict[str, str]], path: str = "") -> list[str]:
    """Every way ``value`` (at ``path``, e.g. ``explanations[].conditions[]``) differs from ``shape``."""
    spec = shape[path]
    if not isinstance(value, dict):
        return [f"{path or '顶层'}: 应为对象"]
    out = [f"{path}.{key}: 文档未列出的键" for key in value if key not in spec]
    for key, declared in spec.items():
        optional = declared.endswith("?")
        kinds = declared.rstrip("?").split("|")
        if key not in value:
            if not optional:
                out.append(f"{path}.{key}: 缺少")
            continue
        if not any(_is(value[key], k) for k in kinds):
            out.append(f"{path}.{key}: 应为 {declared}，实际 {value[key]!r}")
        child = f"{path}.{key}[]".lstrip(".") if path else f"{key}[]"
        if isinstance(value[key], list) and child in shape:
            for item in value[key]:
                out += problems(item, shape, child)
    return out


def _case() -> dict[str, Any]:
    """A graduate with 4 insured months (JS-03a fails with a hint) and a 36-year-old (JS-02 age, no hint)."""
    return {
        "evaluate": {"from": "2023-01", "to": "2024-12"},
        "persons": [
            {"id": "p1", "birth_date": "2001-04-01", "gender": "female", "hukou": {"district": "jinshan", "agricultural": False},
             "education": [{"level": "bachelor", "full_time": True, "graduation_date": "2024-06-30"}],
             "contracts": [{"employer": "e1", "start": "2024-07-01", "end": None, "registered": True}],
             "social_insurance": [{"month": f"2024-{m:02d}", "scheme": "urban_employee", "employer": "e1",
                                   "base": 7310, "paid": True} for m in range(7, 11)]},
            {"id": "p2", "birth_date": "1987-03-01", "gender": "male", "hukou": {"district": "jinshan", "agricultural": False},
             "unemployment_registrations": [{"from": "2023-01-05", "to": None}],
             "flexible_employment": [{"registered_on": "2023-09-01", "ended_on": None}],
             "social_insurance": [{"month": "2023-09", "scheme": "flexible", "paid": True}]},
        ],
        "employers": [{"id": "e1", "name": "某某制造有限公司", "type": "enterprise", "district": "jinshan", "size": "small"}],
    }  # fmt: skip


def _evaluate(tmp_path: Path, *args: str) -> dict[str, Any]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_case(), ensure_ascii=False), "utf-8")
    run = subprocess.run([sys.executable, "-m", "jiuye.cli", "evaluate", str(path), *args], capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    return result


@pytest.mark.parametrize("args", [(), ("--no-explain",)], ids=["explain", "no-explain"])
def test_evaluate_output_has_the_documented_shape(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = _evaluate(tmp_path, *args)
    assert problems(result, documented_shape()) == []
    assert ("explanations" in result) == (not args)


def test_the_optional_hint_appears_only_where_documented(tmp_path: Path) -> None:
    result = _evaluate(tmp_path)
    conditions = {(e["policy"], e["subject"]): e["conditions"] for e in result["explanations"]}
    insured = next(c for c in conditions[("JS-03a", "p1")] if c["text"].startswith("在该单位缴纳社会保险费满"))
    assert insured["met"] is False and insured["hint"] == "在该单位缴纳社会保险费再满2个月后"
    age = next(c for c in conditions[("JS-02", "p2")] if c["text"].startswith("35周岁及以下"))
    assert age["met"] is False and "hint" not in age  # an age limit passed: nothing would change it
    hinted = [c for cs in conditions.values() for c in cs if "hint" in c]
    assert hinted and all(c["met"] is False for c in hinted)
    assert result["entitlements"] == []  # a consumer ignoring hints reads the same result


def test_the_checker_rejects_what_the_document_does_not_allow() -> None:
    shape = documented_shape()
    good = {"entitlements": [], "findings": []}
    assert problems(good, shape) == []
    assert problems({**good, "extra": 1}, shape) == [".extra: 文档未列出的键"]
    bad_condition = {"text": "x", "met": True, "hint": 3}
    expl = {"policy": "JS-02", "subject": "p1", "eligible": False, "conditions": [bad_condition], "clause": "c"}
    assert problems({**good, "explanations": [expl]}, shape) == [
        "explanations[].conditions[].hint: 应为 string?，实际 3"
    ]
