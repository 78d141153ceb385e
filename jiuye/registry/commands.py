"""Registry sub-commands (db upgrade, import, export, export-case, tables, demo-data)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Filled in by the registry work (issue 3)."""
    _ = subparsers, argparse
