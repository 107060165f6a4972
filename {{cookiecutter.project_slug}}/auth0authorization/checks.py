"""System checks that stop `manage.py check --deploy` and production start-up on unsafe token settings."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from .conf import ASYMMETRIC_ALGORITHMS, get_config


@register(Tags.security)
def check_dev_issuer_off_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG or not get_config().dev_issuer:
        return []
    return [
        Error(
            "The local development issuer is trusted while DEBUG is off.",
            hint="Set AUTH0_DOMAIN to your Auth0 tenant and unset AUTH0_DEV_ISSUER in production.",
            id="auth0authorization.E001",
        )
    ]


@register(Tags.security)
def check_issuer_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    config = get_config()
    if config.dev_issuer or config.issuer:
        return []
    return [
        Error(
            "No token issuer is configured, so every access token would be rejected.",
            hint="Set AUTH0_DOMAIN (such as dev-abc123.us.auth0.com), or turn DEBUG on to use the development issuer.",
            id="auth0authorization.E002",
        )
    ]


@register(Tags.security)
def check_token_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    if not getattr(settings, "AUTH0_API_IDENTIFIER", ""):
        errors.append(
            Error(
                "AUTH0_API_IDENTIFIER is empty, so no token can name this API as its audience.",
                hint="Set it to the identifier of your API in Auth0, such as https://api.example.com.",
                id="auth0authorization.E003",
            )
        )
    issuer = get_config().issuer
    if issuer and not issuer.startswith("https://"):
        errors.append(
            Error(
                f"AUTH0_ISSUER {issuer!r} does not start with https://, and keys are only fetched over HTTPS.",
                hint="Use the issuer exactly as it appears in tokens, such as https://login.example.com/.",
                id="auth0authorization.E004",
            )
        )
    unsupported = set(getattr(settings, "AUTH0_ALGORITHMS", ())) - ASYMMETRIC_ALGORITHMS
    if unsupported:
        errors.append(
            Error(
                f"AUTH0_ALGORITHMS names {sorted(unsupported)}, which are not asymmetric signing algorithms.",
                hint="Use RS256, the algorithm Auth0 signs access tokens with.",
                id="auth0authorization.E005",
            )
        )
    return errors
