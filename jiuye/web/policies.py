"""Evaluate (the case format) and the policy list: the rules room imports nothing of the project, so its
two endpoints are assembled here on the top floor, calling :mod:`jiuye.rules` exactly as the CLI does."""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse, Response

from jiuye.accounts.web import Ctx, staff
from jiuye.errors import BAD_INPUT, UserError

api = APIRouter(prefix="/api/v1", tags=["测算与政策"])
MAX_CASE_BYTES = 2_000_000
INLINE_PARSE_BYTES = 32_000  # a few dozen people


@api.post("/evaluate", summary="按案例 JSON 测算应享待遇与逐条件说明（格式见 shared/case-format.md）",
          response_model=dict[str, Any])  # fmt: skip
async def evaluate_api(
    case: dict[str, Any] = Body(..., description="案例 JSON"), explain: bool = Query(True),
    ctx: Ctx = Depends(staff("view")),
) -> Any:  # fmt: skip
    from jiuye.rules import check_explain_size
    from jiuye.rules.batch import BATCHER, Job
    from jiuye.rules.case import CaseError, parse_case, split_problem

    try:
        size = len(json.dumps(case, ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the JSON text): no character, and a 500 otherwise
        raise UserError("案例有误：含有无法识别的字符（不成对的 \\u 转义），请检查后重试。", BAD_INPUT, "case") from None
    if size > MAX_CASE_BYTES:
        raise UserError("案例过大（上限 2 MB）；大量人员请导入登记库后运行主动匹配。", BAD_INPUT, "case")
    # concurrent requests are evaluated together for a few milliseconds (same engine, each its own result);
    # the text = dumps(result.to_json() | warnings, indent=None), written from columns for the whole gathering
    # (no dict per condition, no query per request)
    # (awaited on the event loop: a waiting request holds no thread, so one gathering can take every request)
    try:
        if size <= INLINE_PARSE_BYTES:  # a small case (one person) is read by the gathering, with the others
            body = await BATCHER.case_text_async(case, explain)
        else:  # a large one in a thread of its own: it would hold up the whole gathering
            parsed = await anyio.to_thread.run_sync(parse_case, case)
            if explain:
                check_explain_size(parsed)  # counts rows: no query
            body = await BATCHER.evaluate_text_async(Job.of(parsed, explain), {"warnings": list(parsed.warnings)}
                                                     if parsed.warnings else None)  # fmt: skip
    except CaseError as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        field = split_problem(str(problems[0]))[0]  # the path of the first problem (persons[0].birth_date)
        return JSONResponse({"message": "案例有误：" + "；".join(map(str, problems[:20])), "field": field,
                             "problems": [str(p) for p in problems]}, status_code=422)  # fmt: skip
    return Response(content=body, media_type="application/json")


@api.get(
    "/policies",
    summary="政策清单（编号、名称、对象、条款、频次、有效期、参数）",
    response_model=list[dict[str, Any]],
)
def policies_api(group: str | None = Query(None, max_length=32), parameters: bool = Query(False),
                 ctx: Ctx = Depends(staff())) -> Any:  # fmt: skip
    from jiuye.rules.policy_list import policy_list

    return json.loads(json.dumps(policy_list(group, parameters), ensure_ascii=False, default=str))
