"""QR codes decoded from the images we serve, and the public verification of their tokens."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
import qrcode
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw

from api.vault import service
from api.vault.qr import BORDER, ERROR_CORRECTION
from api.vault.signing import CertificateKeys, certificate_keys, rotate_signing_key

CERTS = "/api/v1/me/certificates"
VERIFY = "/api/v1/certificates/verify"
SVG_NS = "{http://www.w3.org/2000/svg}"
_RECT = re.compile(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H([\d.]+)z")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def _svg_modules(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """(modules per side including the quiet zone, the dark modules) read from the SVG's path."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed
    assert root.tag == f"{SVG_NS}svg"
    side = float(root.get("viewBox").split()[2])
    rects = [tuple(map(float, match)) for match in _RECT.findall(root.find(f"{SVG_NS}path").get("d"))]
    module = rects[0][2] - rects[0][0]
    dark = {(round(y / module), round(x / module)) for x, y, *_ in rects}
    return round(side / module), dark


def _render(size: int, dark: set[tuple[int, int]], scale: int = 8) -> bytes:
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for row, col in dark:
        draw.rectangle([col * scale, row * scale, (col + 1) * scale - 1, (row + 1) * scale - 1], fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _token_of(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:8000/verify"
    return parse_qs(parts.query)["token"][0]


@pytest.fixture
def holder_cert(verified, issue, holder_of):
    """(session, person, certificate) for a logged-in holder of one certificate."""
    session, person = verified("13800000041", "张晓明")
    cert = issue(holder_of(session), data={"id_number": person.id_number, "shop": "示例小馆"})
    return session, person, cert


def test_the_png_qr_code_decodes_to_a_verify_link_whose_token_is_genuine(client, holder_cert):
    session, _, cert = holder_cert

    response = session.get(f"{CERTS}/{cert['_id']}/qr.png")

    assert response.status_code == 200 and response.mimetype == "image/png"
    result = client.get(VERIFY, query_string={"token": _token_of(_decode_png(response.data))}).get_json()
    assert result["genuine"] is True and result["status"] == "valid"
    assert result["type_name"] == "食品经营许可证" and result["issuer_name"] == "株洲市市场监督管理局"
    assert result["issued_on"] == cert["issued_on"] and result["valid_until"] == cert["valid_until"]


def test_the_svg_qr_code_is_well_formed_and_holds_the_same_matrix(client, holder_cert):
    session, _, cert = holder_cert

    response = session.get(f"{CERTS}/{cert['_id']}/qr.svg")

    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    side, dark = _svg_modules(response.data)
    url = _decode_png(_render(side, dark))  # the SVG's own modules, rasterised, read by zxing
    reference = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    reference.add_data(url)
    reference.make(fit=True)
    assert side == reference.modules_count + 2 * BORDER
    expected = {(r + BORDER, c + BORDER) for r, row in enumerate(reference.modules) for c, on in enumerate(row) if on}
    assert dark == expected
    assert client.get(VERIFY, query_string={"token": _token_of(url)}).get_json()["genuine"] is True


def test_the_token_carries_no_personal_data(app, holder_cert):
    _, person, cert = holder_cert

    token = certificate_keys(app).sign(cert["_id"], cert["type"])
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))

    assert set(payload) == {"kid", "cid", "typ", "iat"} and payload["cid"] == cert["_id"]
    assert person.id_number not in token and len(token) < 256


def test_verify_shows_only_the_masked_holder_name(app, client, holder_cert):
    _, person, cert = holder_cert
    token = certificate_keys(app).sign(cert["_id"], cert["type"])

    text = client.get(VERIFY, query_string={"token": token}).get_data(as_text=True)

    result = json.loads(text)
    assert result["holder"] == "张**" and result["number"] != cert["number"] and result["number"][-4:] == cert["number"][-4:]
    for secret in ("张晓明", person.id_number, cert["number"], "示例小馆", cert["holder_key"]):
        assert secret not in text


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_token_with_one_character_changed_is_not_genuine(app, client, holder_cert, where):
    _, _, cert = holder_cert
    token = certificate_keys(app).sign(cert["_id"], cert["type"])
    position = 10 if where == "payload" else token.index(".") + 20
    tampered = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]

    result = client.get(VERIFY, query_string={"token": tampered}).get_json()

    assert result == {**service.NOT_GENUINE}


