"""Each process remembers the access tokens it verified; a remembered token is refused exactly when a
fresh verification would refuse it, and the session behind it is asked about on every request."""

import base64
import hashlib
import hmac
import json
import os
import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api import create_app
from auth import tokens
from auth.keys import PREFIX, new_key
from auth.tokens import (
    AUDIENCE,
    LEEWAY_SECONDS,
    InvalidToken,
    VerifiedTokens,
    issue_access_token,
    keyring,
    verified_tokens,
    verify_access_token,
)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    """One app for the tests that change neither its keys nor its config (an app takes ~0.5 s to make)."""
    return create_app({"DATA_DIR": str(tmp_path_factory.mktemp("tokens") / "var"), "TESTING": True, "LOG_LEVEL": "WARNING"})


@pytest.fixture
def token_app(shared_app):
    """The shared app with an empty memory of verified tokens."""
    shared_app.extensions["verified_tokens"] = VerifiedTokens()
    return shared_app


def claims(app, **changes):
    now = int(time.time())
    base = {"iss": app.config["JWT_ISSUER"], "aud": AUDIENCE, "sub": "acc-1", "roles": ["citizen"], "acr": 1}
    base.update({"iat": now, "nbf": now, "exp": now + 60, "jti": "j-1"})
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def signed(app, header: dict | None = None, private_key=None, **changes) -> str:
    key = keyring(app).signer
    header = header or {"kid": key.kid}
    return jwt.encode(claims(app, **changes), private_key or key.private_key, algorithm="EdDSA", headers=header)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def with_payload(token: str, payload: dict) -> str:
    header, _, signature = token.split(".")
    return ".".join([header, b64(json.dumps(payload).encode()), signature])


