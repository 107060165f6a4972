"""Scopes: exact words of `scope` or entries of `permissions`, and the RFC 6750 challenge when one is missing.

/api/private-scoped requires read:messages through HasScopes; the test-only
view in tests/scoped_views.py requires write:messages through requires_scopes.
"""

import re

import pytest

from tests.conftest import AUDIENCE

pytestmark = [pytest.mark.django_db]

# RFC 6750, section 3: error_description and scope use %x20-21 / %x23-5B / %x5D-7E only.
RFC6750_VALUE = re.compile(r'[\x20\x21\x23-\x5b\x5d-\x7e]*')
INSUFFICIENT_SCOPE_CHALLENGE = re.compile(
    r'Bearer realm="api", error="insufficient_scope", error_description="([^"]+)", scope="([^"]+)"'
)
ERROR_DESCRIPTION = re.compile(r'error_description="([^"]*)"')


def assert_insufficient_scope(response, scope: str) -> None:
    assert response.status_code == 403
    challenge = INSUFFICIENT_SCOPE_CHALLENGE.fullmatch(response["WWW-Authenticate"])
    assert challenge is not None
    assert challenge.group(2) == scope
    assert response.json()["error"] == "insufficient_scope"
    assert response.json()["error_description"] == challenge.group(1)


@pytest.mark.parametrize(
    "scope",
    [
        "read:messages:all",
        "read",
        "READ:MESSAGES",
        "Read:Messages",
        "xread:messages",
        "read:messagesx",
        "read:message",
        "read:*",
        "*",
        "read:messages,write:messages",
        "openid\tread:messages",
        "openid\nread:messages",
        "openid+read:messages",
        "write:messages",
        "",
    ],
    ids=[
        "longer-scope",
        "prefix",
        "uppercase",
        "title-case",
        "prefixed",
        "suffixed",
        "singular",
        "wildcard",
        "star",
        "comma-separated",
        "tab-separated",
        "newline-separated",
        "plus-separated",
        "other-scope",
        "empty",
    ],
)
def test_scope_must_match_exactly(bearer, jwks_endpoint, make_token, scope):
    response = bearer("/api/private-scoped", make_token(scope=scope))

    assert_insufficient_scope(response, "read:messages")


@pytest.mark.parametrize(
    "scope",
    ["read:messages", "openid profile read:messages", "read:messages write:messages", "  read:messages  "],
    ids=["alone", "among-others", "first-of-two", "extra-spaces"],
)
def test_scope_word_grants_access(bearer, jwks_endpoint, make_token, scope):
    response = bearer("/api/private-scoped", make_token(scope=scope))

    assert response.status_code == 200


def test_permissions_entry_grants_access(bearer, jwks_endpoint, make_token):
    token = make_token(scope="openid", permissions=["write:messages", "read:messages"])

    response = bearer("/api/private-scoped", token)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "permissions",
    [
        "read:messages",
        {"read:messages": True},
        [["read:messages"]],
        ["read:messages:all", "READ:MESSAGES"],
        [None, 1, True],
        None,
    ],
    ids=["string", "object", "nested-list", "near-misses", "non-strings", "null"],
)
def test_permissions_that_grant_nothing(bearer, jwks_endpoint, make_token, permissions):
    response = bearer("/api/private-scoped", make_token(scope="openid", permissions=permissions))

    assert_insufficient_scope(response, "read:messages")


@pytest.mark.parametrize(
    "scope",
    [["read:messages"], {"read:messages": True}, None, 1, True, ...],
    ids=["list", "object", "null", "number", "true", "missing"],
)
def test_scope_claim_of_wrong_type_grants_nothing(bearer, jwks_endpoint, make_token, scope):
    response = bearer("/api/private-scoped", make_token(scope=scope))

    assert_insufficient_scope(response, "read:messages")


def test_scoped_view_without_token_is_401(client, jwks_endpoint):
    response = client.get("/api/private-scoped")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.urls("tests.scoped_views")
def test_decorated_view_accepts_required_scope(bearer, jwks_endpoint, make_token):
    response = bearer("/write-messages", make_token(scope="openid write:messages"))

    assert response.status_code == 200
    assert response.json() == {"message": "You may write messages."}


@pytest.mark.urls("tests.scoped_views")
def test_decorated_view_rejects_other_scope(bearer, jwks_endpoint, make_token):
    response = bearer("/write-messages", make_token(scope="openid read:messages"))

    assert_insufficient_scope(response, "write:messages")


@pytest.mark.urls("tests.scoped_views")
def test_decorated_view_accepts_permissions_entry(bearer, jwks_endpoint, make_token):
    response = bearer("/write-messages", make_token(scope=..., permissions=["write:messages"]))

    assert response.status_code == 200


@pytest.mark.urls("tests.scoped_views")
def test_decorated_view_without_token_is_401(client, jwks_endpoint):
    response = client.get("/write-messages")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# Claim values full of characters that RFC 6750 forbids in a quoted value, so that
# echoing any part of the token into error_description would show.
HOSTILE = 'x"\\\r\n\x00\u00e9\u202e<script>'


@pytest.mark.parametrize(
    ("path", "overrides"),
    [
        ("/api/private", {"aud": HOSTILE}),
        ("/api/private", {"iss": HOSTILE}),
        ("/api/private", {"sub": HOSTILE}),
        ("/api/private", {"exp": HOSTILE}),
        ("/api/private", {"exp": 1}),
        ("/api/private", {"header": {"kid": HOSTILE}}),
        ("/api/private", {"header": {"kid": "unknown"}}),
        ("/api/private", {"header": {"typ": HOSTILE}, "sub": HOSTILE, "aud": [AUDIENCE], "padding": "x" * 9000}),
        ("/api/private-scoped", {"scope": HOSTILE}),
    ],
    ids=["aud", "iss", "sub", "exp-string", "expired", "kid", "unknown-kid", "too-long", "scope"],
)
def test_error_description_reveals_no_token_content(bearer, jwks_endpoint, make_token, path, overrides):
    token = make_token(**overrides)

    response = bearer(path, token)

    challenge_description = ERROR_DESCRIPTION.search(response["WWW-Authenticate"]).group(1)
    body_description = response.json()["error_description"]
    assert response.status_code in (401, 403)
    assert RFC6750_VALUE.fullmatch(challenge_description)
    assert RFC6750_VALUE.fullmatch(body_description)
    assert challenge_description == body_description
    for segment in token.split("."):
        assert segment[:16] not in body_description
    assert "script" not in body_description
    assert "x" * 16 not in body_description
