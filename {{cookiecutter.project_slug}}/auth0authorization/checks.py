"""System checks that stop `manage.py check --deploy` and production start-up on unsafe token settings.

They resolve the issuer without get_config(), because get_config() raises on an invalid
AUTH0_ALGORITHMS, and that one error would then hide every other.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from .conf import ASYMMETRIC_ALGORITHMS, resolve_trusted_issuer


@register(Tags.security)
def check_dev_issuer_off_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    dev_issuer, _ = resolve_trusted_issuer()
    if settings.DEBUG or not dev_issuer:
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
    dev_issuer, issuer = resolve_trusted_issuer()
    if dev_issuer or issuer:
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
    _, issuer = resolve_trusted_issuer()
    if issuer and not issuer.startswith("https://"):
        errors.append(
            Error(
                f"AUTH0_ISSUER {issuer!r} does not start with https://, and keys are only fetched over HTTPS.",
                hint="Use the issuer exactly as it appears in tokens, such as https://login.example.com/.",
                id="auth0authorization.E004",
            )
        )
    # The same default and rule as get_config(), which raises where this check reports.
    algorithms = list(getattr(settings, "AUTH0_ALGORITHMS", ["RS256"]))
    unsupported = set(algorithms) - ASYMMETRIC_ALGORITHMS
    if unsupported or not algorithms:
        detail = f"it contains {sorted(unsupported)}" if unsupported else "it is empty"
        errors.append(
            Error(
                f"AUTH0_ALGORITHMS must name only asymmetric signing algorithms, but {detail}.",
                hint="Use RS256, the algorithm Auth0 signs access tokens with.",
                id="auth0authorization.E005",
            )
        )
    return errors
