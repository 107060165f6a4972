"""Helpers for the tests that bake the template and run the generated project.

Every command runs with the interpreter of this virtual environment and with an
environment cleaned of the settings that the generated project reads, so the
project sees only its own .env and what a test passes on purpose.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter
from cookiecutter.utils import create_env_with_context

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
OUTPUT_TAIL_CHARS = 3000

# Variables of the parent process that would change what the generated project
# reads or where its requests go. Names starting with these prefixes are removed too.
REMOVED_PREFIXES = ("DJANGO_", "AUTH0_")
REMOVED_NAMES = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "TEST_DATABASE_URL",
        "TEST_REDIS_URL",
        "TEST_DEV_KEY_DIR",
        "PYTEST_ADDOPTS",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
    }
)


def template_defaults():
    """Return the default answers of cookiecutter.json, without its private keys."""
    context = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return {name: value for name, value in context.items() if not name.startswith("_")}


# The answers a project gets with --no-input, the slug already derived from the name.
DEFAULT_ANSWERS = {
    "project_name": "Messages API",
    "project_slug": "messages_api",
    "auth0_domain": "",
    "auth0_api_identifier": "https://api.example.com",
    "auth0_scopes": "read:messages",
}


def load_hook(hook_name, folder, **answers):
    """Render hooks/<hook_name>.py with the answers as cookiecutter does and import it."""
    context = {"cookiecutter": {**DEFAULT_ANSWERS, **answers}}
    source = (TEMPLATE_DIR / "hooks" / f"{hook_name}.py").read_text(encoding="utf-8")
    rendered = create_env_with_context(context).from_string(source).render(**context)
    path = Path(folder) / f"{hook_name}.py"
    path.write_text(rendered, encoding="utf-8")

    spec = importlib.util.spec_from_file_location(f"rendered_{hook_name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_scope(scopes_answer):
    """Return the scope that protects /api/private-scoped: the first of an auth0_scopes answer."""
    return scopes_answer.replace(",", " ").split()[0]


def project_env(**overrides):
    """Return a copy of os.environ for the generated project, with this venv's bin first in PATH."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(REMOVED_PREFIXES) and name.upper() not in REMOVED_NAMES
    }
    env["PATH"] = os.pathsep.join([str(BIN_DIR), env.get("PATH", "")])
    env.update(overrides)
    return env


def bake(output_dir, **answers):
    """Generate the project from this template with the answers and return its folder.

    The cookiecutter user config points into output_dir, so no replay file or
    template copy is written to the home folder.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    config_file = output_dir / "cookiecutter-config.yaml"
    config_file.write_text(
        f'cookiecutters_dir: "{output_dir / "cookiecutters"}"\nreplay_dir: "{output_dir / "replay"}"\n',
        encoding="utf-8",
    )
    project_dir = cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        extra_context=answers,
        output_dir=str(output_dir),
        config_file=str(config_file),
    )
    return Path(project_dir)


def run(args, cwd, env=None, timeout=120):
    """Run a command to completion and return the CompletedProcess with text output."""
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env if env is not None else project_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output_tail(result):
    """Describe a finished command for an assert message: its exit status and the end of its output."""
    return (
        f"command {result.args} exited with {result.returncode}\n"
        f"--- stdout (end) ---\n{result.stdout[-OUTPUT_TAIL_CHARS:]}\n"
        f"--- stderr (end) ---\n{result.stderr[-OUTPUT_TAIL_CHARS:]}"
    )


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
