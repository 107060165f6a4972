"""Django's development server, plus one line that says which token issuer it trusts."""

from typing import Any

from django.core.management.commands.runserver import Command as RunserverCommand

from auth0authorization.conf import get_config


class Command(RunserverCommand):
    def inner_run(self, *args: Any, **options: Any) -> None:
        config = get_config()
        if config.dev_issuer:
            line = (
                f"Trusting access tokens from the local development issuer ({config.issuer}); "
                "mint one with: python manage.py devtoken"
            )
        elif config.issuer:
            line = f"Trusting access tokens from {config.issuer} for audience {config.audience}"
        else:
            line = "No token issuer is configured, so every access token will be rejected; set AUTH0_DOMAIN"
        self.stdout.write(line)
        super().inner_run(*args, **options)
