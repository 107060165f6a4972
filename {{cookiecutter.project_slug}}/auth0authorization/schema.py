"""OpenAPI description of the bearer token and of the scopes each endpoint needs."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .conf import get_config


class Auth0TokenScheme(OpenApiAuthenticationExtension):
    target_class = "auth0authorization.authentication.Auth0TokenAuthentication"
    name = "auth0"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        config = get_config()
        if config.dev_issuer or not config.issuer:
            return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": f"{config.issuer}oauth/token",
                    "scopes": {scope: f"Granted by Auth0 as {scope}" for scope in config.scopes},
                }
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        if get_config().dev_issuer:
            return {self.name: []}
        return {self.name: list(getattr(auto_schema.view, "required_scopes", ()))}
