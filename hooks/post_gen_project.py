"""Write the generated project's .env file with a new Django secret key.

Cookiecutter renders this file with Jinja and runs it in the generated project folder.
Only the ANSWERS constant contains Jinja, so the functions below are plain Python and the
tests import them from a rendered copy. The hook uses only the standard library because
it runs before the project's requirements are installed.
"""

import os
import re
import secrets
from pathlib import Path

ANSWERS = {
    "auth0_domain": {{cookiecutter.auth0_domain | tojson}},
    "auth0_api_identifier": {{cookiecutter.auth0_api_identifier | tojson}},
}

ENV_FILE_NAME = ".env"
ENV_FILE_HEADER = (
    "# Local settings for this checkout only. The file contains the Django secret key, so never commit it."
)
# 48 random bytes give 64 URL-safe base64 characters, more than the 50 characters that
# Django's security check security.W009 requires.
SECRET_KEY_BYTES = 48
# python-dotenv reads a value made only of these characters unchanged without quotes.
UNQUOTED_VALUE = re.compile(r"[A-Za-z0-9_.:/@%+,=?&~-]*")


def join_surrogate_pairs(value):
    """Return value with each UTF-16 surrogate pair joined into one character.

    Jinja's tojson filter writes a character outside the Basic Multilingual Plane as an
    escaped surrogate pair ("\\ud83d\\ude00"), and a Python string literal reads that as
    two lone surrogates. A lone surrogate without a partner stays in place.
    """
    try:
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return value


def generate_secret_key():
    """Return a new random secret key without '$', quotes, '#', backslashes or spaces."""
    return secrets.token_urlsafe(SECRET_KEY_BYTES)


def format_env_value(value):
    """Return value written so that python-dotenv reads it back unchanged.

    A value with other characters than UNQUOTED_VALUE goes in single quotes, where
    python-dotenv decodes only the escapes \\' and \\\\. NOTE: python-dotenv 1.2 still
    expands ${NAME} inside single quotes, which is why the pre-generation hook rejects
    an auth0_api_identifier that contains '${'.
    """
    if UNQUOTED_VALUE.fullmatch(value):
        return value
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def render_env_file(answers, secret_key):
    """Return the text of the .env file for the answers and the secret key."""
    lines = [
        ENV_FILE_HEADER,
        f"DJANGO_SECRET_KEY={format_env_value(secret_key)}",
        "DJANGO_DEBUG=true",
        f"AUTH0_DOMAIN={format_env_value(answers['auth0_domain'])}",
        f"AUTH0_API_IDENTIFIER={format_env_value(answers['auth0_api_identifier'])}",
    ]
    return "\n".join(lines) + "\n"


def write_env_file(folder, answers):
    """Create folder/.env with a new secret key and return True.

    Return False and leave the file untouched when folder/.env already exists, even as
    a dangling symbolic link. Only the owner may read the new file on POSIX systems.
    """
    path = Path(folder) / ENV_FILE_NAME
    text = render_env_file(answers, generate_secret_key())
    try:
        # O_EXCL makes creation fail instead of following or replacing an existing file.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as env_file:
        env_file.write(text)
    return True


def main():
    answers = {field: join_surrogate_pairs(value) for field, value in ANSWERS.items()}
    if write_env_file(Path.cwd(), answers):
        print(f"Wrote {ENV_FILE_NAME} with a new DJANGO_SECRET_KEY; keep it out of version control.")
    else:
        print(f"Kept the existing {ENV_FILE_NAME} unchanged; check that its AUTH0_* values match your answers.")


if __name__ == "__main__":
    main()
