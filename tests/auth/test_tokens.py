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


class Monotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_forged_tokens_with_unknown_key_ids_reload_the_keys_at_most_once_per_interval(app, protected, monkeypatch):
    ring, clock = keyring(app), Monotonic()
    ring.now = clock
    ring.reload()
    reloads = []
    real_reload = ring.reload
    monkeypatch.setattr(ring, "reload", lambda: reloads.append(clock.now) or real_reload())
    forger = Ed25519PrivateKey.generate()
    for n in range(30):
        forged = jwt.encode(claims(app), forger, algorithm="EdDSA", headers={"kid": f"made-up-{n}"})
        assert protected.get("/api/v1/whoami-test", headers=bearer(forged)).status_code == 401
        clock.now += 0.1
    assert len(reloads) <= 1

    # a key another process made is found once the interval has passed
    new_kid = new_key(app.config["KEYS_DIR"])
    with open(f"{app.config['KEYS_DIR']}/jwt-ed25519-{new_kid}.pem", "rb") as handle:
        theirs = serialization.load_pem_private_key(handle.read(), password=None)
    token = jwt.encode(claims(app), theirs, algorithm="EdDSA", headers={"kid": new_kid})
    clock.now += ring.MISS_RELOAD_SECONDS
    assert protected.get("/api/v1/whoami-test", headers=bearer(token)).status_code == 200


def test_a_rotated_out_key_verifies_until_its_tokens_expired_then_is_retired_and_verifies_nothing(app, protected, client):
    import os

    old_token = issue_access_token(app, "acc-1")
    old_kid = keyring(app).signer.kid
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rotate-signing-key"]).exit_code == 0
    middle_kid = keyring(app).signer.kid
    assert protected.get("/api/v1/whoami-test", headers=bearer(old_token)).status_code == 200
    assert runner.invoke(args=["retire-signing-keys"]).output.strip() == "no key to remove"
    assert old_kid in {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}

    # the middle key has been signing for longer than a token lives: no token of the old key is in date
    lifetime = int(app.config["ACCESS_TOKEN_SECONDS"])
    then = time.time() - lifetime - 61
    os.utime(os.path.join(app.config["KEYS_DIR"], f"jwt-ed25519-{middle_kid}.pem"), (then, then))
    result = runner.invoke(args=["rotate-signing-key"])
    assert result.exit_code == 0 and f"removed keys no token can still use: {old_kid}" in result.output

    assert protected.get("/api/v1/whoami-test", headers=bearer(old_token)).status_code == 401
    published = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert old_kid not in published and middle_kid in published


def test_a_signing_keys_public_key_is_derived_once_and_matches_the_private_key(app):
    key = keyring(app).signer
    assert key.public_key is key.public_key
    expected = key.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == expected
