"""The line runserver prints about the token issuer it trusts, before Django's own start-up output."""

from io import StringIO

import pytest
from django.core.management.commands.runserver import Command as DjangoRunserverCommand

from auth0authorization.management.commands.runserver import Command


@pytest.fixture
def parent_runs(monkeypatch) -> list[dict]:
    """Replace Django's inner_run, which would start serving, with a recorder of its calls."""
    calls: list[dict] = []
    monkeypatch.setattr(DjangoRunserverCommand, "inner_run", lambda self, *args, **options: calls.append(options))
    return calls


def banner() -> str:
    stdout = StringIO()
    Command(stdout=stdout).inner_run(use_threading=True)
    return stdout.getvalue()


def test_banner_names_dev_issuer(settings, parent_runs):
    settings.AUTH0_DEV_ISSUER = True

    output = banner()

    assert output.count("\n") == 1
    assert "https://dev-issuer.invalid/" in output
    assert "python manage.py devtoken" in output
    assert parent_runs == [{"use_threading": True}]


def test_banner_names_tenant_and_audience(settings, parent_runs):
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_DOMAIN = "tenant.test"
    settings.AUTH0_API_IDENTIFIER = "https://api.test"

    output = banner()

    assert output.count("\n") == 1
    assert "https://tenant.test/" in output
    assert "https://api.test" in output
    assert "dev-issuer" not in output
    assert parent_runs == [{"use_threading": True}]


def test_banner_says_when_no_issuer(settings, parent_runs):
    settings.AUTH0_DEV_ISSUER = False
    settings.AUTH0_DOMAIN = ""
    settings.AUTH0_ISSUER = ""

    output = banner()

    assert output.count("\n") == 1
    assert "No token issuer is configured" in output
    assert "AUTH0_DOMAIN" in output
