"""The Authorization header: which forms reach token validation, and what the others get back.

A header in another scheme is not ours, so the response is 401 with a plain
challenge and no error. A Bearer header whose token cannot be used gets 401
with error="invalid_token".
"""

import pytest

from auth0authorization.conf import get_config

pytestmark = [pytest.mark.django_db]

PLAIN_CHALLENGE = 'Bearer realm="api"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'


def get_private(client, authorization):
    return client.get("/api/private", HTTP_AUTHORIZATION=authorization)


def test_missing_header_gets_challenge_without_error(client, jwks_endpoint):
    response = client.get("/api/private")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == PLAIN_CHALLENGE
    assert "error=" not in response["WWW-Authenticate"]
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic dXNlcjpwYXNzd29yZA==",
        "Digest username=\"jane\", realm=\"api\"",
        "Token 0123456789abcdef",
        "MAC id=\"h480djs93hd8\"",
        "Bearertoken",
        "Bearer-abc.def.ghi",
    ],
    ids=["basic", "digest", "token", "mac", "scheme-glued-to-token", "bearer-with-dash"],
)
def test_other_scheme_is_not_treated_as_bearer(client, jwks_endpoint, authorization):
    response = get_private(client, authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == PLAIN_CHALLENGE
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer ", "Bearer\t", "bearer  "])
def test_bearer_without_token_is_invalid_token(client, jwks_endpoint, authorization):
    response = get_private(client, authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert response.json()["error"] == "invalid_token"
    assert "No access token" in response.json()["error_description"]


@pytest.mark.parametrize("extra", ["extra", "Bearer", "a b c"])
def test_bearer_with_extra_parts_is_rejected(client, jwks_endpoint, make_token, extra):
    response = get_private(client, f"Bearer {make_token()} {extra}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert "spaces" in response.json()["error_description"]
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(client, jwks_endpoint, make_token, scheme):
    response = get_private(client, f"{scheme} {make_token()}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "template",
    [" Bearer {token}", "Bearer {token} ", "\tBearer {token}\t", "Bearer  {token}", "  Bearer {token}  "],
    ids=["leading-space", "trailing-space", "surrounding-tabs", "two-spaces-between", "surrounding-spaces"],
)
def test_surrounding_whitespace_is_ignored(client, jwks_endpoint, make_token, template):
    response = get_private(client, template.format(token=make_token()))

    assert response.status_code == 200


def test_oversize_token_is_rejected_before_key_fetch(client, jwks_endpoint, make_token):
    limit = get_config().max_token_length
    # Correctly signed and otherwise valid, so only the length check can reject it.
    token = make_token(padding="x" * limit)
    assert len(token) > limit

    response = get_private(client, f"Bearer {token}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert "too long" in response.json()["error_description"]
    assert jwks_endpoint.calls == 0


def test_token_within_length_limit_is_accepted(client, jwks_endpoint, make_token, settings):
    token = make_token(padding="x" * 3000)
    settings.AUTH0_MAX_TOKEN_LENGTH = len(token)

    response = get_private(client, f"Bearer {token}")

    assert response.status_code == 200


def test_length_limit_setting_is_honoured(client, jwks_endpoint, make_token, settings):
    token = make_token()
    settings.AUTH0_MAX_TOKEN_LENGTH = len(token) - 1

    response = get_private(client, f"Bearer {token}")

    assert response.status_code == 401
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize(
    "token_suffix",
    ["\u00e9", "\u00ff\u00fe", "\u00a0", "\x80"],
    ids=["e-acute", "ff-fe", "no-break-space", "c1-control"],
)
def test_non_ascii_bytes_are_rejected(client, jwks_endpoint, make_token, token_suffix):
    # WSGI carries header bytes as latin-1 characters, so each of these is one byte above 0x7f.
    response = get_private(client, f"Bearer {make_token()}{token_suffix}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert "ASCII" in response.json()["error_description"]
    assert jwks_endpoint.calls == 0


@pytest.mark.parametrize("token", ["opaque-token-from-auth0", "Zm9vYmFyYmF6", "0123456789abcdef0123456789abcdef"])
def test_opaque_token_points_to_audience(client, jwks_endpoint, token):
    response = get_private(client, f"Bearer {token}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(INVALID_TOKEN_CHALLENGE)
    assert "audience" in response.json()["error_description"]
    assert jwks_endpoint.calls == 0
