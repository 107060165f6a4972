"""Claims of correctly signed tokens: time claims, audience, issuer, subject, token type and the user.

Every token here carries a valid signature from the tenant's key, so each
rejection comes from the claim checks alone.
"""

import json
import time

import jwt
import pytest
from django.contrib.auth import get_user_model

from auth0authorization import tokens
from auth0authorization.exceptions import InvalidToken
from tests.conftest import AUDIENCE, ISSUER, KID, auth0_claims

pytestmark = [pytest.mark.django_db]

INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'
LEEWAY = 60
# A fixed instant for the boundary tests, which pass `now` explicitly.
T = 1_700_000_000

PLACEHOLDER = "__raw_json_value__"


def sign_claims_with_raw_value(key, name: str, raw_json: str, **overrides) -> str:
    """Sign the usual claims with claim `name` written as the JSON text `raw_json`, such as 1e400 or NaN."""
    text = json.dumps(auth0_claims(**{**overrides, name: PLACEHOLDER}))
    text = text.replace(json.dumps(PLACEHOLDER), raw_json)
    return jwt.api_jws.encode(text.encode(), key, algorithm="RS256", headers={"kid": KID, "typ": "JWT"})


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert response.json()["error"] == "invalid_token"


def reason_at(token: str, now: float) -> str:
    """Validate `token` at the instant `now`; return "accepted" or the rejection reason."""
    try:
        tokens.validate_access_token(token, now=now)
    except InvalidToken as exc:
        return exc.reason
    return "accepted"


# Time claim values that are not a finite number of seconds, written as JSON text.
WRONG_TIME_VALUES = {
    "numeric-string": '"9999999999"',
    "empty-string": '""',
    "true": "true",
    "false": "false",
    "null": "null",
    "list": "[9999999999]",
    "object": '{"seconds": 9999999999}',
    "overflow-to-infinity": "1e400",
    "overflow-to-negative-infinity": "-1e400",
    "integer-beyond-float-range": "1" + "0" * 400,
    "negative-integer-beyond-float-range": "-1" + "0" * 400,
    "nan-constant": "NaN",
    "infinity-constant": "Infinity",
    "negative-infinity-constant": "-Infinity",
}


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("raw_json", list(WRONG_TIME_VALUES.values()), ids=list(WRONG_TIME_VALUES))
def test_time_claim_of_wrong_type_is_rejected(bearer, jwks_endpoint, rsa_key, name, raw_json):
    response = bearer("/api/private", sign_claims_with_raw_value(rsa_key, name, raw_json))

    assert_invalid_token(response)


def test_raw_value_signing_produces_a_valid_token(bearer, jwks_endpoint, rsa_key):
    # Guards the cases above: the same helper with a plain number gives a token that is accepted.
    exp = int(time.time()) + 3600

    response = bearer("/api/private", sign_claims_with_raw_value(rsa_key, "exp", str(exp)))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["exp", "iat"])
def test_missing_required_time_claim_is_rejected(bearer, jwks_endpoint, make_token, name):
    response = bearer("/api/private", make_token(**{name: ...}))

    assert_invalid_token(response)
    assert name in response.json()["error_description"]


def test_missing_nbf_is_accepted(bearer, jwks_endpoint, make_token):
    response = bearer("/api/private", make_token(nbf=...))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("offsets", "accepted"),
    [
        ({"exp": -3600}, False),
        ({"exp": -120}, False),
        ({"exp": 30}, True),
        ({"exp": 10 * 365 * 86400}, True),
        ({"iat": 3600}, False),
        ({"iat": 30}, True),
        ({"iat": -10 * 365 * 86400}, True),
        ({"nbf": 3600}, False),
        ({"nbf": 30}, True),
        ({"nbf": -3600}, True),
        ({"exp": 3600.5, "iat": -0.25, "nbf": -0.75}, True),
    ],
    ids=[
        "exp-hour-ago",
        "exp-two-minutes-ago",
        "exp-in-30s",
        "exp-in-ten-years",
        "iat-in-an-hour",
        "iat-in-30s-within-leeway",
        "iat-ten-years-ago",
        "nbf-in-an-hour",
        "nbf-in-30s-within-leeway",
        "nbf-hour-ago",
        "fractional-seconds",
    ],
)
def test_time_claims_relative_to_now(bearer, jwks_endpoint, make_token, offsets, accepted):
    now = time.time()
    claims = {name: now + offset for name, offset in offsets.items()}

    response = bearer("/api/private", make_token(**claims))

    assert (response.status_code == 200) is accepted
    assert response.status_code in (200, 401)


