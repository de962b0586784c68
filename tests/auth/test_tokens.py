"""Access tokens: only our own EdDSA signature, for our audience, in date, is accepted."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.access import login_required, roles_required
from auth.keys import new_key
from auth.tokens import AUDIENCE, InvalidToken, issue_access_token, keyring, verify_access_token


@pytest.fixture
def protected(app):
    @login_required
    def whoami():
        from auth.access import current_principal

        p = current_principal()
        return {"sub": p.account_id, "roles": list(p.roles), "acr": p.acr}

    @roles_required("admin")
    def admin_only():
        return {"ok": True}

    app.add_url_rule("/api/v1/whoami-test", "whoami_test", whoami)
    app.add_url_rule("/api/v1/admin-test", "admin_test", admin_only)
    return app.test_client()


def claims(app, **changes):
    now = int(time.time())
    base = {
        "iss": app.config["JWT_ISSUER"],
        "aud": AUDIENCE,
        "sub": "acc-1",
        "roles": ["citizen"],
        "acr": 1,
        "iat": now,
        "exp": now + 60,
    }
    base.update(changes)
    return base


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_we_issued_identifies_the_caller(app, protected):
    token = issue_access_token(app, "acc-1", roles=("citizen",), acr=2)
    response = protected.get("/api/v1/whoami-test", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"sub": "acc-1", "roles": ["citizen"], "acr": 2}


def test_no_token_is_a_401_with_a_bearer_challenge(protected):
    response = protected.get("/api/v1/whoami-test")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_signed_by_another_ed25519_key_is_a_401(app, protected):
    kid = keyring(app).signer.kid
    forged = jwt.encode(claims(app), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid})
    assert protected.get("/api/v1/whoami-test", headers=bearer(forged)).status_code == 401


def test_an_unsigned_alg_none_token_is_a_401(app, protected):
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    token = b64({"alg": "none", "kid": keyring(app).signer.kid}) + "." + b64(claims(app)) + "."
    assert protected.get("/api/v1/whoami-test", headers=bearer(token)).status_code == 401


def test_hs256_signed_with_the_public_key_as_secret_is_a_401(app, protected):
    public = keyring(app).signer.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": keyring(app).signer.kid}
    import hashlib
    import hmac

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims(app)).encode())
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    token = signing_input + "." + b64(signature)
    assert protected.get("/api/v1/whoami-test", headers=bearer(token)).status_code == 401


def test_an_expired_token_is_a_401(app, protected):
    key = keyring(app).signer
    token = jwt.encode(claims(app, exp=int(time.time()) - 60), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    response = protected.get("/api/v1/whoami-test", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_a_token_for_another_audience_or_issuer_is_refused(app):
    key = keyring(app).signer
    for bad in (claims(app, aud="someone-else"), claims(app, iss="evil")):
        token = jwt.encode(bad, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        with app.app_context(), pytest.raises(InvalidToken):
            verify_access_token(token)


@pytest.mark.parametrize("claim, value", [("aud", "another-api"), ("iss", "another-issuer")])
def test_a_token_signed_by_our_key_for_another_audience_or_issuer_is_a_401_over_http(app, protected, claim, value):
    key = keyring(app).signer
    token = jwt.encode(claims(app, **{claim: value}), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    response = protected.get("/api/v1/whoami-test", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_missing_role_is_a_403_not_a_401(app, protected):
    token = issue_access_token(app, "acc-1", roles=("citizen",))
    assert protected.get("/api/v1/admin-test", headers=bearer(token)).status_code == 403
    admin = issue_access_token(app, "acc-2", roles=("admin",))
    assert protected.get("/api/v1/admin-test", headers=bearer(admin)).status_code == 200


def test_tokens_signed_before_a_key_rotation_still_verify_and_both_keys_are_published(app, client):
    old = issue_access_token(app, "acc-1")
    old_kid = keyring(app).signer.kid
    new_kid = new_key(app.config["KEYS_DIR"])
    keyring(app).reload()
    assert keyring(app).signer.kid == new_kid != old_kid
    with app.app_context():
        assert verify_access_token(old)["sub"] == "acc-1"
        assert jwt.get_unverified_header(issue_access_token(app, "acc-1"))["kid"] == new_kid
    kids = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert kids == {old_kid, new_kid}


def test_signing_keys_are_files_only_the_owner_can_read(app):
    import os
    import stat

    keyring(app)
    files = [f for f in os.listdir(app.config["KEYS_DIR"]) if f.endswith(".pem")]
    assert files
    for name in files:
        assert stat.S_IMODE(os.stat(os.path.join(app.config["KEYS_DIR"], name)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(app.config["KEYS_DIR"]).st_mode) == 0o700
