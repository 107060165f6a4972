"""The OpenAPI description names the bearer scheme and the scope each endpoint needs."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def operation(schema, path):
    return schema["paths"][path]["get"]


def test_schema_is_public_json(client):
    response = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_schema_describes_tenant_token_flow_with_scopes(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    scheme = schema["components"]["securitySchemes"]["auth0"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "https://tenant.test/oauth/token"
    assert set(scheme["flows"]["clientCredentials"]["scopes"]) == {"read:messages", "write:messages"}


def test_schema_lists_scope_of_scoped_endpoint(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert operation(schema, "/api/private-scoped")["security"] == [{"auth0": ["read:messages"]}]
    assert operation(schema, "/api/private")["security"] == [{"auth0": []}]
    assert "security" not in operation(schema, "/api/public") or operation(schema, "/api/public")["security"] in (
        [],
        [{}],
    )


def test_docs_page_renders(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_documents_error_responses(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert set(operation(schema, "/api/private-scoped")["responses"]) == {"200", "401", "403", "503"}
    assert set(operation(schema, "/api/private")["responses"]) == {"200", "401", "503"}
    assert set(operation(schema, "/api/public")["responses"]) == {"200"}


def test_schema_is_valid_openapi_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())