@pytest.mark.parametrize(
    ("claims", "now", "expected"),
    [
        ({"iat": T - 10, "exp": T}, T + LEEWAY - 1, "accepted"),
        ({"iat": T - 10, "exp": T}, T + LEEWAY, "expired"),
        ({"iat": T - 10, "exp": T}, T + LEEWAY + 0.001, "expired"),
        ({"iat": T - 10, "exp": T + 3600, "nbf": T}, T - LEEWAY, "accepted"),
        ({"iat": T - 10, "exp": T + 3600, "nbf": T}, T - LEEWAY - 1, "not_yet_valid"),
        ({"iat": T, "exp": T + 3600}, T - LEEWAY, "accepted"),
        ({"iat": T, "exp": T + 3600}, T - LEEWAY - 1, "issued_in_future"),
    ],
    ids=[
        "exp-leeway-minus-1s",
        "exp-at-leeway",
        "exp-just-past-leeway",
        "nbf-at-leeway",
        "nbf-leeway-plus-1s-early",
        "iat-at-leeway",
        "iat-leeway-plus-1s-ahead",
    ],
)
def test_leeway_boundaries(jwks_endpoint, make_token, claims, now, expected):
    token = make_token(**claims)

    assert reason_at(token, now) == expected


def test_remembered_token_expires_at_leeway_boundary(jwks_endpoint, make_token):
    # The first call stores the verified token, so the second checks that store's expiry.
    token = make_token(iat=T - 10, exp=T)

    first = reason_at(token, T + LEEWAY - 1)
    second = reason_at(token, T + LEEWAY)

    assert first == "accepted"
    assert second == "expired"


def test_remembered_token_is_still_checked_against_nbf(jwks_endpoint, make_token):
    token = make_token(iat=T - 10, exp=T + 3600, nbf=T)

    first = reason_at(token, T)
    second = reason_at(token, T - LEEWAY - 1)

    assert first == "accepted"
    assert second == "not_yet_valid"


@pytest.mark.parametrize(
    ("aud", "accepted"),
    [
        (AUDIENCE, True),
        ([AUDIENCE], True),
        (["https://tenant.test/userinfo", AUDIENCE], True),
        (["https://other.test"], False),
        ([], False),
        ([AUDIENCE, 5], False),
        ([AUDIENCE, None], False),
        ([[AUDIENCE]], False),
        ("k5uXtD1nZ2bVhF3g9pQw", False),
        (AUDIENCE + "/", False),
        ("HTTPS://API.TEST", False),
        (" " + AUDIENCE, False),
        (AUDIENCE + " https://other.test", False),
        (None, False),
        (5, False),
        ({"aud": AUDIENCE}, False),
        ("", False),
        (..., False),
    ],
    ids=[
        "string-equal",
        "list-with-ours",
        "list-with-ours-second",
        "list-without-ours",
        "empty-list",
        "list-with-number",
        "list-with-null",
        "nested-list",
        "id-token-client-id",
        "trailing-slash",
        "uppercase",
        "leading-space",
        "space-separated-string",
        "null",
        "number",
        "object",
        "empty-string",
        "missing",
    ],
)
def test_audience(bearer, jwks_endpoint, make_token, aud, accepted):
    response = bearer("/api/private", make_token(aud=aud))

    assert (response.status_code == 200) is accepted
    assert response.status_code in (200, 401)


@pytest.mark.parametrize(
    "iss",
    [
        "https://tenant.test",
        "https://tenant.test//",
        "http://tenant.test/",
        "https://TENANT.test/",
        "https://tenant.test/ ",
        "https://tenant.test.attacker.test/",
        "https://attacker.test/?https://tenant.test/",
        "https://dev-issuer.invalid/",
        "",
        ...,
    ],
    ids=[
        "no-trailing-slash",
        "double-slash",
        "http",
        "uppercase-host",
        "trailing-space",
        "suffix-domain",
        "query-containing-issuer",
        "dev-issuer",
        "empty",
        "missing",
    ],
)
def test_issuer_other_than_configured_is_rejected(bearer, jwks_endpoint, make_token, iss):
    response = bearer("/api/private", make_token(iss=iss))

    assert_invalid_token(response)


