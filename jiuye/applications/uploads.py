"""Supporting documents: PDF, JPG or PNG recognised by their first bytes (never by name or the browser's
word), at most :data:`MAX_BYTES`, stored outside the web root under a random name."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from jiuye.errors import BAD_INPUT, UserError

MAX_BYTES = 5 * 1024 * 1024
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}  # of each type MAGIC recognises
CHUNK = 64 * 1024


def upload_dir() -> Path:
    """``$JIUYE_UPLOAD_DIR``, else ``$JIUYE_FILES_DIR/uploads`` (never under the static files)."""
    explicit = os.environ.get("JIUYE_UPLOAD_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("JIUYE_FILES_DIR") or "out/web-files") / "uploads"
    base.mkdir(parents=True, exist_ok=True)
    return base.resolve()


def detect(head: bytes) -> str | None:
    for magic, ctype in MAGIC:
        if head.startswith(magic):
            return ctype
    return None


@dataclass(frozen=True)
class Stored:
    stored_name: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def clean_name(name: str | None) -> str:
    base = Path(name or "").name.replace("\x00", "").strip()
    return base[:100] or "未命名文件"


def store(stream: BinaryIO, original_name: str | None) -> Stored:
    """Copy ``stream`` to the upload directory, refusing more than :data:`MAX_BYTES` or another type.
    Nothing is left behind on refusal (the partial file is removed)."""
    head = stream.read(16)
    ctype = detect(head)
    if not head:
        raise UserError("上传的文件是空的。", BAD_INPUT, "file")
    if ctype is None:
        raise UserError("只接受 PDF、JPG 或 PNG 文件（按文件内容识别）。", BAD_INPUT, "file")
    name = secrets.token_hex(16)
    target = upload_dir() / name
    digest = hashlib.sha256(head)
    size = len(head)
    try:
        with open(target, "xb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise UserError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请压缩后重新上传。", BAD_INPUT, "file")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Stored(name, ctype, size, digest.hexdigest(), clean_name(original_name))


def path_of(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise UserError("文件不存在。", 4)
    return upload_dir() / stored_name
