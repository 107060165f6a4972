"""Key selection: only the tenant's key set decides which key verifies a token.

Key material or key locations carried in the token header (jwk, jku, x5u,
x5c) are never used, and a key id is only ever an exact lookup in that set.
"""

import datetime
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from tests.conftest import KID, auth0_claims, b64url, public_jwk

pytestmark = [pytest.mark.django_db]

INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'
ATTACKER_KID = "attacker-key"


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert response.json()["error"] == "invalid_token"


def sign_with_header(header: dict, key) -> str:
    """Sign the usual claims under any header, even one PyJWT refuses to build, such as a non-string kid."""
    message = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(auth0_claims()).encode())
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(message.encode(), key)
    return f"{message}.{b64url(signature)}"


class AttackerKeyServer:
    """An HTTP server on 127.0.0.1 that offers the attacker's key set and records every request."""

    def __init__(self, document: dict) -> None:
        self.requests: list[str] = []
        body = json.dumps(document).encode()
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
                recorded.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval keeps shutdown(), and so each test's teardown, fast.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def attacker_server(other_rsa_key):
    server = AttackerKeyServer({"keys": [public_jwk(other_rsa_key, ATTACKER_KID), public_jwk(other_rsa_key, KID)]})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def attacker_certificate(other_rsa_key) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tenant.test")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(other_rsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(other_rsa_key, hashes.SHA256())
    )


def test_unknown_kid_is_rejected(bearer, jwks_endpoint, make_token):
    response = bearer("/api/private", make_token(header={"kid": "no-such-key"}))

    assert_invalid_token(response)
    assert "unknown key" in response.json()["error_description"]


def test_missing_kid_with_several_keys_is_rejected(bearer, jwks_endpoint, make_token, rsa_key, other_rsa_key):
    jwks_endpoint.document = {"keys": [public_jwk(rsa_key, KID), public_jwk(other_rsa_key, "test-key-2")]}

    response = bearer("/api/private", make_token(header={"kid": ...}))

    assert_invalid_token(response)
    assert "no key id" in response.json()["error_description"]


def test_missing_kid_with_one_key_is_accepted(bearer, jwks_endpoint, make_token):
    response = bearer("/api/private", make_token(header={"kid": ...}))

    assert response.status_code == 200


def test_missing_kid_with_one_key_still_checks_signature(bearer, jwks_endpoint, make_token, other_rsa_key):
    response = bearer("/api/private", make_token(key=other_rsa_key, header={"kid": ...}))

    assert_invalid_token(response)


def test_right_kid_with_foreign_key_is_rejected(bearer, jwks_endpoint, make_token, other_rsa_key):
    response = bearer("/api/private", make_token(key=other_rsa_key))

    assert_invalid_token(response)
    assert "signature" in response.json()["error_description"]


@pytest.mark.parametrize("kid", [KID, ATTACKER_KID, ...], ids=["tenant-kid", "attacker-kid", "no-kid"])
def test_embedded_jwk_is_ignored(bearer, jwks_endpoint, make_token, other_rsa_key, kid):
    attacker_jwk = public_jwk(other_rsa_key, ATTACKER_KID)

    response = bearer("/api/private", make_token(key=other_rsa_key, header={"kid": kid, "jwk": attacker_jwk}))

    assert_invalid_token(response)


@pytest.mark.parametrize("parameter", ["jku", "x5u"])
@pytest.mark.parametrize("kid", [KID, ATTACKER_KID], ids=["tenant-kid", "attacker-kid"])
def test_key_url_in_header_is_never_fetched(
    bearer, jwks_endpoint, make_token, other_rsa_key, attacker_server, parameter, kid
):
    header = {"kid": kid, parameter: f"{attacker_server.url}/.well-known/jwks.json"}

    response = bearer("/api/private", make_token(key=other_rsa_key, header=header))

    assert_invalid_token(response)
    assert attacker_server.requests == []


