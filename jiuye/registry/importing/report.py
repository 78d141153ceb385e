"""Problem messages, reject files and progress lines of an import."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import TextIO

import polars as pl

from jiuye.registry.importing.readers import ROW
from jiuye.registry.importing.validate import Piece
from jiuye.rules.identifiers import mask_text
from jiuye.spreadsheet import neutralise_frame

MAX_SHOWN = 200

REJECT_ROW = "行号"
REJECT_SHEET = "工作表"
REJECT_REASON = "错误原因"


def problem_line(row: dict[str, object]) -> str:
    """``persons.csv 第3行【身份证号码】“3101…”：身份证号码校验位错误（…）``."""
    place = str(row["file"]) + (f"［{row['sheet']}］" if row.get("sheet") else "")
    value = row.get("value")
    shown = "（空）" if value is None else f"“{value}”"
    # the masking policy: a problem line never shows a full ID number, phone or account (the reject
    # file written by --skip-invalid keeps the rows as they were, for correcting them)
    reason = str(row["reason"]).rstrip("。；;，, ")
    return mask_text(f"{place} 第{row['row']}行【{row['column']}】{shown}：{reason}。")  # one whole sentence


def print_problems(problems: pl.DataFrame, stream: TextIO, limit: int = MAX_SHOWN) -> None:
    for row in problems.head(limit).iter_rows(named=True):
        print(problem_line(row), file=stream)
    if problems.height > limit:
        print(f"……另有 {problems.height - limit} 个问题未列出（共 {problems.height} 个）", file=stream)


def reject_path(piece: Piece) -> Path:
    """``data.csv`` → ``data.rejected.csv``; a worksheet ``人员`` of ``book.xlsx`` → ``book.人员.rejected.csv``."""
    path = piece.sheet.path
    if piece.sheet.sheet is None:
        return path.with_name(f"{path.stem}.rejected.csv")
    return path.with_name(f"{path.stem}.{piece.sheet.sheet}.rejected.csv")


def write_reject_file(piece: Piece) -> tuple[Path, int] | None:
    """Write the rejected rows of ``piece`` — as read, plus their reasons — beside its input file.

    UTF-8 with BOM (Excel opens it correctly); columns: 行号, the original columns, 错误原因 (every
    problem of the row, ``列名：原因`` joined by ``；``).  Returns (path, rows) or None when no row is bad.
    """
    if piece.problems.is_empty():
        return None
    reasons = (
        piece.problems.sort("row", maintain_order=True)
        .group_by("row", maintain_order=True)
        .agg(pl.format("{}：{}", pl.col("column"), pl.col("reason")).str.join("；").alias(REJECT_REASON))
        .rename({"row": ROW})
    )
    original = piece.sheet.frame
    rejected = original.join(reasons, on=ROW, how="inner").sort(ROW)
    headers = [c for c in original.columns if c != ROW]
    out = rejected.select(
        pl.col(ROW).alias(REJECT_ROW), *[pl.col(h) for h in headers], pl.col(REJECT_REASON)
    )
    path = reject_path(piece)
    with path.open("wb") as fh:
        fh.write("\ufeff".encode())
        neutralise_frame(out).write_csv(fh)
    return path, out.height


class ProgressReporter:
    """Progress on stderr: an updating line on a terminal, plain throttled lines otherwise."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False, interval: float = 1.0) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self._last = 0.0
        self._started: dict[str, float] = {}
        self._open_line = False
        # the import's early writer reports from its own thread while validation reports from the main one
        self._lock = threading.RLock()

    def message(self, text: str) -> None:
        if self.quiet:
            return
        with self._lock:
            self._end_line()
            print(text, file=self.stream, flush=True)

    def rows(self, label: str, done: int, total: int) -> None:
        """``写入 人员（persons）：150,000/1,000,000 行，123,456 行/秒``."""
        if self.quiet:
            return
        with self._lock:
            self._rows(label, done, total)

    def _rows(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        start = self._started.setdefault(label, now)
        final = done >= total
        first = done > 0 and now == start
        if not (final or first or now - self._last >= self.interval):
            return
        self._last = now
        rate = done / (now - start) if now > start else 0.0
        text = f"{label}：{done:,}/{total:,} 行" + (f"，{rate:,.0f} 行/秒" if rate else "")
        if self.tty:
            print("\r" + text + "\033[K", end="", file=self.stream, flush=True)
            self._open_line = True
            if final:
                self._end_line()
        else:
            print(text, file=self.stream, flush=True)

    def _end_line(self) -> None:
        if self._open_line:
            print(file=self.stream, flush=True)
            self._open_line = False
