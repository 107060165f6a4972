"""Every setting the token checks read, with its default and unit.

AUTH0_DOMAIN (default "": no tenant)
    Tenant host with an optional port: dev-abc123.us.auth0.com, localhost:8443.
AUTH0_API_IDENTIFIER (default: the answer given at generation)
    The audience (`aud`) that tokens must name.
AUTH0_ISSUER (default https://{AUTH0_DOMAIN}/)
    Expected `iss`, for custom domains; keys then come from {AUTH0_ISSUER}.well-known/jwks.json.
AUTH0_SCOPES (default: the answers given at generation)
    Scopes the API knows; the first one protects /api/private-scoped.
AUTH0_ALGORITHMS (default RS256)
    Accepted signing algorithms, asymmetric ones only; never taken from the token.
AUTH0_LEEWAY (default 60 seconds)
    Clock skew allowed on exp, nbf and iat.
AUTH0_REQUIRE_AT_JWT (default false)
    Require the RFC 9068 header `typ: at+jwt`; Auth0's default token profile sends `JWT`.
AUTH0_MAX_TOKEN_LENGTH (default 8192 characters)
    Longer tokens are rejected before any decoding.
AUTH0_JWKS_TTL (default 600 seconds)
    How long a fetched key set is used before it is fetched again.
AUTH0_JWKS_REFETCH_COOLDOWN (default 60 seconds)
    Minimum time between fetches caused by tokens with unknown key ids.
AUTH0_JWKS_MAX_STALE (default 21600 seconds)
    How long past its TTL a key set is still used while fetches fail.
AUTH0_JWKS_TIMEOUT (default 3 seconds)
    Total time one key set fetch may take, connecting included.
AUTH0_JWKS_MAX_BYTES (default 262144 bytes)
    A larger key set response counts as a failed fetch.
AUTH0_RETRY_AFTER (default 30 seconds)
    After a failed fetch, no new fetch for this long; sent as Retry-After with 503.
AUTH0_USER_CACHE_TTL (default 60 seconds)
    How long a mapped user is reused without a database query.
AUTH0_DEV_ISSUER (default auto)
    Trust the local development issuer instead of a tenant; auto means DEBUG on and no AUTH0_DOMAIN.
AUTH0_DEV_KEY_DIR (default .devkeys/ in the project folder)
    Where the development issuer keeps its signing key.

Each is read from the environment, or from `.env`, by the project's settings module.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

# Reserved by RFC 2606, so this issuer can never be a real host.
DEV_ISSUER = "https://dev-issuer.invalid/"

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


@dataclass(frozen=True)
class Auth0Config:
    """Token settings, resolved once from Django settings."""

    issuer: str
    audience: str
    jwks_url: str
    dev_issuer: bool
    dev_key_dir: Path
    scopes: tuple[str, ...]
    algorithms: tuple[str, ...]
    leeway: float
    require_at_jwt: bool
    max_token_length: int
    jwks_ttl: float
    jwks_refetch_cooldown: float
    jwks_max_stale: float
    jwks_timeout: float
    jwks_max_bytes: int
    retry_after: int
    user_cache_ttl: float

    @property
    def tenant_configured(self) -> bool:
        return not self.dev_issuer and bool(self.jwks_url)


def dev_issuer_trusted(debug: bool, tenant_issuer: str, explicit: bool | None) -> bool:
    """Decide whether the local development issuer is the one trusted, instead of a tenant."""
    if explicit is not None:
        return explicit
    return debug and not tenant_issuer


def tenant_issuer(domain: str, issuer_override: str) -> str:
    if issuer_override:
        return issuer_override
    if domain:
        return f"https://{domain}/"
    return ""


def jwks_url_for(issuer: str) -> str:
    if not issuer:
        return ""
    return issuer.rstrip("/") + "/.well-known/jwks.json"


def resolve_trusted_issuer() -> tuple[bool, str]:
    """Return whether the development issuer is trusted, and the `iss` that tokens must name ("" for none)."""
    configured_issuer = tenant_issuer(getattr(settings, "AUTH0_DOMAIN", ""), getattr(settings, "AUTH0_ISSUER", ""))
    dev_issuer = dev_issuer_trusted(settings.DEBUG, configured_issuer, getattr(settings, "AUTH0_DEV_ISSUER", None))
    return dev_issuer, DEV_ISSUER if dev_issuer else configured_issuer


@lru_cache(maxsize=1)
def get_config() -> Auth0Config:
    algorithms = tuple(getattr(settings, "AUTH0_ALGORITHMS", ["RS256"]))
    unsupported = sorted(set(algorithms) - ASYMMETRIC_ALGORITHMS)
    if unsupported or not algorithms:
        raise ImproperlyConfigured(
            f"AUTH0_ALGORITHMS may only name asymmetric algorithms such as RS256; got {unsupported or 'nothing'}"
        )

    dev_issuer, issuer = resolve_trusted_issuer()

    return Auth0Config(
        issuer=issuer,
        audience=settings.AUTH0_API_IDENTIFIER,
        jwks_url="" if dev_issuer else jwks_url_for(issuer),
        dev_issuer=dev_issuer,
        dev_key_dir=Path(getattr(settings, "AUTH0_DEV_KEY_DIR", Path(settings.BASE_DIR) / ".devkeys")),
        scopes=tuple(getattr(settings, "AUTH0_SCOPES", ())),
        algorithms=algorithms,
        leeway=float(getattr(settings, "AUTH0_LEEWAY", 60)),
        require_at_jwt=bool(getattr(settings, "AUTH0_REQUIRE_AT_JWT", False)),
        max_token_length=int(getattr(settings, "AUTH0_MAX_TOKEN_LENGTH", 8192)),
        jwks_ttl=float(getattr(settings, "AUTH0_JWKS_TTL", 600)),
        jwks_refetch_cooldown=float(getattr(settings, "AUTH0_JWKS_REFETCH_COOLDOWN", 60)),
        jwks_max_stale=float(getattr(settings, "AUTH0_JWKS_MAX_STALE", 6 * 3600)),
        jwks_timeout=float(getattr(settings, "AUTH0_JWKS_TIMEOUT", 3)),
        jwks_max_bytes=int(getattr(settings, "AUTH0_JWKS_MAX_BYTES", 256 * 1024)),
        retry_after=int(getattr(settings, "AUTH0_RETRY_AFTER", 30)),
        user_cache_ttl=float(getattr(settings, "AUTH0_USER_CACHE_TTL", 60)),
    )


def describe_trust(config: Auth0Config) -> str:
    """Say in one line which issuer's tokens are accepted, for start-up output."""
    if config.dev_issuer:
        return (
            f"Trusting access tokens from the local development issuer ({config.issuer}); "
            "mint one with: python manage.py devtoken"
        )
    if config.issuer:
        return f"Trusting access tokens from {config.issuer} for audience {config.audience}"
    return "No token issuer is configured, so every access token will be rejected; set AUTH0_DOMAIN"


@receiver(setting_changed)
def _forget_config(setting: str, **kwargs) -> None:
    if setting.startswith("AUTH0_") or setting in ("DEBUG", "CACHES"):
        get_config.cache_clear()
