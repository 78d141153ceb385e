"""Registry sub-commands (stub until filled in)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    _ = subparsers
