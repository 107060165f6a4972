"""Bake the template with several answer sets and run each generated project's own tools.

Each answer set is baked once per module. The generated project must render
completely, pass its own test suite, ruff, Django's system checks and the
migration check, all with the interpreter that runs these tests.
"""

import json
import keyword
import os
import re
import socket
import sys
from pathlib import Path

import pytest
from conftest import BIN_DIR, bake, output_tail, project_env, run, template_defaults

pytestmark = pytest.mark.slow

ANSWER_SETS = {
    "defaults": {},
    "domain-with-port": {"auth0_domain": "localhost:8443"},
    "several-scopes": {"auth0_scopes": "read:messages, write:messages admin:all"},
    "quoted-unicode-name": {"project_name": 'Café "Quotes" \\ Ünïcode API'},
    "tenant-with-urn-audience": {
        "auth0_domain": "dev-abc123.us.auth0.com",
        "auth0_api_identifier": "urn:my-api",
    },
}

# Jinja syntax that a correctly rendered file can no longer contain.
TEMPLATE_LEFTOVER = re.compile(rb"\{\{\s*cookiecutter\.|\{%")
# The CI workflow is copied without rendering, so its GitHub Actions expressions survive.
CI_WORKFLOW = Path(".github/workflows/ci.yml")
CI_MATRIX_EXPRESSION = "${{ matrix.python-version }}"

SERVICES_URLS = {
    "TEST_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "TEST_REDIS_URL": "redis://127.0.0.1:6379/5",
}
SERVICE_ADDRESSES = {"PostgreSQL": ("127.0.0.1", 5432), "Redis": ("127.0.0.1", 6379)}
SERVICE_CONNECT_TIMEOUT = 2

PRINT_SETTINGS = (
    "import importlib, json, sys\n"
    "settings = importlib.import_module(sys.argv[1] + '.settings')\n"
    "names = ['PROJECT_NAME', 'AUTH0_DOMAIN', 'AUTH0_API_IDENTIFIER', 'AUTH0_SCOPES']\n"
    "print(json.dumps({name: getattr(settings, name) for name in names}))\n"
)


@pytest.fixture(scope="module", params=list(ANSWER_SETS), ids=list(ANSWER_SETS))
def answer_set(request):
    return request.param


@pytest.fixture(scope="module")
def baked(answer_set, tmp_path_factory):
    """Return the generated project folder for one answer set."""
    return bake(tmp_path_factory.mktemp(answer_set), **ANSWER_SETS[answer_set])


def generated_files(project_dir):
    return sorted(path for path in project_dir.rglob("*") if path.is_file())


def read_settings(project_dir):
    """Import the generated settings module in a new interpreter and return some of its values."""
    result = run([sys.executable, "-c", PRINT_SETTINGS, project_dir.name], cwd=project_dir)
    assert result.returncode == 0, output_tail(result)
    return json.loads(result.stdout)


def split_scopes(answer):
    return [scope for scope in re.split(r"[ ,]+", answer) if scope]


def test_files_have_no_template_syntax_left(baked):
    leftovers = [
        str(path.relative_to(baked)) for path in generated_files(baked) if TEMPLATE_LEFTOVER.search(path.read_bytes())
    ]

    assert leftovers == [], f"files with unrendered Jinja syntax: {leftovers}"


def test_file_names_have_no_template_syntax_left(baked):
    names = [str(path.relative_to(baked)) for path in baked.rglob("*") if "{{" in path.name or "{%" in path.name]

    assert names == []


def test_ci_workflow_is_copied_without_rendering(baked):
    workflow = (baked / CI_WORKFLOW).read_text(encoding="utf-8")

    assert CI_MATRIX_EXPRESSION in workflow


def test_project_slug_is_python_identifier(baked):
    slug = baked.name

    assert slug.isascii(), slug
    assert slug.isidentifier(), slug
    assert not keyword.iskeyword(slug), slug
    assert (baked / slug / "settings.py").is_file()


def test_project_name_round_trips_through_settings(baked, answer_set):
    expected = {**template_defaults(), **ANSWER_SETS[answer_set]}["project_name"]

    values = read_settings(baked)

    assert values["PROJECT_NAME"] == expected


def test_auth0_settings_match_answers(baked, answer_set):
    answers = {**template_defaults(), **ANSWER_SETS[answer_set]}

    values = read_settings(baked)

    assert values["AUTH0_DOMAIN"] == answers["auth0_domain"]
    assert values["AUTH0_API_IDENTIFIER"] == answers["auth0_api_identifier"]
    assert values["AUTH0_SCOPES"] == split_scopes(answers["auth0_scopes"])


def test_generated_test_suite_passes(baked):
    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=baked)

    assert result.returncode == 0, output_tail(result)


def test_ruff_check_passes(baked):
    result = run([BIN_DIR / "ruff", "check", "."], cwd=baked)

    assert result.returncode == 0, output_tail(result)


def test_django_system_check_passes(baked):
    result = run([sys.executable, "manage.py", "check"], cwd=baked)

    assert result.returncode == 0, output_tail(result)


def test_models_need_no_new_migrations(baked):
    result = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=baked)

    assert result.returncode == 0, output_tail(result)


def require_services():
    """Fail the test when PostgreSQL or Redis is unreachable and CI is set, or else skip it."""
    for name, address in SERVICE_ADDRESSES.items():
        try:
            socket.create_connection(address, timeout=SERVICE_CONNECT_TIMEOUT).close()
        except OSError as exc:
            message = (
                f"{name} is not reachable at {address[0]}:{address[1]} ({exc}); start it with trust authentication"
            )
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)


@pytest.mark.parametrize("answer_set", ["several-scopes"], indirect=True)
def test_generated_test_suite_passes_on_postgres_and_redis(baked):
    require_services()

    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=baked,
        env=project_env(**SERVICES_URLS),
    )

    assert result.returncode == 0, output_tail(result)
