"""The payment file of a batch: CSV (UTF-8 with BOM) and XLSX for the bank, with a checksum.

One row per beneficiary × measure × subject with its months, then totals per measure, then
``校验码,SHA-256`` over the beneficiary rows.  Written by :func:`jiuye.ledger.service.pay` from the
batch's lines (:func:`jiuye.ledger.service.payment_lines`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jiuye.rules.money import fen_to_plain_text, yuan_text


@dataclass
class Batch:
    id: int
    month: dt.date
    lines: int
    total_fen: int
    checksum: str
    files: list[Path] = field(default_factory=list)
    per_measure: dict[str, tuple[int, int]] = field(default_factory=dict)



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


def write_files(lines: pl.DataFrame, batch_id: int, month: dt.date, out_dir: Path) -> Batch:
    """CSV and XLSX: one row per beneficiary × measure × subject with its months, then totals per measure,
    then ``校验码,SHA-256`` over the beneficiary rows (the bank pays a beneficiary once per measure)."""
    out_dir.mkdir(parents=True, exist_ok=True)
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
    body_csv = body.write_csv(include_header=False)
    checksum = hashlib.sha256(body_csv.encode("utf-8")).hexdigest()
    totals = lines.group_by("policy").agg(n=pl.len(), fen=pl.col("amount_fen").sum()).sort("policy")
    total_fen = int(lines["amount_fen"].sum())
    footer = pl.DataFrame(
        {
            FILE_HEADERS[0]: ["合计"] * totals.height + ["总计", "校验码"],
            FILE_HEADERS[3]: [*totals["policy"].to_list(), "", "SHA-256"],
            FILE_HEADERS[7]: [f"{n} 笔" for n in totals["n"].to_list()] + [f"{lines.height} 笔", ""],
            FILE_HEADERS[8]: [fen_to_plain_text(f) for f in totals["fen"].to_list()]
            + [fen_to_plain_text(total_fen), checksum],
        }
    )
    full = pl.concat([body, footer], how="diagonal_relaxed").select(FILE_HEADERS)
    stem = out_dir / f"发放批次_{batch_id}_{month:%Y-%m}"
    csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
    csv_path.write_text(full.write_csv(), encoding="utf-8-sig")
    _write_xlsx(full, xlsx_path)
    per = {r["policy"]: (int(r["n"]), int(r["fen"])) for r in totals.iter_rows(named=True)}
    return Batch(batch_id, month, lines.height, total_fen, checksum, [csv_path, xlsx_path], per)


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    """Plain sheet written column by column in xlsxwriter's constant-memory mode (fast for 100,000 lines)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("发放清单")
    bold = book.add_format({"bold": True})
    widths = (16, 22, 22, 9, 30, 22, 30, 8, 14)
    for c, w in enumerate(widths[: frame.width]):
        sheet.set_column(c, c, w)
    sheet.write_row(0, 0, frame.columns, bold)
    for r, row in enumerate(frame.fill_null("").iter_rows(), start=1):
        sheet.write_row(r, 0, row)
    book.close()
