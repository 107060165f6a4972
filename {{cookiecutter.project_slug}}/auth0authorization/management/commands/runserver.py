"""Django's development server, plus one line that names the token issuer it trusts."""

from typing import Any

from django.core.management.commands.runserver import Command as RunserverCommand

from auth0authorization.conf import describe_trust, get_config


class Command(RunserverCommand):
    def inner_run(self, *args: Any, **options: Any) -> None:
        self.stdout.write(describe_trust(get_config()))
        super().inner_run(*args, **options)
