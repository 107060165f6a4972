"""Print an access token: from the local development issuer, or from the Auth0 tenant."""

import os
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auth0authorization.conf import DEV_ISSUER, get_config, tenant_issuer
from auth0authorization.devkeys import sign_dev_token
from auth0authorization.durations import parse_duration
from auth0authorization.tenant_token import TenantTokenError, request_tenant_token

DEFAULT_SUBJECT = "auth0|dev-user"


def split_words(values: list[str]) -> list[str]:
    """Accept repeated options and space- or comma-separated words alike."""
    return [word for value in values for word in value.replace(",", " ").split()]


class Command(BaseCommand):
    help = (
        "Print a signed access token for the local development issuer, ready for "
        '"Authorization: Bearer $(python manage.py devtoken --scope read:messages)". '
        "With --from-tenant, ask the Auth0 tenant for a real one instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", action="append", default=[], help="scope to grant; repeat or separate by spaces")
        parser.add_argument(
            "--permission", action="append", default=[], help="entry of the permissions claim, as Auth0 RBAC adds"
        )
        parser.add_argument("--sub", default=DEFAULT_SUBJECT, help=f"subject of the token (default {DEFAULT_SUBJECT})")
        parser.add_argument("--ttl", default="1h", help="lifetime, such as 90s, 15m, 1h or 2d (default 1h)")
        parser.add_argument("--aud", default=None, help="audience (default AUTH0_API_IDENTIFIER)")
        parser.add_argument(
            "--from-tenant",
            action="store_true",
            help="get a real token from https://AUTH0_DOMAIN/oauth/token with AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        if options["from_tenant"]:
            return self.token_from_tenant(options)
        return self.dev_token(options)

    def dev_token(self, options: dict[str, Any]) -> str:
        config = get_config()
        try:
            ttl = parse_duration(options["ttl"])
        except ValueError as exc:
            raise CommandError(f"--ttl: {exc}") from None
        if not options["sub"].strip():
            raise CommandError("--sub: must not be empty; use a value such as auth0|dev-user")

        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": DEV_ISSUER,
            "sub": options["sub"],
            "aud": options["aud"] or config.audience,
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "client_id": "devtoken",
        }
        scopes = split_words(options["scope"])
        if scopes:
            claims["scope"] = " ".join(scopes)
        if options["permission"]:
            claims["permissions"] = split_words(options["permission"])

        if not config.dev_issuer:
            self.stderr.write(
                f"Note: this project trusts {config.issuer or 'no issuer'}, not the development issuer, "
                "so it will reject this token; use --from-tenant for a real one."
            )
        return sign_dev_token(claims, config.dev_key_dir)

    def token_from_tenant(self, options: dict[str, Any]) -> str:
        from django.conf import settings

        config = get_config()
        for option, default in (("sub", DEFAULT_SUBJECT), ("ttl", "1h"), ("permission", [])):
            if options[option] != default:
                raise CommandError(
                    f"--{option} cannot be used with --from-tenant: the tenant decides it; only --scope and --aud apply"
                )

        issuer = tenant_issuer(getattr(settings, "AUTH0_DOMAIN", ""), getattr(settings, "AUTH0_ISSUER", ""))
        if not issuer:
            raise CommandError(
                "--from-tenant: AUTH0_DOMAIN is not set; put your tenant, such as dev-abc123.us.auth0.com, in .env"
            )

        client_id = os.environ.get("AUTH0_CLIENT_ID", "").strip()
        client_secret = os.environ.get("AUTH0_CLIENT_SECRET", "").strip()
        for name, value in (("AUTH0_CLIENT_ID", client_id), ("AUTH0_CLIENT_SECRET", client_secret)):
            if not value:
                raise CommandError(
                    f"--from-tenant: {name} is not set; copy it from your machine-to-machine application "
                    "in the Auth0 dashboard into .env"
                )

        try:
            return request_tenant_token(
                # AUTH0_ISSUER may be written without its trailing slash.
                issuer.rstrip("/") + "/oauth/token",
                client_id,
                client_secret,
                audience=options["aud"] or config.audience,
                timeout=config.jwks_timeout * 3,
                scope=" ".join(split_words(options["scope"])),
            )
        except TenantTokenError as exc:
            raise CommandError(f"--from-tenant: {exc}") from None
