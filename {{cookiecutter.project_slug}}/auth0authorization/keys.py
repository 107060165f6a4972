"""Signing keys by key id, from a key set cached in Django's cache framework.

The ladder, one step per method: read the cached key set, fetch it when it is
missing or older than the TTL, parse the signing keys, pick one by `kid`.

- A token naming an unknown `kid` causes at most one fetch per cooldown, so a
  flood of random key ids costs the issuer one request per cooldown.
- Concurrent misses in one process share one fetch.
- A failed fetch keeps the known keys in use (stale-if-error) up to
  AUTH0_JWKS_MAX_STALE past their TTL, and no new fetch is tried for
  AUTH0_RETRY_AFTER seconds. Only when no usable key set is known does
  KeysUnavailable (503) reach the caller.

The raw key set lives in Django's cache, so a shared cache (Redis) shares it
between worker processes and hosts. Parsed keys are also kept per process, so
a warm request makes no cache round trip at all, and a failing cache server
only costs the sharing.
"""

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from django.core.signals import setting_changed
from django.dispatch import receiver

from . import devkeys
from .conf import Auth0Config, get_config
from .exceptions import InvalidToken, JWKSFetchError, KeysUnavailable
from .jwks_fetch import fetch_jwks
from .shared_cache import SharedCache

logger = logging.getLogger(__name__)

KeySetSource = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class KeySet:
    """Signing keys of one fetch, by key id."""

    keys: dict[str, jwt.PyJWK]
    fetched_at: float
    keys_without_kid: tuple[jwt.PyJWK, ...] = field(default=())

    @property
    def size(self) -> int:
        return len(self.keys) + len(self.keys_without_kid)


def is_signing_key(jwk: Any) -> bool:
    if not isinstance(jwk, dict):
        return False
    if jwk.get("use", "sig") != "sig":
        return False
    key_ops = jwk.get("key_ops")
    return key_ops is None or (isinstance(key_ops, list) and "verify" in key_ops)


def build_key_set(document: dict[str, Any], algorithms: tuple[str, ...], fetched_at: float) -> KeySet:
    """Keep the usable signing keys of a key set document; skip and log the rest."""
    keys: dict[str, jwt.PyJWK] = {}
    without_kid: list[jwt.PyJWK] = []

    for jwk in document.get("keys", []):
        if not is_signing_key(jwk):
            continue
        try:
            key = jwt.PyJWK(jwk)
        except (jwt.PyJWKError, jwt.InvalidKeyError, TypeError, ValueError) as exc:
            logger.warning("jwks_key_skipped reason=unusable_key error=%s", exc.__class__.__name__)
            continue
        if key.algorithm_name not in algorithms:
            continue

        kid = jwk.get("kid")
        if isinstance(kid, str):
            keys[kid] = key
        elif kid is None:
            without_kid.append(key)

    return KeySet(keys=keys, fetched_at=fetched_at, keys_without_kid=tuple(without_kid))


