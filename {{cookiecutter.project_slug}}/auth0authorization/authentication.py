"""Django REST framework authentication with Auth0 access tokens (RFC 6750 bearer tokens)."""

import logging
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .challenge import bearer_challenge
from .exceptions import InvalidToken, KeysUnavailable
from .tokens import validate_access_token
from .users import SubjectUserMapper

logger = logging.getLogger(__name__)


class TokenRejected(exceptions.AuthenticationFailed):
    """A bearer token was sent and rejected: 401 with error="invalid_token"."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(detail=description, code="invalid_token")
        self.reason = reason


class KeysUnavailableError(exceptions.APIException):
    """The issuer's signing keys cannot be obtained and none are known: 503."""

    status_code = 503
    default_detail = _("The signing keys of the token issuer cannot be obtained right now. Try again later.")
    default_code = "temporarily_unavailable"


class Auth0TokenAuthentication(BaseAuthentication):
    """Bearer authentication with Auth0 access tokens, validated against the trusted issuer's keys."""

    keyword = "bearer"
    user_mapper_class = SubjectUserMapper

    def authenticate(self, request: Request) -> tuple[Any, dict[str, Any]] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None

        if len(parts) == 1:
            self.reject(request, "empty_token", _("No access token was provided after Bearer."))
        if len(parts) > 2:
            self.reject(request, "token_has_spaces", _("The access token must not contain spaces."))

        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            self.reject(request, "non_ascii_token", _("The access token must contain only ASCII characters."))

        return self.authenticate_credentials(request, token)

    def authenticate_credentials(self, request: Request, token: str) -> tuple[Any, dict[str, Any]]:
        try:
            claims = validate_access_token(token)
            user = self.user_mapper_class().get_user(claims)
        except InvalidToken as exc:
            self.reject(request, exc.reason, exc.description)
        except KeysUnavailable as exc:
            logger.warning("token_not_checked reason=%s path=%s", exc.reason, request.path)
            raise KeysUnavailableError() from exc

        if user is None:
            self.reject(request, "unknown_user", _("No user exists for this token's subject."))
        if not user.is_active:
            self.reject(request, "inactive_user", _("The user of this token is inactive."))
        return user, claims

    def reject(self, request: Request, reason: str, description: str) -> None:
        """Log why a sent token was rejected, without the token, and raise 401 invalid_token."""
        logger.info("token_rejected reason=%s path=%s", reason, request.path)
        request._auth0_rejection = str(description)
        raise TokenRejected(reason, str(description))

    def authenticate_header(self, request: Request) -> str:
        rejection = getattr(request, "_auth0_rejection", None)
        if rejection is not None:
            return bearer_challenge(error="invalid_token", description=rejection)
        return bearer_challenge()
