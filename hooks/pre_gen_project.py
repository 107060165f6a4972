"""Validate the template answers before cookiecutter writes any project file.

Cookiecutter renders this file with Jinja and runs it in the new project folder. When
the script exits with status 1, cookiecutter removes that folder and stops. Only the
ANSWERS constant contains Jinja, so the functions below are plain Python and the tests
import them from a rendered copy.

Each validate_* function returns a one-line error message that names the field, or None
when the answer is valid.
"""

import keyword
import re
import sys
import unicodedata

ANSWERS = {
    "project_name": {{cookiecutter.project_name | tojson}},
    "project_slug": {{cookiecutter.project_slug | tojson}},
    "auth0_domain": {{cookiecutter.auth0_domain | tojson}},
    "auth0_api_identifier": {{cookiecutter.auth0_api_identifier | tojson}},
    "auth0_scopes": {{cookiecutter.auth0_scopes | tojson}},
}

NAME_EXAMPLE = "Messages API"
SLUG_EXAMPLE = "messages_api"
DOMAIN_EXAMPLE = "dev-abc123.us.auth0.com"
DOMAIN_WITH_PORT_EXAMPLE = "localhost:8443"
API_IDENTIFIER_EXAMPLE = "https://api.example.com"
SCOPES_EXAMPLE = "read:messages write:messages"

# Top-level modules that the generated project imports or ships. A project package with
# one of these names would shadow the module. Keep the set in line with the project's
# requirements.txt and top-level folders.
PROJECT_MODULES = frozenset(
    {
        "api",
        "auth0authorization",
        "conftest",
        "corsheaders",
        "cryptography",
        "dj_database_url",
        "django",
        "dotenv",
        "drf_spectacular",
        "gunicorn",
        "jwt",
        "manage",
        "psycopg",
        "pytest",
        "redis",
        "rest_framework",
        "test",
        "tests",
    }
)

# Unicode categories rejected in every answer: control characters (Cc), lone surrogates
# (Cs) and the line and paragraph separators (Zl, Zp) that str.splitlines() treats as
# line breaks. Lone surrogates come from command-line bytes that are not valid UTF-8.
CONTROL_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})

MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63
MAX_PORT = 65535
# Upper bound set by this template, not a limit taken from the Auth0 documentation.
MAX_API_IDENTIFIER_LENGTH = 600

HOST_LABEL = re.compile(r"[A-Za-z0-9-]+")
PORT_DIGITS = re.compile(r"[0-9]+")
SCOPE_SEPARATORS = re.compile(r"[ ,]+")
# scope-token characters of RFC 6749, section 3.3: %x21 / %x23-5B / %x5D-7E, which is
# printable ASCII without space, double quote and backslash.
SCOPE_TOKEN_CHARACTER = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]")


def join_surrogate_pairs(value):
    """Return value with each UTF-16 surrogate pair joined into one character.

    Jinja's tojson filter writes a character outside the Basic Multilingual Plane as an
    escaped surrogate pair ("\\ud83d\\ude00"), and a Python string literal reads that as
    two lone surrogates. A lone surrogate without a partner stays in place, and the
    validators reject it. Values other than str are returned unchanged.
    """
    if not isinstance(value, str):
        return value
    try:
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return value


def find_control_character(value):
    """Return the first character of value in CONTROL_CATEGORIES, or None."""
    for character in value:
        if unicodedata.category(character) in CONTROL_CATEGORIES:
            return character
    return None


def find_space_or_control_character(value):
    """Return the first whitespace or control character of value, or None."""
    for character in value:
        if character.isspace() or unicodedata.category(character) in CONTROL_CATEGORIES:
            return character
    return None


def format_error(field, value, problem, example):
    return f"{field}: {value!r} {problem}, such as {example}"


def validate_project_name(value):
    if not value.strip():
        return f"project_name: must not be empty; use a name such as {NAME_EXAMPLE}"
    if find_control_character(value) is not None:
        return format_error(
            "project_name",
            value,
            "must be one line of text without control characters",
            NAME_EXAMPLE,
        )
    return None


def validate_project_slug(value):
    field = "project_slug"
    if value == "":
        return f"{field}: must not be empty; use a Python identifier such as {SLUG_EXAMPLE}"
    if not value.isascii():
        problem = "must use only ASCII letters, digits and underscores"
        return format_error(field, value, problem, SLUG_EXAMPLE)
    if not value.isidentifier():
        problem = "must be a Python identifier that starts with a letter or underscore"
        return format_error(field, value, problem, SLUG_EXAMPLE)
    if value != value.lower():
        return format_error(field, value, "must be lowercase", SLUG_EXAMPLE)
    if keyword.iskeyword(value):
        problem = "is a Python keyword, so it cannot name a package"
        return format_error(field, value, problem, SLUG_EXAMPLE)
    if value in PROJECT_MODULES:
        problem = f"would shadow the {value} module that the project uses"
        return format_error(field, value, problem, SLUG_EXAMPLE)
    if value in sys.stdlib_module_names:
        problem = f"would shadow the {value} module of the Python standard library"
        return format_error(field, value, problem, SLUG_EXAMPLE)
    return None


def validate_port(domain, port):
    if PORT_DIGITS.fullmatch(port) and 1 <= int(port) <= MAX_PORT:
        return None
    problem = f"has the invalid port {port!r}; a port is a number from 1 to {MAX_PORT}"
    return format_error("auth0_domain", domain, problem, DOMAIN_WITH_PORT_EXAMPLE)


