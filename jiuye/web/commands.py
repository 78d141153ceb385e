"""``jiuye serve``: the staff web application (uvicorn)."""

from __future__ import annotations

import argparse
from typing import Any

from jiuye.cliargs import whole_number


def register(subparsers: Any) -> None:
    sv = subparsers.add_parser(
        "serve", help="启动网页经办系统和 JSON 接口（/api/v1，OpenAPI：/api/v1/openapi.json）"
    )
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    sv.add_argument("--port", type=whole_number(1, 65_535, "端口"), default=8000, help="端口（1–65535，默认 8000）")
    sv.add_argument("--db", metavar="URL", help="数据库 URL（默认 $JIUYE_DATABASE_URL 或 ./jiuye.db）")
    sv.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jiuye.db import check_ready, database_url
    from jiuye.web.app import create_app

    url = database_url(args.db)
    check_ready(url)
    app = create_app(url)
    print(
        f"就业经办系统已启动：http://{args.host}:{args.port}/  （接口文档：/api/v1/docs；按 Ctrl+C 停止）",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
