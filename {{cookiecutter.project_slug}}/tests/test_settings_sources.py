"""Settings come from the environment, with .env as a fallback that never wins."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import {{ cookiecutter.project_slug }} as project_package

PRINT_SETTINGS = (
    "import json, {{ cookiecutter.project_slug }}.settings as s; "
    "print(json.dumps({'domain': s.AUTH0_DOMAIN, 'debug': s.DEBUG, 'leeway': s.AUTH0_LEEWAY}))"
)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """Copy the settings package next to a .env of the test's own, away from the real project's .env."""
    shutil.copytree(Path(project_package.__file__).parent, tmp_path / project_package.__name__)
    dotenv = "DJANGO_SECRET_KEY=from-dotenv\nAUTH0_DOMAIN=dotenv.example.com\nDJANGO_DEBUG=true\n"
    (tmp_path / ".env").write_text(dotenv)
    return tmp_path


def read_settings(folder: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AUTH0_", "DJANGO_"))}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


def test_dotenv_fills_unset_variables(project_copy):
    result = read_settings(project_copy)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"domain": "dotenv.example.com", "debug": True, "leeway": 60}


def test_environment_variable_wins_over_dotenv(project_copy):
    result = read_settings(project_copy, AUTH0_DOMAIN="env.example.com", DJANGO_DEBUG="false")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["domain"] == "env.example.com"
    assert json.loads(result.stdout)["debug"] is False


def test_bad_number_stops_startup_naming_variable(project_copy):
    result = read_settings(project_copy, AUTH0_LEEWAY="one minute")

    assert result.returncode != 0
    assert "AUTH0_LEEWAY='one minute' is not a number" in result.stderr


def test_missing_secret_key_stops_startup(project_copy):
    (project_copy / ".env").write_text("DJANGO_DEBUG=false\n")

    result = read_settings(project_copy)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
