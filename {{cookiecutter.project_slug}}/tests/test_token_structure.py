"""Malformed compact serializations: every one is a 401 with error="invalid_token", never a 500.

Payload cases are signed with the tenant's real key, so that the signature
check passes and only the payload parser can reject them.
"""

import json

import jwt
import pytest

from tests.conftest import KID, auth0_claims, b64url

pytestmark = [pytest.mark.django_db]

INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'
PAYLOAD_REJECTED = "The token payload is not a JSON object."
GOOD_HEADER = {"alg": "RS256", "kid": KID, "typ": "JWT"}


def encode_segment(data: dict | bytes) -> str:
    if isinstance(data, dict):
        data = json.dumps(data).encode()
    return b64url(data)


def sign_payload_bytes(payload: bytes, key) -> str:
    """Sign arbitrary payload bytes with RS256, as an issuer holding `key` could."""
    return jwt.api_jws.encode(payload, key, algorithm="RS256", headers={"kid": KID, "typ": "JWT"})


def good_payload() -> str:
    return encode_segment(auth0_claims())


@pytest.fixture
def no_length_limit(settings):
    """Lift the token length limit, so that deep nesting reaches the JSON parsers."""
    settings.AUTH0_MAX_TOKEN_LENGTH = 1_000_000


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize(
    "build",
    [
        lambda token: token.rsplit(".", 1)[0],
        lambda token: token + ".c2lnbmF0dXJl",
        lambda token: token + ".a.b",
        lambda token: token.replace(".", "..", 1),
        lambda token: "." + token,
        lambda token: token + ".",
        lambda token: "..",
        lambda token: token.rsplit(".", 1)[0] + ".",
    ],
    ids=[
        "two-parts",
        "four-parts",
        "five-parts",
        "empty-payload-segment",
        "leading-dot",
        "trailing-dot",
        "only-dots",
        "empty-signature",
    ],
)
def test_wrong_segment_count_is_rejected(bearer, jwks_endpoint, make_token, build):
    response = bearer("/api/private", build(make_token()))

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize(
    "header_segment",
    [
        "eyJhbGciOiJSUzI1NiJ9!",
        "eyJhbGciOiJSUzI1NiJ9=",
        "eyJhbGciOiJSUzI1NiJ9+/",
        "e",
        "eyJhbGciOiJSUzI1NiJ9a",
    ],
    ids=["bang", "padding", "standard-alphabet", "one-character", "length-mod-4-is-1"],
)
def test_bad_base64_header_is_rejected(bearer, jwks_endpoint, header_segment):
    response = bearer("/api/private", f"{header_segment}.{good_payload()}.c2lnbmF0dXJl")

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


def test_bad_base64_payload_is_rejected(bearer, jwks_endpoint, make_token):
    header, _, signature = make_token().split(".")

    response = bearer("/api/private", f"{header}.e.{signature}")

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize(
    "header_bytes",
    [
        b"not json",
        b"{}",
        b"[]",
        b'["RS256"]',
        b'"RS256"',
        b"42",
        b"null",
        b"true",
        b"\xff\xfe{}",
        b'{"alg": "RS256", "kid": "test-key-1"',
        b"[" * 5000,
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
    ],
    ids=[
        "text",
        "empty-object",
        "array",
        "array-of-alg",
        "string",
        "number",
        "null",
        "true",
        "invalid-utf8",
        "truncated-object",
        "5000-open-brackets",
        "5000-nested-arrays",
        "5000-nested-objects",
    ],
)
def test_header_that_is_not_json_object_is_rejected(bearer, jwks_endpoint, no_length_limit, header_bytes):
    response = bearer("/api/private", f"{b64url(header_bytes)}.{good_payload()}.c2lnbmF0dXJl")

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe\xfd",
        b"[]",
        b'[{"sub": "auth0|x"}]',
        b"42",
        b"3.5",
        b'"auth0|x"',
        b"null",
        b"true",
        b'{"sub": "auth0|x"',
        b'{"exp": NaN}',
        b'{"exp": Infinity}',
        b"[" * 5000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b'{"deep": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=[
        "text",
        "invalid-utf8",
        "empty-array",
        "array-of-claims",
        "integer",
        "float",
        "string",
        "null",
        "true",
        "truncated-object",
        "nan-constant",
        "infinity-constant",
        "5000-open-brackets",
        "5000-nested-objects",
        "claim-with-5000-nested-arrays",
    ],
)
def test_signed_non_object_payload_is_rejected(bearer, jwks_endpoint, no_length_limit, rsa_key, payload):
    response = bearer("/api/private", sign_payload_bytes(payload, rsa_key))

    assert_invalid_token(response)
    assert response.json()["error_description"] == PAYLOAD_REJECTED


def test_signed_claims_object_is_accepted(bearer, jwks_endpoint, rsa_key):
    # The counterpart of the payload cases: the same signing path with a real claim set passes.
    response = bearer("/api/private", sign_payload_bytes(json.dumps(auth0_claims()).encode(), rsa_key))

    assert response.status_code == 200


def test_tampered_payload_is_rejected(bearer, jwks_endpoint, make_token):
    header, _, signature = make_token().split(".")
    forged_payload = encode_segment(auth0_claims(sub="auth0|someone-else"))

    response = bearer("/api/private", f"{header}.{forged_payload}.{signature}")

    assert_invalid_token(response)
    assert "signature" in response.json()["error_description"]


@pytest.mark.parametrize("signature", ["AAAA", "c2lnbmF0dXJl", "_-_-", "A" * 342])
def test_garbage_signature_is_rejected(bearer, jwks_endpoint, make_token, signature):
    header, payload, _ = make_token().split(".")

    response = bearer("/api/private", f"{header}.{payload}.{signature}")

    assert_invalid_token(response)
