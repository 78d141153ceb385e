"""Errors a user can fix: printed as ``错误：…`` in Chinese with an exit status, never as a traceback.

Exit statuses (docs/messages.md): 0 done; 2 wrong input or usage (the default); 3 the database cannot
be used (address, file, version); 4 not found; 5 not allowed in this state; 6 nothing to do; 7 not
allowed for this user; 8 audit chain broken; 9/10 not signed in / locked (web); 74 a file or the disk
failed (EX_IOERR); 75 another task is writing (EX_TEMPFAIL); 70 an internal error (EX_SOFTWARE).
Never 1: status 1 is what a Python traceback exits with.

The web layer answers the same errors with an HTTP status (:data:`HTTP_STATUS`, by exit status) and the
field at fault when the error names one.
"""

from __future__ import annotations

# exit status → meaning (the CLI's exit codes) and the HTTP status the web answers with
BAD_INPUT = 2  # 输入有误
NOT_READY = 3  # 数据库不可用或未迁移
NOT_FOUND = 4  # 找不到
CONFLICT = 5  # 当前状态不允许
NOTHING_TO_DO = 6  # 没有可处理的记录
FORBIDDEN = 7  # 无权限或超出辖区
AUDIT_BROKEN = 8  # 审计链被改动
UNAUTHENTICATED = 9  # 未登录或会话已失效
LOCKED = 10  # 账号被锁定

HTTP_STATUS: dict[int, int] = {
    1: 400, BAD_INPUT: 422, NOT_READY: 503, NOT_FOUND: 404, CONFLICT: 409, NOTHING_TO_DO: 409,
    FORBIDDEN: 403, AUDIT_BROKEN: 409, UNAUTHENTICATED: 401, LOCKED: 423, 70: 500, 74: 507, 75: 503,
}  # fmt: skip


class UserError(Exception):
    def __init__(self, message: str, code: int = BAD_INPUT, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)
