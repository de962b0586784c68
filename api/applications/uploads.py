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
from api.store import new_id

UPLOADS = "uploads"
MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


class TooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "文件不能超过5MB"


def sniff(head: bytes) -> str | None:
    """The content type a file's first bytes prove, or None."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def upload_path(data_dir: str, digest: str) -> Path:
    return Path(data_dir) / "uploads" / digest[:2] / digest


def save_upload(store, data_dir: str, owner_id: str, file, *, application_id: str | None = None,
                material: str | None = None) -> dict:  # fmt: skip
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
    path = upload_path(data_dir, digest)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        os.utime(path)  # in use again: the draft purge leaves a file alone that was used this hour
    else:
        temporary = folder / f".{digest}.{os.getpid()}"
        temporary.write_bytes(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    upload = {
        "_id": new_id("upl_"),
        "owner_id": owner_id,
        "application_id": application_id,
        "material": material,
        "sha256": digest,
        "content_type": content_type,
        "size": len(content),
        "filename": (getattr(file, "filename", None) or "")[:100],
        "created_at": now_iso(),
    }
    store[UPLOADS].insert_one(upload)
    return upload
