"""HTTP for the vault: the person's data, their e-certificates with QR codes, and public verification."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from api.blueprint import Blueprint
from api.errors import Conflict, DomainError
from auth import accounts
from auth.access import current_principal, login_required
from auth.crypto import field_cipher
from auth.limits import Rule, enforce
from auth.registry import registry_for
from auth.schemas import RevealQuerySchema

from . import service
from .qr import qr_png, qr_svg, verify_url
from .schemas import (
    CertificateDetailSchema,
    CertificateSummarySchema,
    OwnDataUpdateSchema,
    OwnSectionSchema,
    VaultSchema,
    VerifyQuerySchema,
    VerifyResultSchema,
)
from .signing import certificate_keys

blp = Blueprint("vault", __name__, url_prefix="/api/v1", description="Personal data vault and e-certificates (电子证照)")

VERIFY_RULE = Rule("verify-ip", 60, 60)


class PreconditionRequired(DomainError):
    status, code, message = 428, "precondition_required", "请带上资料的版本号（version 或 If-Match）"


def _store():
    return current_app.extensions["store"]


def _account() -> dict:
    return accounts.get_account(_store(), current_principal().account_id)


def _holders() -> list[dict]:
    return service.holders_of(_account(), field_cipher(), current_principal().acting_for)


def _expected_version(body: dict) -> int:
    """The version the client read: from the body, else from If-Match ("3", W/"3" or 3)."""
    if body.get("version") is not None:
        return body["version"]
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise Conflict("资料已在其他设备上修改，请刷新后重试", code="version_conflict")
    return int(text)


def _link(document: dict) -> str:
    token = certificate_keys().sign(document["_id"], document["type"])
    return verify_url(current_app.config["PUBLIC_BASE_URL"], token)


@blp.route("/me/vault")
class Vault(MethodView):
    decorators = [login_required]

    @blp.arguments(RevealQuerySchema, location="query")
    @blp.response(200, VaultSchema)
    def get(self, query):
        """The caller's vault: registry data (政府核验, from L2), own data (本人填报), certificates, the org acted for."""
        return service.vault_view(
            _store(),
            field_cipher(),
            registry_for(current_app),
            _account(),
            current_principal().acting_for,
            reveal=query["reveal"],
        )


@blp.route("/me/vault/own")
class OwnData(MethodView):
    decorators = [login_required]

    @blp.arguments(OwnDataUpdateSchema)
    @blp.response(200, OwnSectionSchema)
    @blp.alt_response(409, description="The data changed since the version sent")
    @blp.alt_response(428, description="Neither version nor If-Match was sent")
    def put(self, body):
        """Update self-reported data (contact, bank account for refunds, family); answers masked."""
        expected = _expected_version(body)
        body.pop("version", None)
        account_id = current_principal().account_id
        own = service.update_own_data(_store(), account_id, body, expected, field_cipher())
        return service.masked(own), 200, {"ETag": f'"{own["version"]}"'}


@blp.route("/me/certificates")
class Certificates(MethodView):
    decorators = [login_required]

    @blp.response(200, CertificateSummarySchema(many=True))
    def get(self):
        """The caller's e-certificates, and the org's too when acting for one (X-Acting-For)."""
        return [service.summary(document) for document in service.certificates_of(_store(), field_cipher(), _holders())]


@blp.route("/me/certificates/<cert_id>")
class Certificate(MethodView):
    decorators = [login_required]

    @blp.arguments(RevealQuerySchema, location="query")
    @blp.response(200, CertificateDetailSchema)
    def get(self, query, cert_id):
        """One certificate with its data (404 for anyone but its holder)."""
        document = service.certificate_for(_store(), field_cipher(), _holders(), cert_id)
        return {**service.detail(document, reveal=query["reveal"]), "verify_url": _link(document)}


@blp.route("/me/certificates/<cert_id>/qr.svg")
class CertificateQrSvg(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="image/svg+xml", description="The verification QR code (SVG)")
    def get(self, cert_id):
        """The certificate's verification QR code as SVG."""
        document = service.certificate_for(_store(), field_cipher(), _holders(), cert_id)
        return Response(qr_svg(_link(document)), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blp.route("/me/certificates/<cert_id>/qr.png")
class CertificateQrPng(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="image/png", description="The verification QR code (PNG)")
    def get(self, cert_id):
        """The certificate's verification QR code as PNG."""
        document = service.certificate_for(_store(), field_cipher(), _holders(), cert_id)
        return Response(qr_png(_link(document)), mimetype="image/png", headers={"Cache-Control": "no-store"})


@blp.route("/certificates/verify")
class Verify(MethodView):
    @blp.arguments(VerifyQuerySchema, location="query")
    @blp.response(200, VerifyResultSchema)
    @blp.alt_response(429, description="Too many checks from this address (Retry-After)")
    def get(self, query):
        """Anyone: is the certificate behind a QR token genuine and valid? Forged or garbage tokens answer genuine=false."""
        enforce(_store(), [(VERIFY_RULE, request.remote_addr or "")], "核验过于频繁，请稍后再试")
        return service.verify_token(_store(), certificate_keys(), query["token"])
