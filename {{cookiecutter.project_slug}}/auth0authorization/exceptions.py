"""Exceptions for each reason a token is not accepted, with no web framework in them.

`reason` is a short code for logs and tests. `description` goes to the client
in `error_description`, so it contains only characters RFC 6750 allows there
(printable ASCII without `"` and `\\`) and never any part of the token.
"""


class TokenError(Exception):
    """Base class of every failure to accept an access token."""

    reason = "invalid_token"
    description = "The access token is invalid."

    def __init__(self, reason: str | None = None, description: str | None = None) -> None:
        if reason:
            self.reason = reason
        if description:
            self.description = description
        super().__init__(f"{self.reason}: {self.description}")


class InvalidToken(TokenError):
    """The token is malformed, badly signed, expired or meant for someone else: 401."""


class KeysUnavailable(TokenError):
    """No signing key could be obtained for this token, and none is known: 503."""

    reason = "jwks_unavailable"
    description = "The signing keys of the token issuer cannot be obtained right now."


class JWKSFetchError(Exception):
    """One attempt to fetch the key set failed; the cache decides what that means."""
