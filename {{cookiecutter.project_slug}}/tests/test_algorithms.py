"""Signing algorithms: only the configured asymmetric ones, and only with a key made for them.

Tokens whose `alg` is not allowed are rejected from the header alone, so they
never cause a key set fetch.
"""

import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured

from auth0authorization.conf import get_config
from tests.conftest import KID, auth0_claims, b64url, public_jwk

pytestmark = [pytest.mark.django_db]

INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'
EC_KID = "test-ec-key-1"
# Order of the P-256 group: r = s = n is as invalid as r = s = 0.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def signing_input(header: dict, claims: dict) -> str:
    return b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())


def hs256_token(secret: bytes, header: dict | None = None) -> str:
    """Build an HS256 token keyed with `secret`, as an attacker holding the public key could."""
    message = signing_input(header or {"alg": "HS256", "kid": KID, "typ": "JWT"}, auth0_claims())
    signature = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    return f"{message}.{b64url(signature)}"


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert response.json()["error"] == "invalid_token"


@pytest.fixture
def ec_tenant(settings, jwks_endpoint, rsa_key, ec_key):
    """A tenant that publishes an RSA and an EC key, with ES256 allowed next to RS256."""
    settings.AUTH0_ALGORITHMS = ["RS256", "ES256"]
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    jwks_endpoint.document = {
        "keys": [public_jwk(rsa_key, KID), {**ec_jwk, "kid": EC_KID, "use": "sig", "alg": "ES256"}]
    }
    return jwks_endpoint


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"], ids=["empty-signature", "some-signature"])
def test_alg_none_is_rejected(bearer, jwks_endpoint, alg, signature):
    token = signing_input({"alg": alg, "kid": KID, "typ": "JWT"}, auth0_claims()) + "." + signature

    response = bearer("/api/private", token)

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize(
    "header",
    [
        {"kid": KID, "typ": "JWT"},
        {"alg": None, "kid": KID},
        {"alg": ["RS256"], "kid": KID},
        {"alg": "rs256", "kid": KID},
        {"alg": "RS256 ", "kid": KID},
        {"alg": "", "kid": KID},
    ],
    ids=["missing", "null", "list", "lowercase", "trailing-space", "empty"],
)
def test_malformed_alg_is_rejected(bearer, jwks_endpoint, rsa_key, header):
    message = signing_input(header, auth0_claims())
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(message.encode(), rsa_key)

    response = bearer("/api/private", f"{message}.{b64url(signature)}")

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


def test_hs256_keyed_with_public_key_pem_is_rejected(bearer, jwks_endpoint, rsa_key):
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    response = bearer("/api/private", hs256_token(pem))

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


def test_hs256_keyed_with_public_jwk_is_rejected(bearer, jwks_endpoint, rsa_key):
    jwk_json = json.dumps(public_jwk(rsa_key, KID)).encode()

    response = bearer("/api/private", hs256_token(jwk_json))

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


def test_hs256_with_embedded_oct_jwk_is_rejected(bearer, jwks_endpoint, rsa_key):
    # The header carries the public key as an `oct` key whose value is its PEM text.
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": KID, "jwk": {"kty": "oct", "k": b64url(pem)}}

    response = bearer("/api/private", hs256_token(pem, header))

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize("algorithm", ["PS256", "PS512", "RS384", "RS512"])
def test_other_rsa_algorithm_is_rejected(bearer, jwks_endpoint, make_token, algorithm):
    response = bearer("/api/private", make_token(algorithm=algorithm))

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize("algorithms", [["HS256"], ["RS256", "HS256"], ["none"], []])
def test_symmetric_or_no_algorithm_cannot_be_configured(settings, algorithms):
    settings.AUTH0_ALGORITHMS = algorithms

    with pytest.raises(ImproperlyConfigured):
        get_config()


def test_es256_token_is_accepted_when_allowed(bearer, ec_tenant, make_token, ec_key):
    response = bearer("/api/private", make_token(key=ec_key, algorithm="ES256", header={"kid": EC_KID}))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "signature",
    [
        bytes(64),
        P256_ORDER.to_bytes(32, "big") * 2,
        bytes(32) + P256_ORDER.to_bytes(32, "big"),
        b"\x30\x06\x02\x01\x00\x02\x01\x00",
        bytes(63),
        bytes(65),
    ],
    ids=["r-s-zero", "r-s-order", "r-zero-s-order", "der-zero", "short", "long"],
)
def test_es256_psychic_signature_is_rejected(bearer, ec_tenant, signature):
    message = signing_input({"alg": "ES256", "kid": EC_KID, "typ": "JWT"}, auth0_claims())

    response = bearer("/api/private", f"{message}.{b64url(signature)}")

    assert_invalid_token(response)


def test_es256_token_against_rsa_key_is_rejected(bearer, ec_tenant, make_token, ec_key):
    response = bearer("/api/private", make_token(key=ec_key, algorithm="ES256", header={"kid": KID}))

    assert_invalid_token(response)


def test_rs256_token_against_ec_key_is_rejected(bearer, ec_tenant, make_token):
    response = bearer("/api/private", make_token(header={"kid": EC_KID}))

    assert_invalid_token(response)


def test_es256_is_rejected_unless_configured(bearer, jwks_endpoint, make_token, ec_key, rsa_key):
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    jwks_endpoint.document = {"keys": [public_jwk(rsa_key, KID), {**ec_jwk, "kid": EC_KID, "alg": "ES256"}]}

    response = bearer("/api/private", make_token(key=ec_key, algorithm="ES256", header={"kid": EC_KID}))

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


def test_algorithm_must_match_key_alg(bearer, jwks_endpoint, make_token, settings):
    settings.AUTH0_ALGORITHMS = ["RS256", "RS512"]

    response = bearer("/api/private", make_token(algorithm="RS512"))

    assert_invalid_token(response)
    assert "does not match its key" in response.json()["error_description"]


def test_rs256_token_is_accepted_with_several_algorithms_allowed(bearer, jwks_endpoint, make_token, settings):
    settings.AUTH0_ALGORITHMS = ["RS256", "RS512"]

    response = bearer("/api/private", make_token())

    assert response.status_code == 200


@pytest.mark.parametrize(
    "extension",
    [
        {"crit": ["exp"]},
        {"crit": ["http://example.invalid/unknown"], "http://example.invalid/unknown": True},
        {"crit": []},
        {"crit": "b64"},
        {"crit": ["b64"], "b64": False},
        {"b64": False},
        {"b64": True},
    ],
    ids=["crit-exp", "crit-unknown-uri", "crit-empty", "crit-string", "crit-b64-false", "b64-false", "b64-true"],
)
def test_header_extension_is_rejected(bearer, jwks_endpoint, rsa_key, extension):
    # Signed with the real key over the usual base64url payload, so only the header can make it fail.
    message = signing_input({"alg": "RS256", "kid": KID, "typ": "JWT", **extension}, auth0_claims())
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(message.encode(), rsa_key)

    response = bearer("/api/private", f"{message}.{b64url(signature)}")

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


def test_unencoded_payload_with_b64_false_is_rejected(bearer, jwks_endpoint, rsa_key):
    # RFC 7797: with b64 false, the signature covers the raw payload, here one that fits the URL-safe alphabet.
    header = b64url(json.dumps({"alg": "RS256", "kid": KID, "b64": False, "crit": ["b64"]}).encode())
    raw_payload = "rawpayload"
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(
        f"{header}.{raw_payload}".encode(), rsa_key
    )

    response = bearer("/api/private", f"{header}.{raw_payload}.{b64url(signature)}")

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0