def test_a_token_signed_by_another_key_is_not_genuine(app, client, holder_cert):
    _, _, cert = holder_cert
    keys = certificate_keys(app)
    for kid in (keys.kid, "AAAAAAAA"):  # claiming our key id, and an unknown one
        head = _b64url(json.dumps({"kid": kid, "cid": cert["_id"], "typ": cert["type"], "iat": 1}).encode())
        forged = head + "." + _b64url(Ed25519PrivateKey.generate().sign(head.encode()))

        assert client.get(VERIFY, query_string={"token": forged}).get_json()["genuine"] is False


def test_a_genuine_token_for_another_type_is_not_genuine(app, client, holder_cert):
    _, _, cert = holder_cert

    token = certificate_keys(app).sign(cert["_id"], "business_licence")

    assert client.get(VERIFY, query_string={"token": token}).get_json()["genuine"] is False


@pytest.mark.parametrize("garbage", ["x", "a.b", "a.b.c", "!!!.???", "e30.e30", "." * 40, "é.é", "A" * 600 + "." + "B"])
def test_garbage_tokens_answer_not_genuine_not_an_error(client, garbage):
    response = client.get(VERIFY, query_string={"token": garbage})

    assert response.status_code == 200 and response.get_json()["genuine"] is False


def test_a_missing_token_is_a_422(client):
    assert client.get(VERIFY).status_code == 422


def test_a_revoked_certificate_is_genuine_but_revoked(app, client, store, holder_cert):
    _, _, cert = holder_cert
    service.revoke_certificate(store, cert["_id"], "被依法撤销")

    result = client.get(VERIFY, query_string={"token": certificate_keys(app).sign(cert["_id"], cert["type"])}).get_json()

    assert result["genuine"] is True and result["status"] == "revoked"


def test_an_expired_certificate_is_genuine_but_expired(app, client, store, holder_cert):
    _, _, cert = holder_cert
    store["certificates"].update_one({"_id": cert["_id"]}, {"$set": {"valid_until": "2020-01-01T00:00:00.000Z"}})

    result = client.get(VERIFY, query_string={"token": certificate_keys(app).sign(cert["_id"], cert["type"])}).get_json()

    assert result["genuine"] is True and result["status"] == "expired"


def test_codes_printed_before_a_key_rotation_still_verify(app, client, holder_cert):
    _, _, cert = holder_cert
    keys = certificate_keys(app)
    old_kid, old_token = keys.kid, keys.sign(cert["_id"], cert["type"])

    new_kid = rotate_signing_key(app.config["KEYS_DIR"])
    keys.reload()
    new_token = keys.sign(cert["_id"], cert["type"])

    assert new_kid != old_kid and keys.kid == new_kid
    for token in (old_token, new_token):
        assert client.get(VERIFY, query_string={"token": token}).get_json()["genuine"] is True
    assert CertificateKeys(app.config["KEYS_DIR"]).verify(old_token) is not None  # another process, after rotation


def test_the_signing_key_file_is_private(app):
    certificate_keys(app)

    path = os.path.join(app.config["KEYS_DIR"], "certificate-signing.pem")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_verify_is_rate_limited_per_address(client):
    address = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(60):
        assert client.get(VERIFY, query_string={"token": "x"}, environ_base=address).status_code == 200

    response = client.get(VERIFY, query_string={"token": "x"}, environ_base=address)

    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


def test_the_verify_page_shows_the_verdict_without_a_script(app, client, holder_cert):
    _, person, cert = holder_cert
    token = certificate_keys(app).sign(cert["_id"], cert["type"])

    page = client.get("/verify", query_string={"token": token})
    forged = client.get("/verify", query_string={"token": token[:-30] + "A" * 30})

    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "真实有效" in html and "张**" in html and "株洲市市场监督管理局" in html and "<script" not in html
    assert "张晓明" not in html and person.id_number not in html
    assert "无法核验" in forged.get_data(as_text=True)
