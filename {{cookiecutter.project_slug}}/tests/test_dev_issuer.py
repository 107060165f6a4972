"""The local development issuer: when it is trusted, its key file, and its tokens on the endpoints."""

import stat
import threading
import time
from io import StringIO
from pathlib import Path

import jwt
import pytest
from django.core.cache import cache
from django.core.management import call_command

from auth0authorization import devkeys, keys, tokens
from auth0authorization.conf import DEV_ISSUER, get_config

pytestmark = pytest.mark.django_db

AUDIENCE = "https://api.test"


@pytest.fixture
def fresh_caches():
    """Start and end with no cached key set, verified token or cached user."""
    keys._jwks_cache = None
    tokens.forget_verified_tokens()
    cache.clear()
    yield
    keys._jwks_cache = None
    tokens.forget_verified_tokens()
    cache.clear()


@pytest.fixture
def dev_key_dir(settings, tmp_path: Path, fresh_caches) -> Path:
    """Trust the development issuer, with its key in a folder of this test."""
    settings.AUTH0_DEV_ISSUER = True
    settings.AUTH0_DEV_KEY_DIR = tmp_path / "devkeys"
    return settings.AUTH0_DEV_KEY_DIR


def devtoken(*args: str) -> str:
    stdout = StringIO()
    call_command("devtoken", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue().strip()


def test_dev_token_opens_private(dev_key_dir, bearer):
    response = bearer("/api/private", devtoken())

    assert response.status_code == 200


def test_dev_token_with_scope_opens_scoped(dev_key_dir, bearer):
    response = bearer("/api/private-scoped", devtoken("--scope", "read:messages"))

    assert response.status_code == 200


def test_dev_token_without_scope_gets_403_on_scoped(dev_key_dir, bearer):
    response = bearer("/api/private-scoped", devtoken("--scope", "write:messages"))

    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


def test_dev_token_with_permission_opens_scoped(dev_key_dir, bearer):
    response = bearer("/api/private-scoped", devtoken("--permission", "read:messages"))

    assert response.status_code == 200


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_dev_token_rejected_once_tenant_configured(dev_key_dir, settings, jwks_endpoint, bearer, debug):
    token = devtoken("--scope", "read:messages")
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_DOMAIN = "tenant.test"
    settings.DEBUG = debug

    response = bearer("/api/private", token)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


TENANT_ISSUER = "https://tenant.test/"
CUSTOM_ISSUER = "https://login.example.com/"


@pytest.mark.parametrize(
    ("debug", "domain", "issuer", "explicit", "trusted", "expected_issuer"),
    [
        (True, "", "", None, True, DEV_ISSUER),
        (False, "", "", None, False, ""),
        (True, "tenant.test", "", None, False, TENANT_ISSUER),
        (True, "", CUSTOM_ISSUER, None, False, CUSTOM_ISSUER),
        (False, "", "", True, True, DEV_ISSUER),
        (False, "tenant.test", "", True, True, DEV_ISSUER),
        (True, "", "", False, False, ""),
        (True, "tenant.test", "", False, False, TENANT_ISSUER),
    ],
    ids=[
        "auto-debug-on-no-tenant",
        "auto-debug-off-no-tenant",
        "auto-debug-on-domain",
        "auto-debug-on-issuer",
        "explicit-true-debug-off",
        "explicit-true-with-domain",
        "explicit-false-debug-on",
        "explicit-false-with-domain",
    ],
)
def test_dev_issuer_trust_resolution(settings, debug, domain, issuer, explicit, trusted, expected_issuer):
    settings.DEBUG = debug
    settings.AUTH0_DOMAIN = domain
    settings.AUTH0_ISSUER = issuer
    settings.AUTH0_DEV_ISSUER = explicit

    config = get_config()

    assert config.dev_issuer is trusted
    assert config.issuer == expected_issuer


def test_key_file_created_with_mode_0600(dev_key_dir):
    devtoken()

    key_file = dev_key_dir / devkeys.PRIVATE_KEY_FILE
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_key_file_reused_by_second_token(dev_key_dir):
    first = devtoken()
    key_pem = (dev_key_dir / devkeys.PRIVATE_KEY_FILE).read_bytes()

    second = devtoken()

    assert jwt.get_unverified_header(second)["kid"] == jwt.get_unverified_header(first)["kid"]
    assert (dev_key_dir / devkeys.PRIVATE_KEY_FILE).read_bytes() == key_pem


def test_concurrent_creators_end_with_one_key(tmp_path, monkeypatch):
    creators = 4
    key_dir = tmp_path / "devkeys"
    generate = devkeys.rsa.generate_private_key
    all_generated = threading.Barrier(creators, timeout=5)

    def generate_then_wait(*args, **kwargs):
        # Hold each creator until all have made a key of their own, so every one
        # of them has seen no key file and goes on to write one.
        key = generate(*args, **kwargs)
        try:
            all_generated.wait()
        except threading.BrokenBarrierError:
            pass
        return key

    monkeypatch.setattr(devkeys.rsa, "generate_private_key", generate_then_wait)
    kids: list[str] = []
    errors: list[Exception] = []

    def create() -> None:
        try:
            kids.append(devkeys.public_jwk(devkeys.ensure_private_key(key_dir))["kid"])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(creators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    on_disk = devkeys.public_jwk(devkeys.ensure_private_key(key_dir))["kid"]
    assert errors == []
    assert len(kids) == creators
    assert set(kids) == {on_disk}
    assert sorted(path.name for path in key_dir.iterdir()) == [devkeys.PRIVATE_KEY_FILE]


def test_expired_dev_token_rejected(dev_key_dir, bearer):
    now = int(time.time())
    claims = {"iss": DEV_ISSUER, "sub": "auth0|dev-user", "aud": AUDIENCE, "iat": now - 7200, "exp": now - 3600}
    token = devkeys.sign_dev_token(claims, dev_key_dir)

    response = bearer("/api/private", token)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response.json()["error_description"] == "The token has expired."


def test_dev_token_for_other_audience_rejected(dev_key_dir, bearer):
    response = bearer("/api/private", devtoken("--aud", "https://other-api.test"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response.json()["error_description"] == "The token is meant for another audience."
