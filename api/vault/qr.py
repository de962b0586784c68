"""QR codes of certificate verification links (核验二维码), as SVG (print, screens) and PNG (sharing)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

# M recovers from ~15% damage: enough for a code printed on paper that gets folded, while the
# link (about 250 characters) still fits a version that a phone camera reads from arm's length.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BOX_SIZE = 8  # pixels per module in the PNG
BORDER = 4  # the quiet zone the standard asks for, in modules


def verify_url(public_base_url: str, token: str) -> str:
    """The page a phone camera opens; the token is base64url and '.', so it needs no escaping."""
    return f"{public_base_url.rstrip('/')}/verify?token={token}"


def _code(data: str, image_factory) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=BOX_SIZE, border=BORDER, image_factory=image_factory)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> bytes:
    return _code(data, SvgPathImage).make_image().to_string(encoding="unicode").encode("utf-8")


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    _code(data, PilImage).make_image().save(buffer, format="PNG")
    return buffer.getvalue()