@pytest.mark.parametrize("iss", [None, ["https://tenant.test/"], {"iss": "https://tenant.test/"}, 1], ids=repr)
def test_issuer_of_wrong_type_is_rejected(bearer, jwks_endpoint, rsa_key, iss):
    # PyJWT refuses to encode a non-string iss, so the claim is written as raw JSON.
    response = bearer("/api/private", sign_claims_with_raw_value(rsa_key, "iss", json.dumps(iss)))

    assert_invalid_token(response)


def test_exact_configured_issuer_is_accepted(bearer, jwks_endpoint, make_token):
    response = bearer("/api/private", make_token(iss=ISSUER))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "sub",
    [
        ...,
        "",
        " ",
        "\t\n",
        None,
        42,
        True,
        ["auth0|x"],
        {"id": "auth0|x"},
        "a" * 256,
        "auth0|" + "a" * 200,
        "auth0|x\x00",
        "auth0|x\ny",
        "auth0|x\ry",
        "auth0|\x1b[31m",
        "auth0|x\x7f",
        "auth0|\u202ex",
        "auth0|x\u2028",
    ],
    ids=[
        "missing",
        "empty",
        "space",
        "whitespace",
        "null",
        "number",
        "true",
        "list",
        "object",
        "longer-than-255",
        "longer-than-username",
        "nul",
        "newline",
        "carriage-return",
        "escape-sequence",
        "delete",
        "right-to-left-override",
        "line-separator",
    ],
)
def test_invalid_subject_is_rejected(bearer, jwks_endpoint, make_token, sub):
    response = bearer("/api/private", make_token(sub=sub))

    assert_invalid_token(response)
    assert get_user_model().objects.count() == 0


@pytest.mark.urls("tests.scoped_views")
@pytest.mark.parametrize(
    ("sub", "username"),
    [
        ("auth0|64f1c2a9e1b2c3d4e5f60718", "auth0.64f1c2a9e1b2c3d4e5f60718"),
        ("google-oauth2|123", "google-oauth2.123"),
        ("github|42", "github.42"),
        ("samlp|corp|jane", "samlp.corp.jane"),
        ("waad|corp|jane@example.com", "waad.corp.jane@example.com"),
        ("cid@clients", "cid@clients"),
    ],
)
def test_auth0_subject_maps_to_username(bearer, jwks_endpoint, make_token, sub, username):
    response = bearer("/token-echo", make_token(sub=sub))

    assert response.status_code == 200
    assert response.json()["username"] == username
    assert get_user_model().objects.filter(username=username).exists()


@pytest.mark.urls("tests.scoped_views")
def test_request_auth_carries_claims(bearer, jwks_endpoint, make_token):
    roles = {"https://api.test/roles": ["admin"]}
    token = make_token(scope="openid read:messages", permissions=["write:messages"], **roles)

    claims = bearer("/token-echo", token).json()["claims"]

    assert claims["sub"] == "auth0|64f1c2a9e1b2c3d4e5f60718"
    assert claims["scope"] == "openid read:messages"
    assert claims["permissions"] == ["write:messages"]
    assert claims["https://api.test/roles"] == ["admin"]
    assert claims["iss"] == ISSUER


@pytest.mark.parametrize(
    ("typ", "accepted"),
    [
        ("JWT", False),
        (None, False),
        ("jwt", False),
        ("JOSE", False),
        ("at+jwt ", False),
        ("at+jwt", True),
        ("AT+JWT", True),
        ("application/at+jwt", True),
    ],
    ids=["jwt", "missing", "jwt-lowercase", "jose", "trailing-space", "at-jwt", "at-jwt-uppercase", "media-type"],
)
def test_strict_profile_requires_at_jwt_type(bearer, jwks_endpoint, make_token, settings, typ, accepted):
    settings.AUTH0_REQUIRE_AT_JWT = True

    response = bearer("/api/private", make_token(header={"typ": typ}))

    assert (response.status_code == 200) is accepted
    assert response.status_code in (200, 401)


def test_default_profile_accepts_jwt_type(bearer, jwks_endpoint, make_token):
    response = bearer("/api/private", make_token(header={"typ": "JWT"}))

    assert response.status_code == 200


def test_deactivated_user_is_rejected_on_next_request(bearer, jwks_endpoint, make_token):
    token = make_token(sub="auth0|soon-inactive")
    first = bearer("/api/private", token)
    user = get_user_model().objects.get(username="auth0.soon-inactive")
    user.is_active = False
    user.save()

    second = bearer("/api/private", token)

    assert first.status_code == 200
    assert_invalid_token(second)
    assert "inactive" in second.json()["error_description"]
