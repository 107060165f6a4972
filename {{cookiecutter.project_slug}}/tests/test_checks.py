"""System checks on the token settings, in the test process and in a started project."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Tags, run_checks

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_package() -> str:
    """Return the name of the package that contains the project's settings.py and wsgi.py."""
    packages = [path.parent.name for path in PROJECT_ROOT.glob("*/wsgi.py") if (path.parent / "settings.py").is_file()]
    assert len(packages) == 1, f"expected one settings package in {PROJECT_ROOT}, found {packages}"
    return packages[0]


def security_error_ids() -> set[str]:
    return {message.id for message in run_checks(tags=[Tags.security]) if message.is_serious()}


def test_e001_dev_issuer_with_debug_off(settings):
    settings.DEBUG = False
    settings.AUTH0_DEV_ISSUER = True

    assert "auth0authorization.E001" in security_error_ids()


def test_e001_silent_with_debug_on(settings):
    settings.DEBUG = True
    settings.AUTH0_DEV_ISSUER = True

    assert "auth0authorization.E001" not in security_error_ids()


def test_e001_silent_with_tenant(settings):
    settings.DEBUG = False
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_DOMAIN = "tenant.test"

    assert "auth0authorization.E001" not in security_error_ids()


def test_e002_no_issuer_with_debug_off(settings):
    settings.DEBUG = False
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_DOMAIN = ""
    settings.AUTH0_ISSUER = ""

    assert "auth0authorization.E002" in security_error_ids()


@pytest.mark.parametrize(
    ("domain", "issuer"), [("tenant.test", ""), ("", "https://login.example.com/")], ids=["domain", "issuer"]
)
def test_e002_silent_with_tenant(settings, domain, issuer):
    settings.DEBUG = False
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_DOMAIN = domain
    settings.AUTH0_ISSUER = issuer

    assert "auth0authorization.E002" not in security_error_ids()


def test_e003_empty_api_identifier(settings):
    settings.AUTH0_API_IDENTIFIER = ""

    assert "auth0authorization.E003" in security_error_ids()


def test_e003_silent_with_api_identifier(settings):
    settings.AUTH0_API_IDENTIFIER = "https://api.test"

    assert "auth0authorization.E003" not in security_error_ids()


def test_e004_http_issuer(settings):
    settings.AUTH0_ISSUER = "http://login.example.com/"

    assert "auth0authorization.E004" in security_error_ids()


def test_e004_silent_with_https_issuer(settings):
    settings.AUTH0_ISSUER = "https://login.example.com/"

    assert "auth0authorization.E004" not in security_error_ids()


@pytest.mark.parametrize("algorithms", [["HS256"], ["RS256", "none"], []], ids=["hs256", "none-added", "empty"])
def test_e005_reported_for_unusable_algorithms(settings, algorithms):
    settings.AUTH0_ALGORITHMS = algorithms

    assert "auth0authorization.E005" in security_error_ids()


def test_e005_silent_with_rs256(settings):
    settings.AUTH0_ALGORITHMS = ["RS256"]

    assert "auth0authorization.E005" not in security_error_ids()


def test_e001_reported_beside_e005(settings):
    settings.DEBUG = False
    settings.AUTH0_DEV_ISSUER = True
    settings.AUTH0_ALGORITHMS = ["HS256"]

    errors = security_error_ids()

    assert "auth0authorization.E005" in errors
    assert "auth0authorization.E001" in errors


@pytest.fixture
def production_environment(tmp_path: Path) -> dict[str, str]:
    """Environment of a production start, with every variable the project reads from .env set here.

    A real environment variable wins over .env, so the generated .env, which turns
    DEBUG on, cannot change what these tests start.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"{project_package()}.settings",
        "DJANGO_SECRET_KEY": "production-check-secret-key-" + "k" * 40,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "AUTH0_DOMAIN": "",
        "AUTH0_ISSUER": "",
        "AUTH0_DEV_ISSUER": "true",
        "AUTH0_DEV_KEY_DIR": str(tmp_path / "devkeys"),
        "AUTH0_API_IDENTIFIER": "https://api.test",
        "AUTH0_ALGORITHMS": "RS256",
    }


def run_python(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_fails_on_dev_issuer(production_environment):
    result = run_python(["manage.py", "check", "--deploy"], production_environment)

    assert result.returncode != 0
    assert "auth0authorization.E001" in result.stderr


def test_wsgi_import_fails_on_dev_issuer(production_environment):
    result = run_python(["-c", f"import {project_package()}.wsgi"], production_environment)

    assert result.returncode != 0
    assert "auth0authorization.E001" in result.stderr


def test_wsgi_import_succeeds_with_tenant(production_environment):
    environment = {**production_environment, "AUTH0_DOMAIN": "tenant.test", "AUTH0_DEV_ISSUER": ""}

    result = run_python(["-c", f"import {project_package()}.wsgi"], environment)

    assert result.returncode == 0, result.stderr
