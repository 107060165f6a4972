"""A local token issuer: an HTTPS JSON Web Key Set endpoint on 127.0.0.1 that counts its requests.

The TLS certificate comes from a throwaway trustme CA. Servers under test trust
it through SSL_CERT_FILE, which OpenSSL's default verify paths read.
"""

import json
import secrets
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

import jwt
import trustme
from cryptography.hazmat.primitives.asymmetric import rsa

JWKS_PATH = "/.well-known/jwks.json"
HANDSHAKE_TIMEOUT = 5.0
SHUTDOWN_TIMEOUT = 10.0


def generate_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _JWKSHandler(BaseHTTPRequestHandler):
    server: "_TLSServer"

    def setup(self) -> None:
        # The handshake runs here, in the request thread, so a stalled client cannot block accept().
        self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        self.server.issuer.record_request(self.path)
        if self.path != JWKS_PATH:
            self.send_error(404)
            return

        body = self.server.issuer.jwks_body
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, issuer: "LocalIssuer", context: ssl.SSLContext) -> None:
        self.issuer = issuer
        self.context = context
        super().__init__(("127.0.0.1", 0), _JWKSHandler)

    def get_request(self) -> tuple[ssl.SSLSocket, tuple[str, int]]:
        sock, address = self.socket.accept()
        sock.settimeout(HANDSHAKE_TIMEOUT)
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: object, client_address: object) -> None:
        self.issuer.record_error()


class LocalIssuer:
    """HTTPS issuer on 127.0.0.1 that serves one RSA signing key and counts every request it receives."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        self.ca_file = directory / "issuer-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

        self.signing_key = generate_rsa_key()
        self.kid = f"bench-{secrets.token_hex(4)}"
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        self.jwk = jwk
        self.jwks_body = json.dumps({"keys": [jwk]}).encode()

        self._lock = threading.Lock()
        self._requests = 0
        self._jwks_requests = 0
        self._errors = 0
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "LocalIssuer":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)
        self._server = _TLSServer(self, context)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-issuer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(SHUTDOWN_TIMEOUT)
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the issuer is not started"
        return self._server.server_address[1]

    @property
    def domain(self) -> str:
        """AUTH0_DOMAIN for servers that trust this issuer."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The `iss` claim, as the project derives it from AUTH0_DOMAIN."""
        return f"https://{self.domain}/"

    def record_request(self, path: str) -> None:
        with self._lock:
            self._requests += 1
            if path == JWKS_PATH:
                self._jwks_requests += 1

    def record_error(self) -> None:
        with self._lock:
            self._errors += 1

    def jwks_requests(self) -> int:
        with self._lock:
            return self._jwks_requests

    def counters(self) -> dict[str, int]:
        with self._lock:
            return {"requests": self._requests, "jwks_requests": self._jwks_requests, "errors": self._errors}


class TokenMinter:
    """Signs Auth0-shaped access tokens; a unique `jti` makes every minted token distinct."""

    def __init__(self, issuer: LocalIssuer, audience: str, lifetime: int = 3600) -> None:
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        # Signs the tokens of the unknown key id flood. It is never published in the key set.
        self.unpublished_key = generate_rsa_key()

    def mint(self, subject: str, scope: str, key: rsa.RSAPrivateKey | None = None, kid: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer.url,
            "sub": subject,
            "aud": self.audience,
            "iat": now,
            "exp": now + self.lifetime,
            "scope": scope,
            "jti": uuid.uuid4().hex,
        }
        headers = {"kid": kid or self.issuer.kid, "typ": "JWT"}
        return jwt.encode(claims, key or self.issuer.signing_key, algorithm="RS256", headers=headers)

    def mint_many(self, count: int, subject: str, scope: str) -> list[str]:
        return [self.mint(subject, scope) for _ in range(count)]

    def mint_unknown_kid(self, count: int, subject: str, scope: str) -> list[str]:
        """Mint tokens signed with the unpublished key, each naming its own random key id."""
        return [
            self.mint(subject, scope, key=self.unpublished_key, kid=f"unknown-{secrets.token_hex(8)}")
            for _ in range(count)
        ]