def test_attacker_key_server_answers_when_asked(attacker_server):
    # Guards the test above: a server that could not record a request would make it pass vacuously.
    with urllib.request.urlopen(f"{attacker_server.url}/probe", timeout=5) as response:  # noqa: S310
        response.read()

    assert attacker_server.requests == ["/probe"]


@pytest.mark.parametrize("kid", [KID, ATTACKER_KID, ...], ids=["tenant-kid", "attacker-kid", "no-kid"])
def test_x5c_certificate_in_header_is_ignored(
    bearer, jwks_endpoint, make_token, other_rsa_key, attacker_certificate, kid
):
    chain = [b64url(attacker_certificate.public_bytes(serialization.Encoding.DER))]

    response = bearer("/api/private", make_token(key=other_rsa_key, header={"kid": kid, "x5c": chain}))

    assert_invalid_token(response)


@pytest.mark.parametrize(
    "unusable",
    [{"use": "enc"}, {"key_ops": ["encrypt"]}, {"key_ops": "verify"}, {"use": "sig", "key_ops": ["sign"]}],
    ids=["use-enc", "key-ops-encrypt", "key-ops-not-a-list", "key-ops-sign-only"],
)
def test_key_not_meant_for_verification_is_ignored(bearer, jwks_endpoint, make_token, rsa_key, unusable):
    # The same public key appears twice: usable under KID, and marked unusable under "enc-key".
    jwks_endpoint.document = {"keys": [public_jwk(rsa_key, KID), {**public_jwk(rsa_key, "enc-key"), **unusable}]}

    response = bearer("/api/private", make_token(header={"kid": "enc-key"}))

    assert_invalid_token(response)


def test_key_with_verify_operation_is_used(bearer, jwks_endpoint, make_token, rsa_key):
    jwks_endpoint.document = {"keys": [{**public_jwk(rsa_key, KID), "key_ops": ["verify"]}]}

    response = bearer("/api/private", make_token())

    assert response.status_code == 200


@pytest.mark.parametrize("kid", [1, 0, None, True, [KID], {"kid": KID}, 1.5], ids=repr)
def test_kid_that_is_not_a_string_is_rejected(bearer, jwks_endpoint, rsa_key, kid):
    token = sign_with_header({"alg": "RS256", "typ": "JWT", "kid": kid}, rsa_key)

    response = bearer("/api/private", token)

    assert_invalid_token(response)
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize(
    "kid",
    [
        "../../etc/passwd",
        "../test-key-1",
        "test-key-1/../test-key-1",
        "test-key-1 ",
        " test-key-1",
        "TEST-KEY-1",
        "test-key-1\x00",
        "test\u2011key\u20111",
        "\u043a\u043b\u044e\u0447",
        "",
        "*",
        "test-key-%31",
        "' OR '1'='1",
    ],
    ids=[
        "path-traversal",
        "relative-path",
        "self-referencing-path",
        "trailing-space",
        "leading-space",
        "uppercase",
        "nul-suffix",
        "non-breaking-hyphens",
        "cyrillic",
        "empty",
        "wildcard",
        "percent-encoded",
        "sql-quote",
    ],
)
def test_kid_is_an_exact_opaque_lookup(bearer, jwks_endpoint, rsa_key, kid):
    token = sign_with_header({"alg": "RS256", "typ": "JWT", "kid": kid}, rsa_key)

    response = bearer("/api/private", token)

    assert_invalid_token(response)
    assert "unknown key" in response.json()["error_description"]


def test_wrong_issuer_starts_no_key_fetch(jwks_endpoint, bearer, make_token):
    response = bearer("/api/private", make_token(iss="https://dev-issuer.invalid/", header={"kid": "unknown-kid"}))

    assert response.status_code == 401
    assert jwks_endpoint.calls == 0


def test_wrong_issuer_is_401_during_cold_outage(jwks_endpoint, bearer, make_token):
    jwks_endpoint.fail()

    response = bearer("/api/private", make_token(iss="https://another-tenant.test/"))

    assert response.status_code == 401
    assert "error=\"invalid_token\"" in response["WWW-Authenticate"]
