"""JSON output with exact money: Decimal amounts are written as plain JSON numbers, never via float math."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A yuan amount has at most two decimals; Python's float repr is the shortest text that round-trips,
        # which for such values is exactly the decimal text, so the JSON number is exact.
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"cannot write {value} exactly")
        return as_float
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dumps(data: Any, indent: int | None = 2) -> str:
    return json.dumps(_plain(data), ensure_ascii=False, indent=indent)
