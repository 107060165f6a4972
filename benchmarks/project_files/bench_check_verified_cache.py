"""Count signature checks when one token is validated twice, with the settings in DJANGO_SETTINGS_MODULE.

Reads {"token": ..., "jwk": ...} as JSON on standard input and prints the
verified-token cache size, the key set TTL and refetch cooldown in seconds, and
the number of signature checks: 1 means the second call came from the
verified-token cache, 2 mean the cache is off.
"""

import json
import sys

import django


class StaticKeys:
    """Stands in for the key cache, so the check needs no key set fetch."""

    def __init__(self, jwk: dict) -> None:
        import jwt

        self.key = jwt.PyJWK(jwk)

    def get_signing_key(self, kid: str | None):
        return self.key


def main() -> None:
    request = json.load(sys.stdin)
    django.setup()

    from auth0authorization import tokens
    from auth0authorization.conf import get_config

    signature_checks = 0
    verify_signature = tokens.verify_signature

    def counting_verify_signature(*args, **kwargs):
        nonlocal signature_checks
        signature_checks += 1
        return verify_signature(*args, **kwargs)

    tokens.verify_signature = counting_verify_signature
    keys = StaticKeys(request["jwk"])
    for _ in range(2):
        tokens.validate_access_token(request["token"], jwks=keys)

    config = get_config()
    report = {
        "verified_cache_size": tokens.VERIFIED_CACHE_SIZE,
        "jwks_ttl": config.jwks_ttl,
        "jwks_refetch_cooldown": config.jwks_refetch_cooldown,
        "signature_checks": signature_checks,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
