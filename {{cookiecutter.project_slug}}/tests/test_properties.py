"""Property tests: arbitrary headers and arbitrary signed claim sets never cause a 5xx.

A signed claim set gets 200 exactly when an oracle written here from the
specifications (RFC 7519, RFC 9068 and Auth0's conventions) judges its claims
valid, and 401 otherwise.
"""

import json
import math
import sys
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import AUDIENCE, ISSUER, KID

pytestmark = [pytest.mark.django_db]

LEEWAY = 60
MAX_USERNAME_LENGTH = 150
# Offsets within this many seconds of a leeway boundary are left out, so that the
# time between building a token and checking it cannot change the expected status.
BOUNDARY_MARGIN = 10

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

latin1_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=200)
base64url_text = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=60)

header_values = st.one_of(
    latin1_text,
    latin1_text.map(lambda text: "Bearer " + text),
    st.tuples(base64url_text, base64url_text, base64url_text).map(lambda parts: "Bearer " + ".".join(parts)),
    st.tuples(st.sampled_from(["Bearer", "bearer", "Basic", "BEARER"]), latin1_text).map(" ".join),
    st.binary(max_size=120).map(lambda raw: "Bearer " + raw.decode("latin-1")),
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)

far_offsets = st.integers(min_value=-(10**8), max_value=10**8).filter(
    lambda offset: abs(abs(offset) - LEEWAY) > BOUNDARY_MARGIN and abs(offset) > BOUNDARY_MARGIN
)


@dataclass(frozen=True)
class SecondsFromNow:
    """A time claim relative to the moment the token is built, turned into a number just before signing."""

    offset: float


time_values = st.one_of(
    far_offsets.map(SecondsFromNow),
    far_offsets.map(lambda offset: SecondsFromNow(offset + 0.5)),
    st.sampled_from([10**400, -(10**400), 1e308, -1e308, 0, "9999999999", True]),
    json_values,
)
subject_values = st.one_of(
    st.sampled_from(["auth0|64f1c2a9e1b2c3d4e5f60718", "google-oauth2|123", "cid@clients", "", " ", "a" * 151]),
    st.text(max_size=160),
    json_values,
)
audience_values = st.one_of(
    st.just(AUDIENCE),
    st.lists(st.sampled_from([AUDIENCE, f"{ISSUER}userinfo", "https://other.test"]), max_size=3),
    st.lists(st.one_of(st.just(AUDIENCE), json_values), max_size=3),
    json_values,
)
issuer_values = st.one_of(
    st.just(ISSUER),
    st.sampled_from(["https://tenant.test", "http://tenant.test/", "https://TENANT.test/", ISSUER + " "]),
    json_values,
)

MISSING = object()


def mostly(valid: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """Draw from `valid` four times in five, so that a fair share of whole claim sets is valid."""
    return st.integers(min_value=0, max_value=4).flatmap(lambda roll: valid if roll else other)


valid_claims = {
    "iss": st.just(ISSUER),
    "aud": st.sampled_from([AUDIENCE, [AUDIENCE], [AUDIENCE, f"{ISSUER}userinfo"], [f"{ISSUER}userinfo", AUDIENCE]]),
    "sub": st.one_of(
        st.sampled_from(["auth0|64f1c2a9e1b2c3d4e5f60718", "google-oauth2|123", "samlp|corp|jane", "cid@clients"]),
        st.text(min_size=1, max_size=MAX_USERNAME_LENGTH),
    ),
    "exp": st.integers(min_value=LEEWAY + BOUNDARY_MARGIN, max_value=10**8).map(SecondsFromNow),
    "iat": st.integers(min_value=-(10**8), max_value=LEEWAY - BOUNDARY_MARGIN).map(SecondsFromNow),
    "nbf": st.one_of(st.just(MISSING), st.integers(-(10**8), LEEWAY - BOUNDARY_MARGIN).map(SecondsFromNow)),
}
other_claims = {
    "iss": st.one_of(st.just(MISSING), issuer_values),
    "aud": st.one_of(st.just(MISSING), audience_values),
    "sub": st.one_of(st.just(MISSING), subject_values),
    "exp": st.one_of(st.just(MISSING), time_values),
    "iat": st.one_of(st.just(MISSING), time_values),
    "nbf": time_values,
}

claim_sets = st.builds(
    lambda extra, registered: {**extra, **{name: value for name, value in registered.items() if value is not MISSING}},
    st.dictionaries(st.text(max_size=10), json_values, max_size=4),
    st.fixed_dictionaries({name: mostly(valid_claims[name], other_claims[name]) for name in valid_claims}),
)


def is_json_number(value: Any) -> bool:
    """Tell whether `value` is a JSON number with a finite float value (RFC 7519 NumericDate).

    Written differently from the project's check on purpose: Python compares an
    int with a float exactly, and NaN and infinities fail both comparisons.
    """
    return type(value) in (int, float) and -sys.float_info.max <= value <= sys.float_info.max


def contains_non_finite(value: Any) -> bool:
    """Tell whether JSON encoding would write NaN or Infinity, which JSON (RFC 8259) does not allow."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(contains_non_finite(item) for item in value)
    if isinstance(value, dict):
        return any(contains_non_finite(item) for item in value.values())
    return False


def claims_are_valid(claims: dict[str, Any], now: float) -> bool:
    """The oracle: would a careful reader of the specifications accept these claims?"""
    if contains_non_finite(claims):
        return False
    if claims.get("iss") != ISSUER:
        return False

    aud = claims.get("aud")
    if isinstance(aud, str):
        if aud != AUDIENCE:
            return False
    elif not (isinstance(aud, list) and aud and all(isinstance(item, str) for item in aud) and AUDIENCE in aud):
        return False

    if not (is_json_number(claims.get("exp")) and is_json_number(claims.get("iat"))):
        return False
    if claims["exp"] <= now - LEEWAY or claims["iat"] > now + LEEWAY:
        return False
    if "nbf" in claims and not (is_json_number(claims["nbf"]) and claims["nbf"] <= now + LEEWAY):
        return False

    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        return False
    return len(sub) <= MAX_USERNAME_LENGTH and all(character.isprintable() for character in sub)


@PROPERTY_SETTINGS
@given(authorization=header_values)
def test_arbitrary_authorization_header_is_never_accepted_or_5xx(client, jwks_endpoint, authorization):
    response = client.get("/api/private", HTTP_AUTHORIZATION=authorization)

    assert response.status_code < 500
    assert response.status_code != 200


def at_time(claims: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        name: now + value.offset if isinstance(value, SecondsFromNow) else value for name, value in claims.items()
    }


@PROPERTY_SETTINGS
@given(relative_claims=claim_sets)
def test_signed_claims_are_accepted_only_when_valid(client, jwks_endpoint, rsa_key, relative_claims):
    claims = at_time(relative_claims, time.time())
    payload = json.dumps(claims).encode()
    token = jwt.api_jws.encode(payload, rsa_key, algorithm="RS256", headers={"kid": KID, "typ": "JWT"})

    response = client.get("/api/private", HTTP_AUTHORIZATION=f"Bearer {token}")
    expected = 200 if claims_are_valid(claims, time.time()) else 401
    event(f"expected {expected}")

    assert response.status_code == expected


def test_oracle_accepts_auth0_claims():
    # Guards the property above: an oracle that rejected everything would make it pass on 401s alone.
    now = time.time()
    claims = {"iss": ISSUER, "aud": [AUDIENCE], "sub": "auth0|x", "iat": int(now), "exp": int(now) + 3600}

    assert claims_are_valid(claims, now)
