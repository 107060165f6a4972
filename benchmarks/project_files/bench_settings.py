"""Settings of the benchmark's comparison servers: the project's settings with one saving taken out.

The benchmark copies this module into the baked project. BENCH_BASE_SETTINGS
names the project's settings module, and BENCH_VARIANT picks the change:

as_generated         no change
fetch_per_request    reference (a): fetch the key set on every request, no caches
db_user_per_request  reference (b): the project's token checks, a database query for the user on every request
verified_cache_off   the project's authentication with its verified-token cache disabled
all_savings_off      reference (b) with the verified-token cache disabled and keys parsed on every request
"""

import importlib
import os

_base = importlib.import_module(os.environ["BENCH_BASE_SETTINGS"])
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

BENCH_VARIANT = os.environ["BENCH_VARIANT"]

_AUTHENTICATION_CLASSES = {
    "as_generated": "auth0authorization.authentication.Auth0TokenAuthentication",
    "fetch_per_request": "bench_reference.FetchKeysPerRequestAuthentication",
    "db_user_per_request": "bench_reference.DatabaseUserPerRequestAuthentication",
    "verified_cache_off": "auth0authorization.authentication.Auth0TokenAuthentication",
    "all_savings_off": "bench_reference.DatabaseUserPerRequestAuthentication",
}
if BENCH_VARIANT not in _AUTHENTICATION_CLASSES:
    raise ValueError(f"BENCH_VARIANT={BENCH_VARIANT!r} is not one of {sorted(_AUTHENTICATION_CLASSES)}")

REST_FRAMEWORK = {
    **_base.REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": [_AUTHENTICATION_CLASSES[BENCH_VARIANT]],
}

if BENCH_VARIANT in ("verified_cache_off", "all_savings_off"):
    # tokens.py reads VERIFIED_CACHE_SIZE on every insert and trims the cache to it,
    # so 0 leaves it empty. bench_check_verified_cache.py checks that this holds.
    from auth0authorization import tokens

    tokens.VERIFIED_CACHE_SIZE = 0

if BENCH_VARIANT == "all_savings_off":
    from auth0authorization import keys

    _current_key_set = keys.JWKSCache.current_key_set

    def _current_key_set_parsed_per_request(self: keys.JWKSCache) -> keys.KeySet:
        # Without the per-process copy, every lookup parses the raw key set from Django's cache.
        self._local = None
        return _current_key_set(self)

    keys.JWKSCache.current_key_set = _current_key_set_parsed_per_request
