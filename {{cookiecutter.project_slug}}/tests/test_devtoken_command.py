"""The devtoken command: its output, the claims its options set, and the errors it raises."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.core.management import CommandError, call_command

from auth0authorization import devkeys
from auth0authorization.conf import DEV_ISSUER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AUDIENCE = "https://api.test"


@pytest.fixture
def dev_key_dir(settings, tmp_path: Path) -> Path:
    """Trust the development issuer, with its key in a folder of this test."""
    settings.AUTH0_DEV_ISSUER = True
    settings.AUTH0_DEV_KEY_DIR = tmp_path / "devkeys"
    return settings.AUTH0_DEV_KEY_DIR


def run_devtoken(*args: str) -> tuple[str, str]:
    """Run devtoken in this process and return its stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    call_command("devtoken", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def read_claims(token: str, key_dir: Path) -> dict[str, Any]:
    """Verify the token with the development key and return its claims."""
    public_key = devkeys.ensure_private_key(key_dir).public_key()
    return jwt.decode(token, public_key, algorithms=["RS256"], options={"verify_aud": False})


def devtoken_claims(key_dir: Path, *args: str) -> dict[str, Any]:
    stdout, _ = run_devtoken(*args)
    return read_claims(stdout.strip(), key_dir)


def test_output_is_bare_token(dev_key_dir):
    stdout, _ = run_devtoken()

    lines = stdout.splitlines()
    assert len(lines) == 1
    assert stdout == lines[0] + "\n"
    assert len(lines[0].split(".")) == 3
    assert read_claims(lines[0], dev_key_dir)["iss"] == DEV_ISSUER


def test_no_warning_with_dev_issuer(dev_key_dir):
    _, stderr = run_devtoken()

    assert stderr == ""


def test_default_claims(dev_key_dir):
    claims = devtoken_claims(dev_key_dir)

    assert claims["sub"] == "auth0|dev-user"
    assert claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == 3600
    assert "scope" not in claims


def test_repeated_scope_options_join(dev_key_dir):
    claims = devtoken_claims(dev_key_dir, "--scope", "a", "--scope", "b")

    assert claims["scope"] == "a b"


def test_space_separated_scope_kept(dev_key_dir):
    claims = devtoken_claims(dev_key_dir, "--scope", "a b")

    assert claims["scope"] == "a b"


def test_permission_options_become_list(dev_key_dir):
    claims = devtoken_claims(dev_key_dir, "--permission", "read:messages", "--permission", "write:messages")

    assert claims["permissions"] == ["read:messages", "write:messages"]


def test_sub_option_sets_subject(dev_key_dir):
    claims = devtoken_claims(dev_key_dir, "--sub", "auth0|alice")

    assert claims["sub"] == "auth0|alice"


def test_ttl_option_sets_lifetime(dev_key_dir):
    claims = devtoken_claims(dev_key_dir, "--ttl", "15m")

    assert claims["exp"] - claims["iat"] == 900


def test_aud_option_sets_audience(dev_key_dir):
    claims = devtoken_claims(dev_key_dir, "--aud", "https://other-api.test")

    assert claims["aud"] == "https://other-api.test"


@pytest.mark.parametrize("ttl", ["abc", "0", "-5m", "15x", ""], ids=["word", "zero", "negative", "bad-unit", "empty"])
def test_invalid_ttl_raises_command_error(dev_key_dir, ttl):
    with pytest.raises(CommandError) as raised:
        run_devtoken(f"--ttl={ttl}")

    message = str(raised.value)
    assert message.startswith("--ttl")
    assert "\n" not in message


def test_invalid_ttl_writes_no_key(dev_key_dir):
    with pytest.raises(CommandError):
        run_devtoken("--ttl=abc")

    assert not dev_key_dir.exists()


def test_empty_sub_raises_command_error(dev_key_dir):
    with pytest.raises(CommandError) as raised:
        run_devtoken("--sub=")

    message = str(raised.value)
    assert message.startswith("--sub")
    assert "\n" not in message


def test_unknown_option_exits_nonzero_without_traceback(tmp_path):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "TEST_DEV_KEY_DIR": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, "manage.py", "devtoken", "--bogus"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "--bogus" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_warns_when_project_trusts_tenant(settings, tmp_path):
    settings.AUTH0_DEV_ISSUER = None
    settings.AUTH0_DOMAIN = "tenant.test"
    settings.AUTH0_DEV_KEY_DIR = tmp_path / "devkeys"

    stdout, stderr = run_devtoken()

    assert "https://tenant.test/" in stderr
    assert "--from-tenant" in stderr
    assert len(stdout.strip().split(".")) == 3
