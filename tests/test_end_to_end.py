"""Run the generated project as a real server and call it over HTTP on 127.0.0.1.

The tenant tests start a local HTTPS issuer that serves a key set made here, with a
certificate from a private CA that the server trusts through SSL_CERT_FILE, and serve
the project with gunicorn. The quick start test runs the commands of the generated
README. Every server started here is stopped by its fixture.
"""

import json
import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import trustme
from conftest import BIN_DIR, bake, first_scope, free_port, output_tail, project_env, run, template_defaults
from cryptography.hazmat.primitives.asymmetric import rsa

pytestmark = pytest.mark.slow

AUDIENCE = "https://api.example.com"
SCOPE = first_scope(template_defaults()["auth0_scopes"])
SUBJECT = "auth0|e2e-user-1"
KID = "e2e-key-1"
UNKNOWN_KID = "e2e-key-unknown"
WORKERS = 2
JWKS_PATH = "/.well-known/jwks.json"

READY_TIMEOUT = 20
REQUEST_TIMEOUT = 10
STOP_TIMEOUT = 10
WARM_UP_TIMEOUT = 15
POLL_INTERVAL = 0.1

QUICK_START_BLOCK = re.compile(r"<!-- quick-start -->\s*```bash\n(.*?)```\s*<!-- /quick-start -->", re.DOTALL)
FIRST_BASH_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
LOOPBACK_ADDRESS = re.compile(r"127\.0\.0\.1:\d+")

# Requests go straight to 127.0.0.1, even when the environment names a proxy.
HTTP_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HttpResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def http_get(url, token=None):
    """GET url, with `Authorization: Bearer <token>` when a token is given, and return any status without raising."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with HTTP_OPENER.open(request, timeout=REQUEST_TIMEOUT) as response:
            return HttpResponse(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResponse(error.code, error.headers, error.read())


def public_jwk(private_key, kid):
    """Describe the public half of an RSA key as Auth0 lists it in jwks.json."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": jwk["n"], "e": jwk["e"]}


