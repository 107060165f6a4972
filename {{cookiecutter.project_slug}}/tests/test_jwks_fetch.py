"""The real key set fetch, against HTTPS servers on 127.0.0.1 with certificates from a private CA.

The client trusts that CA only while SSL_CERT_FILE names its certificate,
which ssl.create_default_context() reads through OpenSSL's default paths.
"""

import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from django.core.cache import cache

from auth0authorization import tokens
from auth0authorization.exceptions import JWKSFetchError
from auth0authorization.jwks_fetch import fetch_jwks
from tests.conftest import KID, public_jwk

pytestmark = [pytest.mark.django_db]

MAX_BYTES = 4096
OVERSIZE = 64 * 1024
TIMEOUT = 1.0


class QuietHTTPSServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # Clients that give up on purpose (oversize bodies, timeouts, rejected certificates) are expected here.
        pass


class LocalHTTPSServer:
    """An HTTPS server on 127.0.0.1 that serves a key set and a few broken responses, and records request paths."""

    def __init__(self, certificate: trustme.LeafCert, key_set: dict) -> None:
        self.requests: list[str] = []
        self.stopping = threading.Event()
        owner = self
        key_set_body = json.dumps(key_set).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
                owner.requests.append(self.path)
                try:
                    owner.respond(self, key_set_body)
                except OSError:
                    pass

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate.configure_cert(context)
        self.server = QuietHTTPSServer(("127.0.0.1", 0), Handler)
        # The handshake then runs in the handler thread, so a client that rejects it cannot stall the accept loop.
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def respond(self, handler: BaseHTTPRequestHandler, key_set_body: bytes) -> None:
        path = handler.path
        if path in ("/.well-known/jwks.json", "/jwks.json"):
            self.send(handler, 200, key_set_body)
        elif path.startswith("/redirect/"):
            handler.send_response(int(path.rsplit("/", 1)[1]))
            handler.send_header("Location", "/.well-known/jwks.json")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif path.startswith("/status/"):
            self.send(handler, int(path.rsplit("/", 1)[1]), b'{"keys": []}')
        elif path == "/not-json":
            self.send(handler, 200, b"<html>not a key set</html>")
        elif path == "/no-keys":
            self.send(handler, 200, b'{"issuer": "https://tenant.test/"}')
        elif path == "/large/declared":
            self.send(handler, 200, self.large_body())
        elif path == "/large/chunked":
            self.send_chunked(handler, self.large_body())
        elif path == "/large/until-close":
            self.send_until_close(handler, self.large_body())
        elif path == "/slow/trickle":
            self.trickle(handler)
        elif path == "/slow/headers":
            self.stopping.wait(TIMEOUT * 4)
            self.send(handler, 200, key_set_body)
        else:
            self.send(handler, 404, b"{}")

    @staticmethod
    def large_body() -> bytes:
        # Valid JSON, so only its size can make the fetch fail.
        padding = "x" * OVERSIZE
        return json.dumps({"keys": [], "padding": padding}).encode()

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def send_chunked(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(body), 1024):
            chunk = body[start : start + 1024]
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")

    @staticmethod
    def send_until_close(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

    def trickle(self, handler: BaseHTTPRequestHandler) -> None:
        """Send one byte of a key set every 0.1 s: each read is quick, the whole body is not."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.flush()
        for _ in range(int(TIMEOUT * 40)):
            if self.stopping.wait(0.1):
                break
            handler.wfile.write(b" ")
            handler.wfile.flush()
        handler.close_connection = True


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("private-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="module")
def key_set(rsa_key) -> dict:
    return {"keys": [public_jwk(rsa_key, KID)]}


@pytest.fixture(scope="module")
def https_server(ca, key_set):
    server = LocalHTTPSServer(ca.issue_cert("127.0.0.1"), key_set)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wrong_name_server(ca, key_set):
    """A server whose certificate, from the trusted CA, names another host."""
    server = LocalHTTPSServer(ca.issue_cert("tenant.test"), key_set)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(https_server):
    https_server.requests.clear()
    return https_server


@pytest.fixture
def trusted_ca(monkeypatch, ca_file) -> str:
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    return ca_file


def test_default_context_reads_ssl_cert_file(trusted_ca, ca):
    # Every HTTPS test below relies on this: the fetch builds its context with ssl.create_default_context().
    context = ssl.create_default_context()

    trusted = context.get_ca_certs(binary_form=True)

    assert ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode()) in trusted


def test_good_key_set_is_parsed(server, trusted_ca, key_set):
    document = fetch_jwks(server.url("/jwks.json"), TIMEOUT, MAX_BYTES)

    assert document == key_set
    assert server.requests == ["/jwks.json"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/jwks.json", "HTTP://127.0.0.1:{port}/jwks.json"])
def test_http_url_is_refused_without_connecting(url):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    try:
        with pytest.raises(JWKSFetchError, match="https"):
            fetch_jwks(url.format(port=listener.getsockname()[1]), TIMEOUT, MAX_BYTES)

        # A connection attempt would wait in the backlog, and accept() would return it.
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_refused(server, trusted_ca, status):
    with pytest.raises(JWKSFetchError):
        fetch_jwks(server.url(f"/redirect/{status}"), TIMEOUT, MAX_BYTES)

    assert server.requests == [f"/redirect/{status}"]


@pytest.mark.parametrize("status", [500, 502, 404, 401, 204])
def test_error_status_is_a_failure(server, trusted_ca, status):
    # 204 carries no key set, so it must fail too, in the JSON parser if not before.
    with pytest.raises(JWKSFetchError):
        fetch_jwks(server.url(f"/status/{status}"), TIMEOUT, MAX_BYTES)


@pytest.mark.parametrize("path", ["/not-json", "/no-keys"])
def test_non_key_set_body_is_a_failure(server, trusted_ca, path):
    with pytest.raises(JWKSFetchError, match="not"):
        fetch_jwks(server.url(path), TIMEOUT, MAX_BYTES)


@pytest.mark.parametrize("path", ["/large/declared", "/large/chunked", "/large/until-close"])
def test_body_larger_than_max_bytes_is_a_failure(server, trusted_ca, path):
    with pytest.raises(JWKSFetchError, match="larger than"):
        fetch_jwks(server.url(path), TIMEOUT, MAX_BYTES)


@pytest.mark.parametrize("path", ["/large/declared", "/large/chunked", "/large/until-close"])
def test_large_body_within_max_bytes_is_parsed(server, trusted_ca, path):
    # The counterpart of the oversize cases: each transfer form works when the limit allows it.
    document = fetch_jwks(server.url(path), TIMEOUT, 2 * OVERSIZE)

    assert document["keys"] == []


@pytest.mark.parametrize("path", ["/slow/trickle", "/slow/headers"])
def test_slow_response_times_out(server, trusted_ca, path):
    started = time.monotonic()

    with pytest.raises(JWKSFetchError):
        fetch_jwks(server.url(path), TIMEOUT, MAX_BYTES)

    assert time.monotonic() - started < TIMEOUT + 1


def test_untrusted_certificate_is_a_failure(server, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)

    with pytest.raises(JWKSFetchError):
        fetch_jwks(server.url("/jwks.json"), TIMEOUT, MAX_BYTES)

    assert server.requests == []


def test_certificate_for_another_host_is_a_failure(wrong_name_server, trusted_ca):
    wrong_name_server.requests.clear()

    with pytest.raises(JWKSFetchError):
        fetch_jwks(wrong_name_server.url("/jwks.json"), TIMEOUT, MAX_BYTES)

    assert wrong_name_server.requests == []


@pytest.fixture
def local_tenant(server, trusted_ca, settings):
    """Point the project at the local HTTPS server as its tenant, with the real fetch."""
    settings.AUTH0_DOMAIN = f"127.0.0.1:{server.port}"
    settings.AUTH0_ISSUER = ""
    settings.AUTH0_JWKS_TIMEOUT = TIMEOUT
    cache.clear()
    tokens.forget_verified_tokens()
    yield f"https://127.0.0.1:{server.port}/"
    cache.clear()
    tokens.forget_verified_tokens()


def test_tokens_from_local_tenant_are_accepted(bearer, local_tenant, make_token, server):
    first = bearer("/api/private", make_token(iss=local_tenant))
    second = bearer("/api/private", make_token(iss=local_tenant, jti="second"))

    assert first.status_code == 200
    assert second.status_code == 200
    assert server.requests == ["/.well-known/jwks.json"]


def test_local_tenant_rejects_other_issuer(bearer, local_tenant, make_token):
    response = bearer("/api/private", make_token(iss="https://tenant.test/"))

    assert response.status_code == 401


def test_local_tenant_without_trust_is_503(bearer, local_tenant, make_token, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")

    response = bearer("/api/private", make_token(iss=local_tenant))

    assert response.status_code == 503
    assert response["Retry-After"]
