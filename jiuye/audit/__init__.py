"""Append-only, hash-chained audit log (issue 4): :func:`record` for every service that changes state."""

from __future__ import annotations

from jiuye.audit.service import AuditEvent, record, record_many, verify

__all__ = ["AuditEvent", "record", "record_many", "verify"]