def validate_host_label(domain, label):
    if not HOST_LABEL.fullmatch(label):
        problem = (
            f"has the label {label!r}, which may only contain ASCII letters, digits and"
            " hyphens (write an internationalized name in its xn-- form)"
        )
        return format_error("auth0_domain", domain, problem, DOMAIN_EXAMPLE)
    if label.startswith("-") or label.endswith("-"):
        problem = f"has the label {label!r}, which must not start or end with a hyphen"
        return format_error("auth0_domain", domain, problem, DOMAIN_EXAMPLE)
    if len(label) > MAX_LABEL_LENGTH:
        problem = f"has a label of {len(label)} characters; the maximum is {MAX_LABEL_LENGTH}"
        return format_error("auth0_domain", domain, problem, DOMAIN_EXAMPLE)
    return None


def validate_auth0_domain(value):
    """Validate a host name with an optional port, or an empty answer for no tenant."""
    field = "auth0_domain"
    if value == "":
        return None

    # Reject the parts of a URL first, so the message names the part to remove.
    if find_space_or_control_character(value) is not None:
        problem = "must not contain spaces or control characters"
        return format_error(field, value, problem, DOMAIN_EXAMPLE)
    if "://" in value:
        problem = "must be a host name without a scheme"
        return format_error(field, value, problem, DOMAIN_EXAMPLE)
    url_parts = (
        ("@", "user information"),
        ("/", "a path"),
        ("?", "a query"),
        ("#", "a fragment"),
    )
    for separator, part in url_parts:
        if separator in value:
            problem = f"must be a host name without {part}"
            return format_error(field, value, problem, DOMAIN_EXAMPLE)

    if value.count(":") > 1:
        problem = "must contain at most one ':', the one before the port"
        return format_error(field, value, problem, DOMAIN_WITH_PORT_EXAMPLE)
    host, separator, port = value.partition(":")
    if separator:
        error = validate_port(value, port)
        if error:
            return error
    if host == "":
        problem = "must start with a host name"
        return format_error(field, value, problem, DOMAIN_WITH_PORT_EXAMPLE)

    if len(host) > MAX_HOST_LENGTH:
        problem = f"has a host name of {len(host)} characters; the maximum is {MAX_HOST_LENGTH}"
        return format_error(field, value, problem, DOMAIN_EXAMPLE)
    labels = host.split(".")
    if "" in labels:
        problem = "must not have an empty label, as in two dots in a row or a dot at either end"
        return format_error(field, value, problem, DOMAIN_EXAMPLE)
    for label in labels:
        error = validate_host_label(value, label)
        if error:
            return error

    # The generated project builds the expected token issuer from this domain and
    # compares it with the token's iss claim as an exact string, so a domain that
    # differs from the issuer only in case would reject every token.
    if host != host.lower():
        return format_error(field, value, "must be lowercase", DOMAIN_EXAMPLE)
    return None


def validate_auth0_api_identifier(value):
    field = "auth0_api_identifier"
    if value == "":
        return f"{field}: must not be empty; use the identifier of your Auth0 API, such as {API_IDENTIFIER_EXAMPLE}"
    if find_space_or_control_character(value) is not None:
        problem = "must not contain spaces or control characters"
        return format_error(field, value, problem, API_IDENTIFIER_EXAMPLE)
    if len(value) > MAX_API_IDENTIFIER_LENGTH:
        return (
            f"{field}: is {len(value)} characters long; the maximum is"
            f" {MAX_API_IDENTIFIER_LENGTH}, such as {API_IDENTIFIER_EXAMPLE}"
        )
    # python-dotenv 1.2 expands ${NAME} in .env values even inside single quotes, so
    # the project would read a different identifier than the one written there.
    if "${" in value:
        problem = "must not contain '${', which python-dotenv expands when it reads .env"
        return format_error(field, value, problem, API_IDENTIFIER_EXAMPLE)
    return None


def split_scopes(value):
    """Split an auth0_scopes answer on spaces and commas, keeping duplicates."""
    return [scope for scope in SCOPE_SEPARATORS.split(value) if scope]


def validate_auth0_scopes(value):
    field = "auth0_scopes"
    scopes = split_scopes(value)
    if not scopes:
        problem = "must list at least one scope, separated by spaces or commas"
        return format_error(field, value, problem, SCOPES_EXAMPLE)
    for scope in scopes:
        for character in scope:
            if not SCOPE_TOKEN_CHARACTER.fullmatch(character):
                return (
                    f"{field}: scope {scope!r} contains {character!r}, but a scope may"
                    " only use printable ASCII other than spaces, double quotes and"
                    f" backslashes, such as {SCOPES_EXAMPLE}"
                )
    return None


VALIDATORS = {
    "project_name": validate_project_name,
    "project_slug": validate_project_slug,
    "auth0_domain": validate_auth0_domain,
    "auth0_api_identifier": validate_auth0_api_identifier,
    "auth0_scopes": validate_auth0_scopes,
}


def find_first_error(answers):
    """Return the error for the first invalid answer in prompt order, or None."""
    for field, validate in VALIDATORS.items():
        value = answers[field]
        if not isinstance(value, str):
            return f"{field}: {value!r} must be text"
        error = validate(value)
        if error is not None:
            return error
    return None


def main():
    answers = {field: join_surrogate_pairs(value) for field, value in ANSWERS.items()}
    error = find_first_error(answers)
    if error is not None:
        print(error, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
