"""Uploaded materials: PDF, JPEG or PNG, the type read from the content, kept under DATA_DIR/uploads by hash.

An upload belongs to the account that sent it and is never served to anyone else; the same bytes
sent twice are stored once on disk (content-addressed) but recorded per owner.

The name a file came with proves nothing: a PDF named .jpg is kept as the PDF it is, an HTML page
named .png or a program named .pdf is refused. An image must also be one that opens: its header is
read (never its pixels) and more than MAX_PIXELS is refused as a decompression bomb — a few
kilobytes of PNG can declare a picture that would take gigabytes to decode in a reviewer's browser
or a thumbnailer. The file name, which the browser sends and nobody types, is kept neutralised:
control characters and bidirectional overrides removed, so 'invoice\u202egpj.exe' cannot show as
'invoiceexe.jpg' to a clerk.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from pathlib import Path

from PIL import Image

from api.clock import now_iso
from api.errors import DomainError, Invalid
from api.store import new_id

UPLOADS = "uploads"
MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
MAX_PIXELS = 40_000_000  # a 40-megapixel scan is generous for an A4 page at 600 dpi (35 MP)
UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069/\\]")


class TooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "文件不能超过5MB"


def sniff(head: bytes) -> str | None:
    """The content type a file's first bytes prove, or None."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def check_image(content: bytes) -> None:
    """Refuse an image that does not open or declares more than MAX_PIXELS; reads the header, never the pixels."""
    refused = Invalid("图片文件已损坏或尺寸过大", code="unsupported_file_type", errors={"file": ["图片文件已损坏或尺寸过大"]})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise refused
                image.verify()  # chunk checksums and structure, without decoding
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused from None


def safe_filename(name: str | None) -> str:
    return UNSAFE_IN_NAMES.sub("", name or "").strip()[:100]


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
    if content_type.startswith("image/"):
        check_image(content)
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
        "filename": safe_filename(getattr(file, "filename", None)),
        "created_at": now_iso(),
    }
    store[UPLOADS].insert_one(upload)
    return upload
