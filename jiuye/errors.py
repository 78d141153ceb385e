"""Errors a user can fix: printed as ``错误：…`` in Chinese with an exit status, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
