"""Checks on the claims of a signature-verified access token.

Stricter than PyJWT's own: time claims must be JSON numbers (PyJWT accepts
the string "9999999999"), `iss` must match to the character, `aud` must be a
string or a list of strings, and `sub` must be a non-empty string.
"""

import math
from typing import Any

from .conf import Auth0Config
from .exceptions import InvalidToken

MAX_SUBJECT_LENGTH = 255


def is_numeric_date(value: Any) -> bool:
    """Tell whether `value` is a finite JSON number; `true` is not a number here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        # A JSON integer such as 10**400 has no float value, so it cannot be compared with the clock.
        return False


def check_time_claims(claims: dict[str, Any], leeway: float, now: float) -> None:
    for name in ("exp", "iat"):
        if name not in claims:
            raise InvalidToken(f"missing_{name}", f"The token has no {name} claim.")
    for name in ("exp", "iat", "nbf"):
        if name in claims and not is_numeric_date(claims[name]):
            raise InvalidToken(f"invalid_{name}", f"The {name} claim must be a number of seconds.")

    if claims["exp"] + leeway <= now:
        raise InvalidToken("expired", "The token has expired.")
    if "nbf" in claims and claims["nbf"] - leeway > now:
        raise InvalidToken("not_yet_valid", "The token is not valid yet.")
    if claims["iat"] - leeway > now:
        raise InvalidToken("issued_in_future", "The token was issued in the future.")


def check_issuer(claims: dict[str, Any], issuer: str) -> None:
    if claims.get("iss") != issuer:
        raise InvalidToken("wrong_issuer", "The token was issued by an issuer this API does not trust.")


def check_audience(claims: dict[str, Any], audience: str) -> None:
    aud = claims.get("aud")
    if isinstance(aud, str):
        matches = aud == audience
    elif isinstance(aud, list) and aud and all(isinstance(item, str) for item in aud):
        matches = audience in aud
    else:
        raise InvalidToken("invalid_aud", "The token has no valid aud claim.")

    if not matches:
        raise InvalidToken("wrong_audience", "The token is meant for another audience.")


def check_subject(claims: dict[str, Any]) -> None:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise InvalidToken("invalid_sub", "The token has no valid sub claim.")
    if len(sub) > MAX_SUBJECT_LENGTH or not sub.isprintable():
        raise InvalidToken("invalid_sub", "The sub claim is too long or contains control characters.")


def check_claims(claims: dict[str, Any], config: Auth0Config, now: float) -> None:
    """Raise InvalidToken unless every registered claim this API relies on is right."""
    check_time_claims(claims, config.leeway, now)
    check_issuer(claims, config.issuer)
    check_audience(claims, config.audience)
    check_subject(claims)