class JWKSCache:
    """Signing keys of one issuer, cached with a TTL, a refetch cooldown and stale-if-error."""

    def __init__(
        self,
        source: KeySetSource,
        source_id: str,
        algorithms: tuple[str, ...],
        ttl: float,
        refetch_cooldown: float,
        max_stale: float,
        retry_after: float,
        cache_alias: str = "default",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.algorithms = algorithms
        self.ttl = ttl
        self.refetch_cooldown = refetch_cooldown
        self.max_stale = max_stale
        self.retry_after = retry_after
        self.cache_alias = cache_alias
        self.clock = clock

        digest = hashlib.sha256(source_id.encode()).hexdigest()[:16]
        self.entry_key = f"auth0authorization:jwks:{digest}"
        self.cooldown_key = f"auth0authorization:jwks-cooldown:{digest}"
        self.failure_key = f"auth0authorization:jwks-failed:{digest}"

        self.cache = SharedCache(cache_alias)
        self._local: KeySet | None = None
        self._local_failure_at = float("-inf")
        self._fetch_lock = threading.Lock()

    def get_signing_key(self, kid: str | None) -> jwt.PyJWK:
        """Return the key that signed a token with this `kid`, or raise InvalidToken or KeysUnavailable."""
        key_set = self.current_key_set()
        key = self.find_key(key_set, kid)
        if key is not None:
            return key

        if kid is None:
            raise InvalidToken("missing_kid", "The token has no key id, and the issuer has several keys.")

        key_set = self.key_set_after_unknown_kid(key_set)
        key = self.find_key(key_set, kid)
        if key is None:
            logger.info("jwks_unknown_kid keys=%d", key_set.size)
            raise InvalidToken("unknown_kid", "The token was signed with an unknown key.")
        return key

    def find_key(self, key_set: KeySet, kid: str | None) -> jwt.PyJWK | None:
        if kid is not None:
            return key_set.keys.get(kid)
        everything = list(key_set.keys.values()) + list(key_set.keys_without_kid)
        return everything[0] if len(everything) == 1 else None

    def current_key_set(self) -> KeySet:
        """Return a key set within its TTL, fetching one if needed; fall back to a stale one on failure."""
        now = self.clock()
        local = self._local
        if local is not None and now - local.fetched_at < self.ttl:
            return local

        shared = self.read_shared()
        if shared is not None and now - shared.fetched_at < self.ttl:
            self._local = shared
            return shared

        known = max((s for s in (local, shared) if s is not None), key=lambda s: s.fetched_at, default=None)
        return self.refresh(known, reason="expired" if known else "empty")

    def key_set_after_unknown_kid(self, key_set: KeySet) -> KeySet:
        shared = self.read_shared()
        if shared is not None and shared.fetched_at > key_set.fetched_at:
            self._local = shared
            return shared

        # cache.add is atomic (SET NX on Redis), so across every process that
        # shares the cache only one refetch per cooldown gets through.
        if not self.cache.add(self.cooldown_key, True, timeout=self.refetch_cooldown):
            return key_set
        return self.refresh(key_set, reason="unknown_kid")

    def refresh(self, known: KeySet | None, reason: str) -> KeySet:
        """Fetch the key set once for all threads of this process; on failure use `known` while allowed."""
        with self._fetch_lock:
            local = self._local
            if local is not None and (known is None or local.fetched_at > known.fetched_at):
                return local

            if not self.failed_recently():
                fresh = self.fetch(reason)
                if fresh is not None:
                    return fresh

            return self.stale_or_unavailable(known)

    def fetch(self, reason: str) -> KeySet | None:
        started = self.clock()
        try:
            document = self.source()
            key_set = build_key_set(document, self.algorithms, fetched_at=started)
            if key_set.size == 0:
                raise JWKSFetchError("the key set contains no usable signing key")
        except JWKSFetchError as exc:
            logger.warning("jwks_fetch_failed reason=%s error=%s", reason, exc)
            self._local_failure_at = started
            self.cache.set(self.failure_key, started, timeout=self.retry_after)
            return None

        logger.info("jwks_fetched reason=%s keys=%d", reason, key_set.size)
        self.cache.set(
            self.entry_key,
            {"document": document, "fetched_at": started},
            timeout=self.ttl + self.max_stale,
        )
        self._local = key_set
        return key_set

    def failed_recently(self) -> bool:
        """Tell whether a fetch failed less than AUTH0_RETRY_AFTER seconds ago, here or in another process."""
        if self.clock() - self._local_failure_at < self.retry_after:
            return True
        return self.cache.get(self.failure_key) is not None

    def stale_or_unavailable(self, known: KeySet | None) -> KeySet:
        if known is not None and self.clock() - known.fetched_at < self.ttl + self.max_stale:
            logger.warning("jwks_serving_stale age=%.0fs", self.clock() - known.fetched_at)
            return known
        raise KeysUnavailable()

    def read_shared(self) -> KeySet | None:
        entry = self.cache.get(self.entry_key)
        if not isinstance(entry, dict):
            return None

        local = self._local
        if local is not None and local.fetched_at == entry.get("fetched_at"):
            return local
        return build_key_set(entry["document"], self.algorithms, fetched_at=entry["fetched_at"])

    def forget(self) -> None:
        """Drop every cached copy of the key set, in this process and in the shared cache."""
        self._local = None
        self._local_failure_at = float("-inf")
        self.cache.delete_many([self.entry_key, self.cooldown_key, self.failure_key])


_jwks_cache: JWKSCache | None = None
_jwks_cache_lock = threading.Lock()


def get_jwks_cache() -> JWKSCache:
    """Return the key cache of the trusted issuer: the Auth0 tenant, or the local development issuer."""
    global _jwks_cache
    with _jwks_cache_lock:
        if _jwks_cache is None:
            _jwks_cache = _build_jwks_cache(get_config())
        return _jwks_cache


def _build_jwks_cache(config: Auth0Config) -> JWKSCache:
    if config.dev_issuer:
        source: KeySetSource = functools.partial(devkeys.load_dev_jwks, config.dev_key_dir)
        source_id = f"dev:{config.dev_key_dir}"
    else:
        source = functools.partial(fetch_jwks, config.jwks_url, config.jwks_timeout, config.jwks_max_bytes)
        source_id = config.jwks_url

    return JWKSCache(
        source=source,
        source_id=source_id,
        algorithms=config.algorithms,
        ttl=config.jwks_ttl,
        refetch_cooldown=config.jwks_refetch_cooldown,
        max_stale=config.jwks_max_stale,
        retry_after=config.retry_after,
    )


@receiver(setting_changed)
def _forget_jwks_cache(setting: str, **kwargs: Any) -> None:
    global _jwks_cache
    if setting.startswith("AUTH0_") or setting in ("DEBUG", "CACHES"):
        _jwks_cache = None
