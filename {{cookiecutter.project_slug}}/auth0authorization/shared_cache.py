"""Django cache calls that act as a cache miss when the cache server fails.

The cache only saves work. When a shared cache such as Redis is down, keys are
still fetched and kept per process, and users are read from the database,
instead of every authenticated request failing with 500.
"""

import logging
import time
from typing import Any

from django.core.cache import caches

logger = logging.getLogger(__name__)

# One warning per this many seconds per process, so an outage does not flood the logs.
WARNING_INTERVAL = 60.0


class SharedCache:
    """A Django cache alias whose failures are logged and treated as misses."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._last_warning = float("-inf")
        self._suppressed = 0

    def get(self, key: str) -> Any:
        return self._call("get", None, key)

    def set(self, key: str, value: Any, timeout: float) -> None:
        self._call("set", None, key, value, timeout=timeout)

    def add(self, key: str, value: Any, timeout: float) -> bool:
        """Store `value` unless `key` exists; report False when the cache fails, so callers hold back."""
        return bool(self._call("add", False, key, value, timeout=timeout))

    def delete(self, key: str) -> None:
        self._call("delete", None, key)

    def delete_many(self, keys: list[str]) -> None:
        self._call("delete_many", None, keys)

    def _call(self, method: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(caches[self.alias], method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001  (every backend raises its own error types)
            self._warn(method, exc)
            return fallback

    def _warn(self, method: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning < WARNING_INTERVAL:
            self._suppressed += 1
            return
        logger.warning(
            "cache_failed alias=%s operation=%s error=%s suppressed_since_last=%d",
            self.alias,
            method,
            exc.__class__.__name__,
            self._suppressed,
        )
        self._last_warning = now
        self._suppressed = 0
