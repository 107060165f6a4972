"""Fixtures: RSA test keys, an Auth0-shaped token factory, and a fake key set endpoint.

Tokens are signed with keys made here and the key set is served by a stand-in
for the HTTPS fetch, so no test needs a tenant or the network. The fetch code
itself is tested against a local HTTPS server in test_jwks_fetch.py.
"""

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.cache import cache
from rest_framework.test import APIClient

from auth0authorization import keys, tokens, users
from auth0authorization.exceptions import JWKSFetchError

ISSUER = "https://tenant.test/"
AUDIENCE = "https://api.test"
KID = "test-key-1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(private_key: Any, kid: str, alg: str = "RS256") -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": alg, "x5t": "test-thumbprint"}


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


class FakeJWKSEndpoint:
    """Stands in for https://tenant.test/.well-known/jwks.json and counts its requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.calls = 0
        self.failing: Exception | None = None

    def __call__(self, url: str, timeout: float, max_bytes: int) -> dict[str, Any]:
        self.calls += 1
        if self.failing is not None:
            raise self.failing
        return json.loads(json.dumps(self.document))

    def fail(self, message: str = "connection refused") -> None:
        self.failing = JWKSFetchError(message)

    def recover(self) -> None:
        self.failing = None


@pytest.fixture(autouse=True)
def _forget_recent_users():
    """Each test starts without users remembered by an earlier test, whose database is gone."""
    users.forget_recent_users()
    yield
    users.forget_recent_users()


@pytest.fixture
def jwks_endpoint(monkeypatch: pytest.MonkeyPatch, rsa_key: rsa.RSAPrivateKey) -> FakeJWKSEndpoint:
    endpoint = FakeJWKSEndpoint({"keys": [public_jwk(rsa_key, KID)]})
    monkeypatch.setattr(keys, "fetch_jwks", endpoint)
    keys._jwks_cache = None
    tokens.forget_verified_tokens()
    cache.clear()
    yield endpoint
    keys._jwks_cache = None
    tokens.forget_verified_tokens()
    cache.clear()


def auth0_claims(**overrides: Any) -> dict[str, Any]:
    """Claims shaped like an Auth0 access token for a user, valid now."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "auth0|64f1c2a9e1b2c3d4e5f60718",
        "aud": [AUDIENCE, f"{ISSUER}userinfo"],
        "iat": now,
        "exp": now + 3600,
        "azp": "k5uXtD1nZ2bVhF3g9pQw",
        "scope": "openid profile read:messages",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not ...}


@pytest.fixture
def make_token(rsa_key: rsa.RSAPrivateKey) -> Callable[..., str]:
    """Build a token: keyword arguments override claims (`...` removes one); `header` overrides the header."""

    def make(key: Any = None, algorithm: str = "RS256", header: dict[str, Any] | None = None, **claims: Any) -> str:
        headers = {"kid": KID, "typ": "JWT", **(header or {})}
        headers = {name: value for name, value in headers.items() if value is not ...}
        return jwt.encode(auth0_claims(**claims), key or rsa_key, algorithm=algorithm, headers=headers)

    return make


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def bearer(client: APIClient) -> Callable[[str, str], Any]:
    """GET `path` with `Authorization: Bearer <token>`."""

    def get(path: str, token: str) -> Any:
        return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")

    return get
