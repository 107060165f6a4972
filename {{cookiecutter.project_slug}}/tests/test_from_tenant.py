"""devtoken --from-tenant against a local HTTPS token endpoint signed by a private certificate authority.

The endpoint runs on 127.0.0.1 in a thread of the test process and returns
Auth0-shaped responses, so no test needs a tenant or the network. Every test
also checks that the client secret shows up in no output, error or log.
"""

import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import trustme
from django.core.management import CommandError, call_command

AUDIENCE = "https://api.test"
CLIENT_ID = "k5uXtD1nZ2bVhF3g9pQw"
CLIENT_SECRET = "test-client-secret-Qm9vZGxlLWRvb2RsZQ-7f3a"
ISSUED_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrNXVYdEQxbloyYlZoRjNnOXBRd0BjbGllbnRzIn0.c2lnbmF0dXJl"


@dataclass
class RecordedRequest:
    method: str
    path: str
    content_type: str
    body: bytes


@dataclass
class TokenEndpoint:
    """What the local token endpoint sends back, and the requests it received."""

    port: int
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    raw_reply: bytes | None = None
    requests: list[RecordedRequest] = field(default_factory=list)

    def reply(self, status: int, document: Any) -> None:
        self.status = status
        self.body = json.dumps(document).encode()
        self.content_type = "application/json"


