"""The payment file of a batch: CSV (UTF-8 with BOM) and XLSX for the bank, with a checksum.

One row per beneficiary × measure × subject with its months, then totals per measure, then
``校验码,SHA-256`` over the beneficiary rows as written in the CSV, then the batch's record: ``批次`` (batch
id and the random ``file_token`` stored with the batch) and ``审计链`` (the audit chain's head, seq and hash,
when the batch was created — an anchor held outside the database by whoever receives the file).

Safety (issue 9):

- every XLSX cell is written explicitly as a string (:func:`jiuye.spreadsheet.write_cell`); every CSV text
  cell that begins with a formula character is neutralised (:func:`jiuye.spreadsheet.neutralise_frame`);
- amounts are formatted from integer fen with their sign (−0.01 is ``-0.01``; a payable line is > 0 anyway);
- files are first written under a hidden temporary name (``.发放批次_….csv.partial``) and renamed to their
  final name (``发放批次_<id>_<YYYY-MM>_<token>.csv``) only after the transaction committed
  (:func:`finalize`); a crashed or failed run leaves nothing that looks payable.  :func:`check_folder`
  makes ``jiuye pay`` refuse a folder holding a final-named file the database does not know as committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jiuye.errors import UserError
from jiuye.rules.money import fen_to_plain_text, yuan_text
from jiuye.spreadsheet import neutralise_frame, write_text_xlsx


@dataclass
class Batch:
    id: int
    month: dt.date
    lines: int
    total_fen: int
    checksum: str
    files: list[Path] = field(default_factory=list)  # final names (they exist once the batch committed)
    per_measure: dict[str, tuple[int, int]] = field(default_factory=dict)
    token: str = ""
    audit_head: tuple[int, str] = (0, "")
    temp_files: list[Path] = field(default_factory=list)
    waiting: list[dict[str, object]] = field(default_factory=list)  # approved lines left out (no account)


FILE_HEADERS = [
    "姓名/名称",
    "证件号码（脱敏）",
    "银行账号",
    "政策编号",
    "政策名称",
    "补贴对象（脱敏）",
    "月份",
    "笔数",
    "金额（元）",
]
FINAL_RE = re.compile(r"^发放批次_(\d+)_(\d{4}-\d{2})_([0-9a-f]{8,32})\.(csv|xlsx)$")
TEMP_RE = re.compile(r"^\.发放批次_(\d+)_(\d{4}-\d{2})_([0-9a-f]{8,32})\.(csv|xlsx)\.partial$")


def final_name(batch_id: int, month: dt.date, token: str, suffix: str) -> str:
    return f"发放批次_{batch_id}_{month:%Y-%m}_{token}.{suffix}"


def build(lines: pl.DataFrame) -> tuple[pl.DataFrame, str, pl.DataFrame]:
    """(body rows, checksum over the body as written in the CSV — neutralised — and totals per measure).

    The XLSX holds the same texts un-prefixed: there every cell is a string cell, inert by its type."""
    body = (
        lines.sort("policy", "beneficiary", "subject", "month")
        .group_by("policy", "beneficiary", "subject", maintain_order=True)
        .agg(
            pl.col("name").first(), pl.col("masked_id").first(), pl.col("bank_account").first(),
            pl.col("title").first(), pl.col("masked_subject").first(),
            months=pl.col("month").dt.strftime("%Y-%m").str.join("、"), n=pl.len(), fen=pl.col("amount_fen").sum(),
        )
        .select(
            "name", "masked_id", "bank_account", "policy", pl.col("title").fill_null(""), "masked_subject", "months",
            pl.col("n").cast(pl.String), yuan_text(pl.col("fen")),
        )
    )  # fmt: skip
    body.columns = FILE_HEADERS
    checksum = hashlib.sha256(neutralise_frame(body).write_csv(include_header=False).encode("utf-8")).hexdigest()
    totals = lines.group_by("policy").agg(n=pl.len(), fen=pl.col("amount_fen").sum()).sort("policy")
    return body, checksum, totals


def write_temp(
    lines: pl.DataFrame, built: tuple[pl.DataFrame, str, pl.DataFrame], batch_id: int, month: dt.date,
    out_dir: Path, token: str, audit_head: tuple[int, str],
) -> Batch:
    """Write both files under temporary names (fsynced); :func:`finalize` renames them after the commit.

    ``built``: :func:`build` of ``lines`` (the checksum is recorded in the audit chain before the files
    are written, and the files carry the chain's head after that record)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    body, checksum, totals = built
    total_fen = int(lines["amount_fen"].sum())
    footer = pl.DataFrame(
        {
            FILE_HEADERS[0]: ["合计"] * totals.height + ["总计", "校验码", "批次", "审计链"],
            FILE_HEADERS[3]: [*totals["policy"].to_list(), "", "SHA-256", str(batch_id), str(audit_head[0])],
            FILE_HEADERS[7]: [f"{n} 笔" for n in totals["n"].to_list()] + [f"{lines.height} 笔", "", "", ""],
            FILE_HEADERS[8]: [fen_to_plain_text(int(f)) for f in totals["fen"].to_list()]
            + [fen_to_plain_text(total_fen), checksum, token, audit_head[1]],
        }
    )
    full = pl.concat([body, footer], how="diagonal_relaxed").select(FILE_HEADERS)
    finals = [out_dir / final_name(batch_id, month, token, s) for s in ("csv", "xlsx")]
    temps = [f.with_name(f".{f.name}.partial") for f in finals]
    _durable(temps[0], lambda p: p.write_text(neutralise_frame(full).write_csv(), encoding="utf-8-sig"))
    _durable(temps[1], lambda p: _write_xlsx(full, p))
    per = {r["policy"]: (int(r["n"]), int(r["fen"])) for r in totals.iter_rows(named=True)}
    return Batch(batch_id, month, lines.height, total_fen, checksum, finals, per, token, audit_head, temps)


def _durable(path: Path, write: Callable[[Path], object]) -> None:
    write(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def finalize(batch: Batch) -> None:
    """After the commit: give the files their final names (atomic rename in the same folder)."""
    for temp, final in zip(batch.temp_files, batch.files, strict=True):
        if temp.exists():
            os.replace(temp, final)
    _sync_dir(batch.files[0].parent)


def discard(batch: Batch) -> None:
    """After a rollback: the temporary files of a batch that does not exist are removed."""
    for temp in batch.temp_files:
        temp.unlink(missing_ok=True)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    """Plain sheet, every cell an explicit string (:func:`jiuye.spreadsheet.write_text_xlsx`, by columns)."""
    write_text_xlsx(frame, path, "发放清单", (16, 22, 22, 9, 30, 22, 30, 8, 14))


# --- folder check ---------------------------------------------------------------------------------


def check_folder(out_dir: Path, committed: Callable[[int, str], bool]) -> list[Path]:
    """Refuse a folder holding a payment file of a batch that is not committed; tidy temporary files.

    ``committed(batch_id, token)``: the database has that batch, paid, with that file token.  A temporary
    file of a committed batch (crash between commit and rename) is given its final name; one of an
    uncommitted batch is void and removed.  Returns the files recovered.
    """
    if not out_dir.is_dir():
        return []
    recovered: list[Path] = []
    void: list[str] = []
    for path in sorted(out_dir.iterdir()):
        m = TEMP_RE.match(path.name)
        if m:
            if committed(int(m.group(1)), m.group(3)):
                final = path.with_name(path.name[1:].removesuffix(".partial"))
                os.replace(path, final)
                recovered.append(final)
            else:
                path.unlink(missing_ok=True)
            continue
        m = FINAL_RE.match(path.name)
        if m and not committed(int(m.group(1)), m.group(3)):
            void.append(path.name)
    if void:
        raise UserError(
            f"发放文件目录 {out_dir} 中有未提交（作废）批次的发放文件：{'、'.join(void)}。"
            "这些文件不得上传银行；请核实后移出或删除，再生成新批次。",
            5,
        )
    return recovered
