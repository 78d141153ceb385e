"""Disclosures of personal data in full (``export --unmasked``): who, when, which table, how many rows, why.

The registry does not write the audit log itself (the audit room sits above it, docs/architecture.md);
the audit room registers a listener here when the command line starts, and an unmasked export without a
listener is refused — full personal data never leaves unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jiuye.errors import UserError


@dataclass(frozen=True)
class Disclosure:
    db_url: str | None
    actor: str
    table: str
    rows: int
    reason: str
    scope: dict[str, str] = field(default_factory=dict)  # district / town / file


Listener = Callable[[Disclosure], None]
_LISTENERS: list[Listener] = []


def on_disclosure(listener: Listener) -> Listener:
    """Register ``listener`` (the audit room's recorder); idempotent."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def record_disclosure(disclosure: Disclosure) -> None:
    """Record ``disclosure`` before the file is written; UserError when nobody can record it."""
    if not disclosure.reason.strip():
        raise UserError("导出未脱敏数据（--unmasked）必须用 --reason 写明用途，该用途将记入审计日志。", 2)
    if not _LISTENERS:
        raise UserError("审计日志不可用，不能导出未脱敏数据。请不加 --unmasked 导出脱敏数据。", 3)
    for listener in _LISTENERS:
        listener(disclosure)
