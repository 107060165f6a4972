"""Tests of hooks/post_gen_project.py, which writes the generated project's .env file.

Bakes use the cookies fixture of pytest-cookies on this template. The other tests import
the hook from a copy rendered the way cookiecutter renders it.
"""

import os
import re
import stat
from pathlib import Path

import pytest
from conftest import load_hook
from dotenv import dotenv_values

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
ENV_KEYS = ["DJANGO_SECRET_KEY", "DJANGO_DEBUG", "AUTH0_DOMAIN", "AUTH0_API_IDENTIFIER"]
SECRET_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{50,}")
TRICKY_IDENTIFIER = "https://api.example.com/a'b\"c\\d#e$f{g}?h=1&i=ü"


@pytest.fixture(scope="module")
def post_hook(tmp_path_factory):
    return load_hook("post_gen_project", tmp_path_factory.mktemp("post_hook"))


def bake_env(cookies, **answers):
    """Bake the template with the answers and return the values read from its .env."""
    result = cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))
    assert result.exit_code == 0, result.exception
    return dotenv_values(result.project_path / ".env")


# Bakes of the whole template.


def test_env_file_contains_answers(cookies):
    values = bake_env(
        cookies,
        auth0_domain="dev-abc123.us.auth0.com",
        auth0_api_identifier=TRICKY_IDENTIFIER,
    )

    assert list(values) == ENV_KEYS
    assert values["DJANGO_DEBUG"] == "true"
    assert values["AUTH0_DOMAIN"] == "dev-abc123.us.auth0.com"
    assert values["AUTH0_API_IDENTIFIER"] == TRICKY_IDENTIFIER
    assert SECRET_KEY_PATTERN.fullmatch(values["DJANGO_SECRET_KEY"])


def test_env_file_keeps_empty_domain(cookies):
    values = bake_env(cookies)

    assert values["AUTH0_DOMAIN"] == ""
    assert values["AUTH0_API_IDENTIFIER"] == "https://api.example.com"


def test_env_file_starts_with_comment(cookies):
    result = cookies.bake(template=str(TEMPLATE_DIR))

    assert result.exit_code == 0, result.exception
    first_line = (result.project_path / ".env").read_text(encoding="utf-8").split("\n")[0]
    assert first_line.startswith("# ")
    assert "never commit" in first_line


def test_secret_key_differs_between_bakes(cookies):
    first = bake_env(cookies)
    second = bake_env(cookies)

    assert first["DJANGO_SECRET_KEY"] != second["DJANGO_SECRET_KEY"]


# Tests of the hook's functions.


def test_secret_key_is_long_and_plain(post_hook):
    secret_key = post_hook.generate_secret_key()

    assert SECRET_KEY_PATTERN.fullmatch(secret_key)
    assert len(set(secret_key)) >= 5


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "localhost:8443",
        "https://api.example.com/path?x=1&y=2",
        "a'b",
        'a"b',
        "a\\b",
        "a\\'b",
        "\\",
        "'",
        "trailing\\",
        "a#b",
        "a #b",
        "$HOME",
        "a b",
        "ü",
        "\U0001f600",
        TRICKY_IDENTIFIER,
    ],
)
def test_env_value_reads_back_unchanged(post_hook, tmp_path, value):
    env_path = tmp_path / ".env"
    env_path.write_text(f"VALUE={post_hook.format_env_value(value)}\n", encoding="utf-8")

    assert dotenv_values(env_path) == {"VALUE": value}


def test_write_env_file_creates_file(post_hook, tmp_path):
    answers = {"auth0_domain": "localhost:8443", "auth0_api_identifier": "urn:api"}

    assert post_hook.write_env_file(tmp_path, answers) is True

    values = dotenv_values(tmp_path / ".env")
    assert values["AUTH0_DOMAIN"] == "localhost:8443"
    assert values["AUTH0_API_IDENTIFIER"] == "urn:api"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX only")
def test_env_file_readable_by_owner_only(post_hook, tmp_path):
    post_hook.write_env_file(tmp_path, post_hook.ANSWERS)

    mode = stat.S_IMODE((tmp_path / ".env").stat().st_mode)
    assert mode & 0o077 == 0


def test_existing_env_file_is_kept(post_hook, tmp_path):
    env_path = tmp_path / ".env"
    env_path.write_text("DJANGO_SECRET_KEY=keep-me\n", encoding="utf-8")

    assert post_hook.write_env_file(tmp_path, post_hook.ANSWERS) is False

    assert env_path.read_text(encoding="utf-8") == "DJANGO_SECRET_KEY=keep-me\n"


@pytest.mark.skipif(os.name != "posix", reason="needs symbolic links")
def test_dangling_env_link_is_kept(post_hook, tmp_path):
    target = tmp_path / "elsewhere.env"
    (tmp_path / ".env").symlink_to(target)

    assert post_hook.write_env_file(tmp_path, post_hook.ANSWERS) is False

    assert not target.exists()


def test_main_reports_kept_file(post_hook, tmp_path, monkeypatch, capsys):
    (tmp_path / ".env").write_text("DJANGO_DEBUG=false\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    post_hook.main()

    assert capsys.readouterr().out.startswith("Kept the existing .env unchanged")
    assert (tmp_path / ".env").read_text(encoding="utf-8") == "DJANGO_DEBUG=false\n"


def test_main_reports_written_file(post_hook, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    post_hook.main()

    assert capsys.readouterr().out.startswith("Wrote .env with a new DJANGO_SECRET_KEY")
    assert (tmp_path / ".env").is_file()


def test_rendered_answers_keep_characters_outside_bmp(tmp_path):
    identifier = "https://api.example.com/\U0001f600'\"\\<&>"

    hook = load_hook("post_gen_project", tmp_path, auth0_api_identifier=identifier)

    joined = hook.join_surrogate_pairs(hook.ANSWERS["auth0_api_identifier"])
    assert joined == identifier
