"""The three example endpoints with valid, invalid and under-scoped tokens."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jwks_endpoint")]


def test_public_answers_anyone(client):
    response = client.get("/api/public")

    assert response.status_code == 200
    assert "public endpoint" in response.json()["message"]


def test_public_ignores_invalid_token(bearer):
    response = bearer("/api/public", "not-a-token")

    assert response.status_code == 200


def test_private_without_token_is_401_with_challenge(client):
    response = client.get("/api/private")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"] == "not_authenticated"


def test_private_accepts_valid_token(bearer, make_token):
    response = bearer("/api/private", make_token())

    assert response.status_code == 200
    assert "private endpoint" in response.json()["message"]


def test_private_rejects_invalid_token_with_invalid_token(bearer, make_token):
    response = bearer("/api/private", make_token(aud="https://someone-else.test"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="api", error="invalid_token"')
    assert response.json()["error"] == "invalid_token"


def test_scoped_accepts_token_with_scope(bearer, make_token):
    response = bearer("/api/private-scoped", make_token(scope="read:messages"))

    assert response.status_code == 200
    assert "read:messages" in response.json()["message"]


def test_scoped_rejects_token_without_scope_with_403(bearer, make_token):
    response = bearer("/api/private-scoped", make_token(scope="openid profile"))

    assert response.status_code == 403
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api", error="insufficient_scope"')
    assert challenge.endswith('scope="read:messages"')
    assert response.json()["error"] == "insufficient_scope"


def test_scoped_accepts_rbac_permission(bearer, make_token):
    response = bearer("/api/private-scoped", make_token(scope=..., permissions=["read:messages"]))

    assert response.status_code == 200


def test_scoped_rejects_token_without_scope_claim(bearer, make_token):
    response = bearer("/api/private-scoped", make_token(scope=...))

    assert response.status_code == 403


def test_unknown_url_is_json_404(client):
    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_preflight_needs_no_token(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]

    response = client.options(
        "/api/private",
        HTTP_ORIGIN="http://localhost:3000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "authorization" in response["Access-Control-Allow-Headers"]
