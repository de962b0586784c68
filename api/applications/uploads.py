"""Uploaded materials: PDF, JPEG or PNG, the type read from the content, kept under DATA_DIR/uploads by hash.

An upload belongs to the account that sent it and is never served to anyone else; the same bytes
sent twice are stored once on disk (content-addressed) but recorded per owner.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from api.clock import now_iso
from api.errors import DomainError, Invalid
from api.store import declare, new_id

UPLOADS = "uploads"
MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))

declare(UPLOADS, [("owner_id", 1), ("created_at", -1)])


class TooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "文件不能超过5MB"


def sniff(head: bytes) -> str | None:
    """The content type a file's first bytes prove, or None."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def save_upload(store, data_dir: str, owner_id: str, file) -> dict:
    content = file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise TooLarge()
    if not content:
        raise Invalid("文件是空的", errors={"file": ["文件是空的"]})
    content_type = sniff(content[:16])
    if content_type is None:
        raise Invalid(
            "只能上传 PDF、JPG 或 PNG 文件", code="unsupported_file_type", errors={"file": ["只能上传 PDF、JPG 或 PNG 文件"]}
        )
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(data_dir) / "uploads" / digest[:2]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / digest
    if not path.exists():
        temporary = folder / f".{digest}.{os.getpid()}"
        temporary.write_bytes(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    upload = {
        "_id": new_id("upl_"),
        "owner_id": owner_id,
        "sha256": digest,
        "content_type": content_type,
        "size": len(content),
        "filename": (getattr(file, "filename", None) or "")[:100],
        "created_at": now_iso(),
    }
    store[UPLOADS].insert_one(upload)
    return upload
