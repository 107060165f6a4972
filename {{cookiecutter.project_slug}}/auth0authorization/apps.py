from django.apps import AppConfig


class Auth0AuthorizationConfig(AppConfig):
    name = "auth0authorization"
    verbose_name = "Auth0 access tokens"

    def ready(self) -> None:
        from . import checks, schema, users  # noqa: F401  (registers checks, the OpenAPI scheme, signals)
