"""Errors a user can fix: printed as ``错误：…`` in Chinese with an exit status, never as a traceback.

Exit statuses (docs/messages.md): 0 done; 2 wrong input or usage (the default); 3 the database cannot
be used (address, file, version); 4 not found; 5 not allowed in this state; 6 nothing to do; 8 audit
chain broken; 74 a file or the disk failed (EX_IOERR); 75 another task is writing (EX_TEMPFAIL);
70 an internal error (EX_SOFTWARE).  Never 1: status 1 is what a Python traceback exits with.
"""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