def with_signature_spare_bits_set(token: str) -> str:
    """The same signature bytes written with the unused low bits of the last base64 digit set (not canonical)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = token[-1]
    return token[:-1] + alphabet[alphabet.index(last) | 0b1111]


def segments(app, alg: str) -> str:
    header = {"alg": alg, "kid": keyring(app).signer.kid}
    return b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims(app)).encode())


def unsigned(app) -> str:
    return segments(app, "none") + "."


def hs256_with_the_public_key(app) -> str:
    public = keyring(app).signer.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = segments(app, "HS256")
    return signing_input + "." + b64(hmac.new(public, signing_input.encode(), hashlib.sha256).digest())


BAD_TOKENS = {
    "another key's signature": lambda app: signed(app, private_key=Ed25519PrivateKey.generate()),
    "a changed payload": lambda app: with_payload(signed(app), claims(app, sub="acc-2")),
    "a signature not written canonically": lambda app: with_signature_spare_bits_set(signed(app)),
    "expired beyond the leeway": lambda app: signed(app, exp=int(time.time()) - LEEWAY_SECONDS - 1),
    "not valid before a later time": lambda app: signed(app, nbf=int(time.time()) + 60),
    "issued in the future": lambda app: signed(app, iat=int(time.time()) + 60, nbf=None),
    "another audience": lambda app: signed(app, aud="another-api"),
    "another issuer": lambda app: signed(app, iss="another-issuer"),
    "no subject": lambda app: signed(app, sub=None),
    "no expiry": lambda app: signed(app, exp=None),
    "an expiry that is not a number": lambda app: signed(app, exp="soon"),
    "an unknown key id": lambda app: signed(app, header={"kid": "made-up"}),
    "no key id": lambda app: signed(app, header={"typ": "JWT"}),
    "alg none": unsigned,
    "HS256 keyed with our public key": hs256_with_the_public_key,
    "not a JWT": lambda app: "not-a-token",
}


def test_a_token_presented_again_is_answered_from_memory_without_verifying_it_again(token_app, monkeypatch):
    token = issue_access_token(token_app, "acc-1", roles=("citizen",), acr=2)
    with token_app.app_context():
        first = verify_access_token(token)
        decodes = []
        real_decode = tokens.jwt.decode
        monkeypatch.setattr(tokens.jwt, "decode", lambda *a, **k: decodes.append(1) or real_decode(*a, **k))
        assert verify_access_token(token) == first
    assert decodes == [] and first["sub"] == "acc-1" and first["acr"] == 2


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_a_bad_token_is_refused_every_time_and_never_remembered(token_app, kind):
    token = BAD_TOKENS[kind](token_app)
    with token_app.app_context():
        for _ in range(2):
            with pytest.raises(InvalidToken):
                verify_access_token(token)
    assert len(verified_tokens(token_app)) == 0


def test_a_token_within_the_leeway_is_accepted_as_before_and_then_remembered(token_app):
    token = signed(token_app, exp=int(time.time()) - LEEWAY_SECONDS + 2)
    with token_app.app_context():
        assert verify_access_token(token)["sub"] == "acc-1"
        assert verify_access_token(token)["sub"] == "acc-1"
    assert len(verified_tokens(token_app)) == 1


def test_a_remembered_token_is_refused_once_its_exp_is_past_by_the_leeway(token_app):
    token, remembered = signed(token_app), verified_tokens(token_app)
    with token_app.app_context():
        exp = verify_access_token(token)["exp"]
        remembered.now = lambda: exp + LEEWAY_SECONDS - 0.001  # PyJWT: refused when exp <= now - leeway
        assert verify_access_token(token)["sub"] == "acc-1"
        remembered.now = lambda: exp + LEEWAY_SECONDS
        with pytest.raises(InvalidToken):
            verify_access_token(token)
    assert len(remembered) == 0


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_a_remembered_token_is_refused_while_the_clock_reads_before_its_iat_or_nbf(token_app, claim):
    start = int(time.time())
    token = signed(token_app, **({"iat": start - 30, "nbf": start} if claim == "nbf" else {"iat": start, "nbf": start - 30}))
    remembered = verified_tokens(token_app)
    with token_app.app_context():
        verify_access_token(token)
        remembered.now = lambda: start - LEEWAY_SECONDS  # PyJWT: refused when iat or nbf > now + leeway
        assert verify_access_token(token)["sub"] == "acc-1"
        remembered.now = lambda: start - LEEWAY_SECONDS - 0.001
        with pytest.raises(InvalidToken):
            verify_access_token(token)


def test_a_remembered_token_is_refused_once_its_key_is_retired(app):
    old_token = issue_access_token(app, "acc-1")
    old_kid = keyring(app).signer.kid
    with app.app_context():
        assert verify_access_token(old_token)["sub"] == "acc-1"
        new_key(app.config["KEYS_DIR"])
        keyring(app).reload()
        assert verify_access_token(old_token)["sub"] == "acc-1"  # rotated, not retired: still good
        os.remove(os.path.join(app.config["KEYS_DIR"], f"{PREFIX}{old_kid}.pem"))
        keyring(app).reload()
        with pytest.raises(InvalidToken):
            verify_access_token(old_token)


def test_a_remembered_token_is_refused_when_its_key_id_now_names_another_key(app):
    token = issue_access_token(app, "acc-1")
    kid = keyring(app).signer.kid
    with app.app_context():
        verify_access_token(token)
        path = os.path.join(app.config["KEYS_DIR"], f"{PREFIX}{kid}.pem")
        other = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with open(path, "wb") as handle:
            handle.write(other)
        keyring(app).reload()
        with pytest.raises(InvalidToken):
            verify_access_token(token)


def test_a_remembered_token_is_refused_once_the_app_expects_another_issuer(app):
    token = issue_access_token(app, "acc-1")
    with app.app_context():
        verify_access_token(token)
        app.config["JWT_ISSUER"] = "another-issuer"
        with pytest.raises(InvalidToken):
            verify_access_token(token)


def test_the_memory_is_bounded_and_forgets_the_least_recently_used_token(token_app):
    remembered = token_app.extensions["verified_tokens"] = VerifiedTokens(size=2)
    first, second, third = (issue_access_token(token_app, f"acc-{n}") for n in range(3))
    with token_app.app_context():
        verify_access_token(first)
        verify_access_token(second)
        verify_access_token(first)  # used again: second is now the least recently used
        verify_access_token(third)
    assert len(remembered) == 2
    assert remembered.get(first) and remembered.get(third) and remembered.get(second) is None


def test_changing_the_claims_one_caller_got_does_not_change_what_the_next_caller_gets(token_app):
    token = issue_access_token(token_app, "acc-1")
    with token_app.app_context():
        verify_access_token(token)["sub"] = "acc-2"
        assert verify_access_token(token)["sub"] == "acc-1"


@pytest.mark.parametrize("ending", ["logout", "logout-everywhere"])
def test_a_session_ended_through_one_process_is_refused_at_once_by_another_that_remembers_its_token(app, login, ending):
    other_process = create_app({"DATA_DIR": app.config["DATA_DIR"], "TESTING": True, "LOG_LEVEL": "WARNING"}).test_client()
    session = login()
    assert other_process.get("/api/v1/me", headers=session.headers).status_code == 200
    assert session.client.post(f"/api/v1/auth/{ending}", headers=session.headers).status_code == 204
    response = other_process.get("/api/v1/me", headers=session.headers)
    assert response.status_code == 401 and response.get_json()["code"] == "session_ended"


def test_threads_sharing_a_small_memory_each_get_the_claims_of_their_own_token(token_app):
    token_app.extensions["verified_tokens"] = VerifiedTokens(size=3)
    issued = {f"acc-{n}": issue_access_token(token_app, f"acc-{n}") for n in range(6)}
    wrong = []

    def work(account_id: str) -> None:
        with token_app.app_context():
            for _ in range(40):
                if verify_access_token(issued[account_id])["sub"] != account_id:
                    wrong.append(account_id)

    threads = [threading.Thread(target=work, args=(account_id,)) for account_id in issued]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == [] and len(token_app.extensions["verified_tokens"]) == 3
