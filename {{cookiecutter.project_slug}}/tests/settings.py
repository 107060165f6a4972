"""Settings for the test suite: the project's own, with a fixed test tenant and no .env."""

import os
from pathlib import Path

import dj_database_url

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from {{ cookiecutter.project_slug }}.settings import *  # noqa: E402, F403

DEBUG = False
AUTH0_DOMAIN = "tenant.test"
AUTH0_ISSUER = ""
AUTH0_API_IDENTIFIER = "https://api.test"
AUTH0_SCOPES = ["read:messages", "write:messages"]
AUTH0_ALGORITHMS = ["RS256"]
AUTH0_LEEWAY = 60
AUTH0_REQUIRE_AT_JWT = False
AUTH0_JWKS_TTL = 600
AUTH0_JWKS_REFETCH_COOLDOWN = 60
AUTH0_JWKS_MAX_STALE = 6 * 3600
AUTH0_JWKS_TIMEOUT = 2
AUTH0_RETRY_AFTER = 30
AUTH0_USER_CACHE_TTL = 60
AUTH0_DEV_ISSUER = None
AUTH0_DEV_KEY_DIR = Path(os.environ.get("TEST_DEV_KEY_DIR", "/nonexistent-dev-keys"))

# The suite runs on SQLite and a per-process cache unless these name real servers,
# as the template's own tests do to cover PostgreSQL and a shared Redis cache.
if os.environ.get("TEST_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["TEST_DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

if os.environ.get("TEST_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