def sign_token(private_key, kid, issuer, **overrides):
    """Return an RS256 access token shaped like one from an Auth0 tenant, valid now."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": SUBJECT,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "azp": "e2e-client",
        "scope": SCOPE,
        **overrides,
    }
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})


class JWKSIssuer:
    """HTTPS server on 127.0.0.1 that serves one key set at /.well-known/jwks.json and counts requests."""

    def __init__(self, ca, jwks):
        body = json.dumps(jwks).encode()
        issuer = self
        self.request_count = 0
        self._count_lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with issuer._count_lock:
                    issuer.request_count += 1
                if self.path != JWKS_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        self.running = True

    @property
    def domain(self):
        return f"127.0.0.1:{self.port}"

    @property
    def issuer(self):
        return f"https://{self.domain}/"

    def stop(self):
        if not self.running:
            return
        self.running = False
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=STOP_TIMEOUT)


class ServerProcess:
    """A server command in its own process group, with its output in a log file."""

    def __init__(self, args, cwd, env, log_path):
        self.log_path = log_path
        # The child keeps its own copy of the file descriptor, so the parent can close the log at once.
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(arg) for arg in args],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def output_tail(self):
        return f"--- server output (end) ---\n{self.output()[-3000:]}"

    def wait_until_ready(self, url):
        """Poll url until it returns 200, and fail when the process exits or READY_TIMEOUT passes first."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode} before {url} answered\n{self.output_tail()}")
            try:
                if http_get(url).status == 200:
                    return
            except OSError:
                pass
            time.sleep(POLL_INTERVAL)
        pytest.fail(f"{url} did not return 200 within {READY_TIMEOUT} seconds\n{self.output_tail()}")

    def stop(self):
        """Stop the server, then kill anything left in its process group, such as reloader children."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_gunicorn(project_dir, log_path, **env_overrides):
    """Serve the project with gunicorn on a free port, DEBUG off, and wait until /api/public returns 200."""
    port = free_port()
    # gunicorn 25.1 and later create a control socket in XDG_RUNTIME_DIR, or else in the home
    # folder where every server started at the same time would share one path.
    runtime_dir = log_path.parent / f"{log_path.stem}-runtime"
    runtime_dir.mkdir(mode=0o700)
    env = project_env(
        XDG_RUNTIME_DIR=str(runtime_dir),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        AUTH0_API_IDENTIFIER=AUDIENCE,
        **env_overrides,
    )
    args = [BIN_DIR / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), f"{project_dir.name}.wsgi"]
    server = ServerProcess(args, project_dir, env, log_path)
    server.base_url = f"http://127.0.0.1:{port}"
    try:
        server.wait_until_ready(f"{server.base_url}/api/public")
    except BaseException:
        server.stop()
        raise
    return server


def stop_and_check_log(server):
    server.stop()
    assert "Traceback" not in server.output(), server.output_tail()


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ca_pem(tmp_path_factory):
    """Return a private CA and the path of its certificate in PEM form."""
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


@pytest.fixture(scope="module")
def migrated_project(tmp_path_factory):
    """Return a project baked with the default answers, with its SQLite database migrated."""
    project_dir = bake(tmp_path_factory.mktemp("served"))
    result = run([sys.executable, "manage.py", "migrate"], cwd=project_dir)
    assert result.returncode == 0, output_tail(result)
    return project_dir


def start_issuer(ca_pem, signing_key):
    ca, _ = ca_pem
    return JWKSIssuer(ca, {"keys": [public_jwk(signing_key, KID)]})


def start_tenant_server(project_dir, issuer, ca_pem, log_path):
    _, pem_path = ca_pem
    return start_gunicorn(project_dir, log_path, AUTH0_DOMAIN=issuer.domain, SSL_CERT_FILE=str(pem_path))


@pytest.fixture(scope="module")
def issuer(ca_pem, signing_key):
    issuer = start_issuer(ca_pem, signing_key)
    yield issuer
    issuer.stop()


@pytest.fixture(scope="module")
def tenant_server(migrated_project, issuer, ca_pem, tmp_path_factory):
    server = start_tenant_server(migrated_project, issuer, ca_pem, tmp_path_factory.mktemp("logs") / "tenant.log")
    yield server
    stop_and_check_log(server)


@pytest.fixture(scope="module")
def tenant_token(signing_key, issuer):
    return sign_token(signing_key, KID, issuer.issuer)


# Tenant flow: gunicorn with DEBUG off, keys from the local HTTPS issuer.


def test_public_returns_200_without_token(tenant_server):
    response = http_get(f"{tenant_server.base_url}/api/public")

    assert response.status == 200


def test_public_ignores_invalid_token(tenant_server):
    response = http_get(f"{tenant_server.base_url}/api/public", token="not-a-token")

    assert response.status == 200


def test_private_without_token_is_401_with_challenge(tenant_server):
    response = http_get(f"{tenant_server.base_url}/api/private")

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_private_rejects_token_with_wrong_signature(tenant_server, issuer, other_key):
    forged = sign_token(other_key, KID, issuer.issuer)

    response = http_get(f"{tenant_server.base_url}/api/private", token=forged)

    assert response.status == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.json()["error"] == "invalid_token"


def test_private_accepts_tenant_token(tenant_server, tenant_token):
    response = http_get(f"{tenant_server.base_url}/api/private", token=tenant_token)

    assert response.status == 200, response.body
    assert "message" in response.json()


def test_scoped_accepts_token_with_scope(tenant_server, tenant_token):
    response = http_get(f"{tenant_server.base_url}/api/private-scoped", token=tenant_token)

    assert response.status == 200, response.body
    assert SCOPE in response.json()["message"]


def test_scoped_without_scope_is_403_insufficient_scope(tenant_server, signing_key, issuer):
    token = sign_token(signing_key, KID, issuer.issuer, scope="openid profile")

    response = http_get(f"{tenant_server.base_url}/api/private-scoped", token=token)

    assert response.status == 403, response.body
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert f'scope="{SCOPE}"' in response.headers["WWW-Authenticate"]
    assert response.json()["error"] == "insufficient_scope"


def test_key_set_fetched_at_most_once_per_worker(tenant_server, tenant_token, issuer):
    for _ in range(20):
        http_get(f"{tenant_server.base_url}/api/private", token=tenant_token)

    assert issuer.request_count >= 1
    assert issuer.request_count <= WORKERS


# Issuer outages.


@pytest.fixture
def outage_issuer(ca_pem, signing_key):
    issuer = start_issuer(ca_pem, signing_key)
    yield issuer
    issuer.stop()


@pytest.fixture
def outage_server(migrated_project, outage_issuer, ca_pem, tmp_path):
    server = start_tenant_server(migrated_project, outage_issuer, ca_pem, tmp_path / "outage.log")
    yield server
    stop_and_check_log(server)


def warm_up_workers(server, issuer, token):
    """Send valid tokens until every worker has fetched the key set once."""
    deadline = time.monotonic() + WARM_UP_TIMEOUT
    while issuer.request_count < WORKERS and time.monotonic() < deadline:
        response = http_get(f"{server.base_url}/api/private", token=token)
        assert response.status == 200, response.body
    assert issuer.request_count == WORKERS, f"only {issuer.request_count} of {WORKERS} workers fetched the key set"


def test_unknown_kid_during_issuer_outage_is_401(outage_server, outage_issuer, signing_key, other_key):
    warm_up_workers(outage_server, outage_issuer, sign_token(signing_key, KID, outage_issuer.issuer))
    outage_issuer.stop()
    token = sign_token(other_key, UNKNOWN_KID, outage_issuer.issuer)

    response = http_get(f"{outage_server.base_url}/api/private", token=token)

    assert response.status < 500, response.body
    assert response.status == 401, response.body


@pytest.fixture
def cold_server(migrated_project, tmp_path):
    # Nothing listens on this port, so every key set fetch is refused.
    domain = f"127.0.0.1:{free_port()}"
    server = start_gunicorn(migrated_project, tmp_path / "cold.log", AUTH0_DOMAIN=domain)
    server.issuer = f"https://{domain}/"
    yield server
    stop_and_check_log(server)


def test_private_is_503_when_keys_never_fetched(cold_server, signing_key):
    token = sign_token(signing_key, KID, cold_server.issuer)

    response = http_get(f"{cold_server.base_url}/api/private", token=token)

    assert response.status == 503, response.body
    assert response.headers.get("Retry-After", "").isdigit(), dict(response.headers)
    assert response.headers.get("Content-Type") == "application/json"
    assert response.json()["error"] == "temporarily_unavailable"


# Offline quick start, as the generated README writes it.


def readme_commands(readme):
    """Return the install commands and the quick start commands of the generated README."""
    install = FIRST_BASH_BLOCK.search(readme)
    quick_start = QUICK_START_BLOCK.search(readme)
    assert install is not None, "README.md has no ```bash block"
    assert quick_start is not None, "README.md has no ```bash block between the quick-start markers"
    return install.group(1).splitlines(), [line for line in quick_start.group(1).splitlines() if line.strip()]


@pytest.fixture
def quick_start_project(tmp_path):
    return bake(tmp_path / "quick-start")


def test_readme_quick_start_prints_scoped_message(quick_start_project, tmp_path):
    project_dir = quick_start_project
    install_lines, quick_start_lines = readme_commands((project_dir / "README.md").read_text(encoding="utf-8"))
    migrate_line = "python manage.py migrate"
    server_line, *client_lines = quick_start_lines
    readme_address = LOOPBACK_ADDRESS.search(server_line)
    assert migrate_line in install_lines
    assert "runserver" in server_line
    assert readme_address is not None, server_line
    assert readme_address.group() in client_lines[-1]

    # The README's fixed port may be taken on a shared machine, so the same free port replaces it in every line.
    address = f"127.0.0.1:{free_port()}"
    server_line = server_line.replace(readme_address.group(), address)
    client_script = "\n".join(line.replace(readme_address.group(), address) for line in client_lines)

    migrated = run(["bash", "-c", migrate_line], cwd=project_dir)
    assert migrated.returncode == 0, output_tail(migrated)
    server = ServerProcess(["bash", "-c", server_line], project_dir, project_env(), tmp_path / "runserver.log")
    try:
        server.wait_until_ready(f"http://{address}/api/public")
        result = run(["bash", "-c", client_script], cwd=project_dir)
    finally:
        server.stop()

    assert result.returncode == 0, output_tail(result)
    assert result.stdout.startswith("{"), output_tail(result)
    body = json.loads(result.stdout)
    assert "error" not in body, body
    assert SCOPE in body["message"]