class TokenRequestHandler(BaseHTTPRequestHandler):
    # Bounds how long the server thread waits on a client that stops sending.
    timeout = 5

    def do_POST(self) -> None:
        self.record_and_reply()

    def do_GET(self) -> None:
        self.record_and_reply()

    def record_and_reply(self) -> None:
        endpoint: TokenEndpoint = self.server.endpoint
        length = int(self.headers.get("Content-Length") or 0)
        endpoint.requests.append(
            RecordedRequest(self.command, self.path, self.headers.get("Content-Type", ""), self.rfile.read(length))
        )

        if endpoint.raw_reply is not None:
            self.wfile.write(endpoint.raw_reply)
            return
        self.send_response(endpoint.status)
        self.send_header("Content-Type", endpoint.content_type)
        self.send_header("Content-Length", str(len(endpoint.body)))
        self.end_headers()
        self.wfile.write(endpoint.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep request lines out of the test output."""


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(certificate_authority: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def token_endpoint(certificate_authority: trustme.CA) -> Iterator[TokenEndpoint]:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server_context)

    server = HTTPServer(("127.0.0.1", 0), TokenRequestHandler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    endpoint = TokenEndpoint(port=server.server_address[1])
    server.endpoint = endpoint
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    yield endpoint

    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def tenant(settings, monkeypatch, token_endpoint: TokenEndpoint, ca_file: Path, caplog) -> TokenEndpoint:
    """Point the project at the local endpoint, trust its CA, and set the client credentials."""
    settings.AUTH0_DOMAIN = f"127.0.0.1:{token_endpoint.port}"
    settings.AUTH0_ISSUER = ""
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_API_IDENTIFIER = AUDIENCE
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("AUTH0_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AUTH0_CLIENT_SECRET", CLIENT_SECRET)
    caplog.set_level(logging.DEBUG)
    return token_endpoint


@dataclass
class Outcome:
    stdout: str
    stderr: str
    error: str | None


def run_from_tenant(*arguments: str) -> Outcome:
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("devtoken", "--from-tenant", *arguments, stdout=stdout, stderr=stderr)
    except CommandError as exc:
        return Outcome(stdout.getvalue(), stderr.getvalue(), str(exc))
    return Outcome(stdout.getvalue(), stderr.getvalue(), None)


def places_showing_secret(outcome: Outcome, caplog) -> list[str]:
    places = {"stdout": outcome.stdout, "stderr": outcome.stderr, "error": outcome.error or "", "logs": caplog.text}
    return [name for name, text in places.items() if CLIENT_SECRET in text]


def unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_prints_token_from_tenant(tenant, caplog):
    tenant.reply(200, {"access_token": ISSUED_TOKEN, "token_type": "Bearer", "expires_in": 86400})

    outcome = run_from_tenant()

    assert outcome.error is None
    assert outcome.stdout == ISSUED_TOKEN + "\n"
    assert places_showing_secret(outcome, caplog) == []


def test_sends_client_credentials_grant(tenant, caplog):
    tenant.reply(200, {"access_token": ISSUED_TOKEN, "token_type": "Bearer", "expires_in": 86400})

    outcome = run_from_tenant()

    assert len(tenant.requests) == 1
    request = tenant.requests[0]
    assert request.method == "POST"
    assert request.path == "/oauth/token"
    assert request.content_type == "application/json"
    assert json.loads(request.body) == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "audience": AUDIENCE,
    }
    assert places_showing_secret(outcome, caplog) == []


def test_scope_option_is_sent_to_tenant(tenant):
    tenant.reply(200, {"access_token": ISSUED_TOKEN, "token_type": "Bearer", "expires_in": 86400})

    outcome = run_from_tenant("--scope", "read:messages", "--scope", "write:messages")

    assert outcome.error is None
    assert json.loads(tenant.requests[0].body)["scope"] == "read:messages write:messages"


@pytest.mark.parametrize("arguments", [("--sub", "someone"), ("--ttl", "5m"), ("--permission", "read:messages")])
def test_options_the_tenant_decides_are_rejected(tenant, arguments):
    outcome = run_from_tenant(*arguments)

    assert outcome.error is not None
    assert f"{arguments[0]} cannot be used with --from-tenant" in outcome.error
    assert tenant.requests == []


REFUSALS = [
    pytest.param(
        401,
        {"error": "access_denied", "error_description": "Unauthorized"},
        "Unauthorized",
        id="access-denied-401",
    ),
    pytest.param(
        403,
        {
            "error": "access_denied",
            "error_description": 'Client is not authorized to access "https://api.test". '
            'You need to create a "client-grant" associated to this API.',
        },
        'You need to create a "client-grant"',
        id="no-client-grant-403",
    ),
    pytest.param(
        401,
        {"error": "invalid_client", "error_description": "Client authentication failed"},
        "client id or secret is wrong",
        id="invalid-client-401",
    ),
    pytest.param(
        403,
        {"error": "invalid_request", "error_description": "Service not found: https://wrong"},
        "Service not found: https://wrong",
        id="unknown-audience-403",
    ),
]


@pytest.mark.parametrize(("status", "document", "expected_text"), REFUSALS)
def test_tenant_refusal_raises_one_line_error(tenant, caplog, status, document, expected_text):
    tenant.reply(status, document)

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert outcome.error.startswith("--from-tenant: ")
    assert "\n" not in outcome.error
    assert expected_text in outcome.error
    assert outcome.stdout == ""
    assert places_showing_secret(outcome, caplog) == []


def test_non_json_server_error_raises_one_line_error(tenant, caplog):
    tenant.status = 500
    tenant.body = b"<html><body>\n<h1>500 Internal Server Error</h1>\n</body></html>\n"
    tenant.content_type = "text/html"

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "\n" not in outcome.error
    assert "HTTP status 500" in outcome.error
    assert outcome.stdout == ""
    assert places_showing_secret(outcome, caplog) == []


def test_response_without_access_token_raises(tenant, caplog):
    tenant.reply(200, {"token_type": "Bearer", "expires_in": 86400})

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "access_token" in outcome.error
    assert outcome.stdout == ""
    assert places_showing_secret(outcome, caplog) == []


def test_non_http_response_raises_one_line_error(tenant, caplog):
    tenant.raw_reply = b"this is not an HTTP status line\r\n\r\n"

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert outcome.error.startswith("--from-tenant: ")
    assert "\n" not in outcome.error
    assert places_showing_secret(outcome, caplog) == []


def test_missing_client_secret_named(tenant, monkeypatch, caplog):
    monkeypatch.delenv("AUTH0_CLIENT_SECRET")

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "AUTH0_CLIENT_SECRET" in outcome.error
    assert tenant.requests == []


def test_missing_client_id_named(tenant, monkeypatch, caplog):
    monkeypatch.delenv("AUTH0_CLIENT_ID")

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "AUTH0_CLIENT_ID" in outcome.error
    assert tenant.requests == []
    assert places_showing_secret(outcome, caplog) == []


def test_missing_domain_named(tenant, settings, caplog):
    settings.AUTH0_DOMAIN = ""

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "AUTH0_DOMAIN" in outcome.error
    assert tenant.requests == []
    assert places_showing_secret(outcome, caplog) == []


def test_unreachable_tenant_raises_one_line_error(tenant, settings, caplog):
    port = unused_port()
    settings.AUTH0_DOMAIN = f"127.0.0.1:{port}"

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "\n" not in outcome.error
    assert f"127.0.0.1:{port}" in outcome.error
    assert places_showing_secret(outcome, caplog) == []


def test_untrusted_certificate_raises_before_sending(tenant, monkeypatch, caplog):
    monkeypatch.delenv("SSL_CERT_FILE")

    outcome = run_from_tenant()

    assert outcome.error is not None
    assert "\n" not in outcome.error
    assert "certificate verify failed" in outcome.error.lower()
    assert tenant.requests == []
    assert places_showing_secret(outcome, caplog) == []
