"""The `WWW-Authenticate: Bearer ...` challenge of RFC 6750, section 3."""

import re

REALM = "api"

# RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E in error_description and scope:
# printable ASCII without the double quote and the backslash.
_OUTSIDE_QUOTED_VALUE = re.compile(r'[^\x20\x21\x23-\x5b\x5d-\x7e]')


def quoted_value(text: str) -> str:
    return _OUTSIDE_QUOTED_VALUE.sub("", text)


def bearer_challenge(error: str = "", description: str = "", scope: str = "") -> str:
    parts = [f'Bearer realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{quoted_value(description)}"')
    if scope:
        parts.append(f'scope="{quoted_value(scope)}"')
    return ", ".join(parts)
