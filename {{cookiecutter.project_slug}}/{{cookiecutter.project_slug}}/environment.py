"""Typed readers for settings that come from environment variables.

A real environment variable wins over `.env`, because `.env` is loaded with
override=False before any of these run. A value that cannot be parsed stops
start-up with ImproperlyConfigured naming the variable and an example.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default

    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false")


def env_optional_bool(name: str) -> bool | None:
    """Read a boolean that may also be left unset (empty or `auto`) to mean "decide for me"."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "auto"):
        return None
    return env_bool(name)


def env_number(name: str, default: float, minimum: float = 0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default

    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number; use a value such as {default:g}") from None
    if not value >= minimum or value == float("inf"):
        raise ImproperlyConfigured(f"{name}={raw!r} must be a finite number of at least {minimum:g}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Read a list separated by commas or spaces."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item for item in raw.replace(",", " ").split() if item]
