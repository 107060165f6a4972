"""From an access token string to validated claims, or an InvalidToken naming the reason.

Nothing here imports Django REST framework or reads a request, so a plain
Django view or a management command can validate tokens the same way.
"""

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from typing import Any

import jwt
from django.core.signals import setting_changed
from django.dispatch import receiver

from .claims import check_claims, check_issuer
from .conf import Auth0Config, get_config
from .exceptions import InvalidToken
from .keys import JWKSCache, get_jwks_cache

COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
AT_JWT_TYPES = frozenset({"at+jwt", "application/at+jwt"})

# Verified tokens by SHA-256 digest, so a client that repeats its token skips the
# signature check. An entry lives until the token expires or the key set TTL
# ends, whichever comes first, so a removed key stops working just as late as it
# would without this cache.
VERIFIED_CACHE_SIZE = 4096
_verified: OrderedDict[bytes, tuple[Auth0Config, dict[str, Any], float]] = OrderedDict()
_verified_lock = threading.Lock()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def read_header(token: str, config: Auth0Config) -> dict[str, Any]:
    """Check the token's form and protected header, before any key is looked up."""
    if len(token) > config.max_token_length:
        raise InvalidToken("token_too_long", "The access token is too long.")
    if "." not in token:
        raise InvalidToken("not_a_jwt", "The access token is not a JWT; request it with an audience.")
    if not COMPACT_JWS.fullmatch(token):
        raise InvalidToken("malformed", "The access token is not a signed JWT in compact form.")

    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, RecursionError, ValueError):
        raise InvalidToken("malformed_header", "The access token header cannot be decoded.") from None

    if header.get("alg") not in config.algorithms:
        raise InvalidToken("disallowed_alg", "The token is signed with an algorithm this API does not accept.")
    if "crit" in header or "b64" in header:
        raise InvalidToken("unsupported_crit", "The token uses a header extension this API does not support.")
    if config.require_at_jwt and str(header.get("typ", "")).lower() not in AT_JWT_TYPES:
        raise InvalidToken("wrong_typ", "The token is not an access token of type at+jwt.")
    return header


def read_claims(token: str) -> dict[str, Any]:
    """Parse the payload of a token whose form read_header has checked.

    The claims may be used to reject a token at once, but trusted only after
    verify_signature has succeeded on the same token: it signs these very bytes.
    """
    try:
        claims = json.loads(jwt.utils.base64url_decode(token.split(".")[1]), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InvalidToken("malformed_payload", "The token payload is not a JSON object.") from None
    if not isinstance(claims, dict):
        raise InvalidToken("malformed_payload", "The token payload is not a JSON object.")
    return claims


def verify_signature(token: str, key: jwt.PyJWK, config: Auth0Config) -> None:
    """Raise InvalidToken unless `key` verified the token's signature with an accepted algorithm."""
    try:
        jwt.PyJWS().decode_complete(
            token, key=key, algorithms=list(config.algorithms), options={"enforce_minimum_key_length": True}
        )
    except jwt.InvalidSignatureError:
        raise InvalidToken("bad_signature", "The token signature is invalid.") from None
    except jwt.InvalidAlgorithmError:
        raise InvalidToken("alg_mismatch", "The token algorithm does not match its key.") from None
    except (jwt.PyJWTError, ValueError):
        raise InvalidToken("malformed", "The access token cannot be decoded.") from None


def validate_access_token(
    token: str,
    config: Auth0Config | None = None,
    jwks: JWKSCache | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Return the claims of a valid access token; raise InvalidToken or KeysUnavailable otherwise."""
    config = config or get_config()
    now = time.time() if now is None else now

    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
    remembered = _recall_verified(digest, config, now)
    if remembered is not None:
        return remembered

    header = read_header(token, config)
    claims = read_claims(token)

    # A token from another issuer (a development token, another tenant) is
    # rejected here, so it can neither start a key fetch nor get 503 while the
    # tenant is down. Every claim is checked once the signature is verified.
    check_issuer(claims, config.issuer)

    key = (jwks or get_jwks_cache()).get_signing_key(header.get("kid"))
    verify_signature(token, key, config)
    check_claims(claims, config, now)

    _remember_verified(digest, config, claims, valid_until=min(claims["exp"] + config.leeway, now + config.jwks_ttl))
    return dict(claims)


def _recall_verified(digest: bytes, config: Auth0Config, now: float) -> dict[str, Any] | None:
    with _verified_lock:
        entry = _verified.get(digest)
        if entry is None:
            return None
        verified_with, claims, valid_until = entry
        if verified_with is not config or now >= valid_until or now < claims.get("nbf", now) - config.leeway:
            del _verified[digest]
            return None
        _verified.move_to_end(digest)
        return dict(claims)


def _remember_verified(digest: bytes, config: Auth0Config, claims: dict[str, Any], valid_until: float) -> None:
    with _verified_lock:
        _verified[digest] = (config, claims, valid_until)
        _verified.move_to_end(digest)
        while len(_verified) > VERIFIED_CACHE_SIZE:
            _verified.popitem(last=False)


def forget_verified_tokens() -> None:
    with _verified_lock:
        _verified.clear()


@receiver(setting_changed)
def _forget_on_setting_change(setting: str, **kwargs: Any) -> None:
    if setting.startswith("AUTH0_") or setting in ("DEBUG", "CACHES"):
        forget_verified_tokens()
