"""The key set cache: how often the issuer's key set is fetched, and what happens when fetches fail.

Tests on JWKSCache itself use a fake clock and their own local-memory cache
alias, because Django's local-memory cache reads time.time() for expiry and a
fake clock can drive it. Tests through the API use the project's cache.
"""

import functools
import json
import os
import threading
import time
import uuid

import pytest
from django.core.cache import caches

from auth0authorization import jwks_fetch, keys, tokens
from auth0authorization.exceptions import InvalidToken, KeysUnavailable
from tests.conftest import KID, FakeJWKSEndpoint, b64url, public_jwk

pytestmark = [pytest.mark.django_db]

TTL = 600
COOLDOWN = 60
MAX_STALE = 3600
RETRY_AFTER = 30
LOCAL_CACHE = "key-cache-tests"


class FakeClock:
    """A clock that moves only when `advance` is called."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(time.time())
    # Cache expiry, token times and JWKSCache all read this clock.
    monkeypatch.setattr(time, "time", fake)
    return fake


@pytest.fixture
def local_cache(settings) -> str:
    settings.CACHES = {
        **settings.CACHES,
        LOCAL_CACHE: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": LOCAL_CACHE},
    }
    caches[LOCAL_CACHE].clear()
    yield LOCAL_CACHE
    caches[LOCAL_CACHE].clear()


@pytest.fixture
def tenant(rsa_key) -> FakeJWKSEndpoint:
    return FakeJWKSEndpoint({"keys": [public_jwk(rsa_key, KID)]})


def make_cache(endpoint, clock, cache_alias: str, source_id: str = "https://tenant.test/.well-known/jwks.json"):
    return keys.JWKSCache(
        source=functools.partial(endpoint, source_id, 3, 256 * 1024),
        source_id=source_id,
        algorithms=("RS256",),
        ttl=TTL,
        refetch_cooldown=COOLDOWN,
        max_stale=MAX_STALE,
        retry_after=RETRY_AFTER,
        cache_alias=cache_alias,
        clock=clock,
    )


def with_kid(token: str, kid: str) -> str:
    """Return `token` with its header replaced by one naming `kid`; the signature no longer matches."""
    header = b64url(json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}).encode())
    _, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature}"


def flood(token: str, count: int, jwks: keys.JWKSCache) -> int:
    """Send `count` copies of `token` with distinct random kids; return how many were rejected for an unknown kid."""
    rejected = 0
    for _ in range(count):
        try:
            tokens.validate_access_token(with_kid(token, uuid.uuid4().hex), jwks=jwks)
        except InvalidToken as exc:
            if exc.reason == "unknown_kid":
                rejected += 1
    return rejected


def test_one_fetch_serves_many_requests(bearer, jwks_endpoint, make_token):
    statuses = [bearer("/api/private", make_token(jti=str(number))).status_code for number in range(50)]

    assert statuses == [200] * 50
    assert jwks_endpoint.calls == 1


def test_key_set_is_fetched_again_after_ttl(tenant, clock, local_cache):
    jwks = make_cache(tenant, clock, local_cache)
    jwks.get_signing_key(KID)

    clock.advance(TTL - 1)
    jwks.get_signing_key(KID)
    calls_within_ttl = tenant.calls
    clock.advance(2)
    jwks.get_signing_key(KID)
    jwks.get_signing_key(KID)

    assert calls_within_ttl == 1
    assert tenant.calls == 2


def test_new_kid_after_rotation_refetches_once(bearer, jwks_endpoint, make_token, rsa_key, other_rsa_key):
    assert bearer("/api/private", make_token()).status_code == 200
    jwks_endpoint.document = {"keys": [public_jwk(rsa_key, KID), public_jwk(other_rsa_key, "test-key-2")]}
    rotated = make_token(key=other_rsa_key, header={"kid": "test-key-2"})

    responses = [bearer("/api/private", rotated).status_code for _ in range(3)]

    assert responses == [200, 200, 200]
    assert jwks_endpoint.calls == 2


def test_old_key_keeps_working_after_rotation(bearer, jwks_endpoint, make_token, rsa_key, other_rsa_key):
    assert bearer("/api/private", make_token()).status_code == 200
    jwks_endpoint.document = {"keys": [public_jwk(rsa_key, KID), public_jwk(other_rsa_key, "test-key-2")]}
    bearer("/api/private", make_token(key=other_rsa_key, header={"kid": "test-key-2"}))

    response = bearer("/api/private", make_token(jti="after-rotation"))

    assert response.status_code == 200


def test_unknown_kid_flood_fetches_once_per_cooldown(tenant, clock, local_cache, make_token):
    jwks = make_cache(tenant, clock, local_cache)
    jwks.get_signing_key(KID)
    token = make_token()

    first_flood = flood(token, 1000, jwks)
    calls_in_first_cooldown = tenant.calls
    clock.advance(COOLDOWN + 1)
    second_flood = flood(token, 1000, jwks)

    assert first_flood == 1000
    assert calls_in_first_cooldown == 2
    assert second_flood == 1000
    assert tenant.calls == 3


def test_unknown_kid_flood_through_api_fetches_once(bearer, jwks_endpoint, make_token):
    assert bearer("/api/private", make_token()).status_code == 200
    token = make_token()

    statuses = {bearer("/api/private", with_kid(token, uuid.uuid4().hex)).status_code for _ in range(100)}

    assert statuses == {401}
    assert jwks_endpoint.calls == 2


def test_stale_keys_serve_during_outage_until_max_stale(tenant, clock, local_cache):
    jwks = make_cache(tenant, clock, local_cache)
    jwks.get_signing_key(KID)
    tenant.fail()

    clock.advance(TTL + 1)
    key_past_ttl = jwks.get_signing_key(KID)
    clock.advance(MAX_STALE - 2)
    key_near_max_stale = jwks.get_signing_key(KID)
    clock.advance(2)

    assert key_past_ttl is not None
    assert key_near_max_stale is not None
    with pytest.raises(KeysUnavailable):
        jwks.get_signing_key(KID)


def test_stale_keys_through_api_then_503(bearer, jwks_endpoint, make_token, clock, settings):
    settings.AUTH0_JWKS_MAX_STALE = MAX_STALE
    keys.get_jwks_cache().clock = clock
    token = make_token(exp=clock() + 10 * 3600)
    assert bearer("/api/private", token).status_code == 200
    jwks_endpoint.fail()

    clock.advance(settings.AUTH0_JWKS_TTL + 1)
    during_outage = bearer("/api/private", token)
    clock.advance(MAX_STALE)
    after_max_stale = bearer("/api/private", token)

    assert during_outage.status_code == 200
    assert after_max_stale.status_code == 503
    assert after_max_stale["Retry-After"] == str(settings.AUTH0_RETRY_AFTER)
    assert after_max_stale.json()["error"] == "temporarily_unavailable"


def test_cold_outage_is_503_with_retry_after(bearer, jwks_endpoint, make_token, settings):
    jwks_endpoint.fail()

    response = bearer("/api/private", make_token())

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.AUTH0_RETRY_AFTER)
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "temporarily_unavailable"
    assert "Try again later" in response.json()["error_description"]


def test_no_fetch_within_retry_after_of_a_failure(tenant, clock, local_cache):
    jwks = make_cache(tenant, clock, local_cache)
    tenant.fail()
    with pytest.raises(KeysUnavailable):
        jwks.get_signing_key(KID)
    tenant.recover()

    clock.advance(RETRY_AFTER - 1)
    with pytest.raises(KeysUnavailable):
        jwks.get_signing_key(KID)
    calls_within_retry_after = tenant.calls
    clock.advance(2)
    key = jwks.get_signing_key(KID)

    assert calls_within_retry_after == 1
    assert key is not None
    assert tenant.calls == 2


def test_no_fetch_within_retry_after_through_api(bearer, jwks_endpoint, make_token):
    jwks_endpoint.fail()
    first = bearer("/api/private", make_token())
    jwks_endpoint.recover()

    second = bearer("/api/private", make_token())

    assert first.status_code == 503
    assert second.status_code == 503
    assert jwks_endpoint.calls == 1


def test_concurrent_misses_share_one_fetch(tenant, local_cache):
    def slow_source(*args):
        time.sleep(0.3)
        return tenant(*args)

    jwks = make_cache(slow_source, time.time, local_cache)
    start = threading.Barrier(8)
    results = []

    def look_up() -> None:
        start.wait(timeout=5)
        results.append(jwks.get_signing_key(KID))

    threads = [threading.Thread(target=look_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == 8
    assert tenant.calls == 1


GARBAGE_BODIES = {
    "not-json": b"<html>Service Unavailable</html>",
    "empty": b"",
    "nan": b"NaN",
    "array": b"[]",
    "no-keys": b'{"issuer": "https://tenant.test/"}',
    "keys-not-a-list": b'{"keys": {"kid": "test-key-1"}}',
    "empty-keys": b'{"keys": []}',
    "keys-of-wrong-type": b'{"keys": [1, "key", null, []]}',
    "rsa-without-modulus": b'{"keys": [{"kty": "RSA", "kid": "test-key-1", "e": "AQAB"}]}',
    "unknown-kty": b'{"keys": [{"kty": "XYZ", "kid": "test-key-1"}]}',
    "symmetric-key": b'{"keys": [{"kty": "oct", "kid": "test-key-1", "k": "c2VjcmV0"}]}',
    "encryption-only": b'{"keys": [{"kty": "RSA", "kid": "test-key-1", "use": "enc", "n": "AQAB", "e": "AQAB"}]}',
}


@pytest.mark.parametrize("body", list(GARBAGE_BODIES.values()), ids=list(GARBAGE_BODIES))
def test_garbage_key_set_on_cold_cache_is_503(bearer, jwks_endpoint, make_token, monkeypatch, body):
    monkeypatch.setattr(keys, "fetch_jwks", lambda url, timeout, max_bytes: jwks_fetch.parse_jwks(body))

    response = bearer("/api/private", make_token())

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"


@pytest.mark.parametrize("body", list(GARBAGE_BODIES.values()), ids=list(GARBAGE_BODIES))
def test_garbage_key_set_on_refetch_keeps_known_keys(tenant, clock, local_cache, body):
    jwks = make_cache(tenant, clock, local_cache)
    jwks.get_signing_key(KID)
    jwks.source = lambda: jwks_fetch.parse_jwks(body)

    clock.advance(TTL + 1)
    key = jwks.get_signing_key(KID)

    assert key is not None
    assert jwks.cache.get(jwks.failure_key) is not None


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs a Redis server in TEST_REDIS_URL")
class TestSharedRedisCache:
    """Two JWKSCache objects on one Redis cache behave like two worker processes."""

    @pytest.fixture
    def source_id(self):
        # A fresh id keeps these cache entries apart from other tests and other runs.
        return f"https://shared-{uuid.uuid4().hex}.test/.well-known/jwks.json"

    @pytest.fixture
    def processes(self, rsa_key, source_id):
        endpoints = [FakeJWKSEndpoint({"keys": [public_jwk(rsa_key, KID)]}) for _ in range(2)]
        jwks_caches = [make_cache(endpoint, time.time, "default", source_id) for endpoint in endpoints]
        yield list(zip(jwks_caches, endpoints, strict=True))
        jwks_caches[0].forget()

    def test_two_processes_fetch_once(self, processes):
        (first, first_endpoint), (second, second_endpoint) = processes

        first.get_signing_key(KID)
        second.get_signing_key(KID)

        assert first_endpoint.calls + second_endpoint.calls == 1

    def test_unknown_kid_cooldown_holds_across_processes(self, processes, make_token):
        (first, first_endpoint), (second, second_endpoint) = processes
        first.get_signing_key(KID)
        second.get_signing_key(KID)
        token = make_token()

        rejected = flood(token, 500, first) + flood(token, 500, second)

        assert rejected == 1000
        assert first_endpoint.calls + second_endpoint.calls == 2
