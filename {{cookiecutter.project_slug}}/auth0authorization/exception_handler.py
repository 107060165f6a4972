"""Error responses in the shape of RFC 6750: a status, a challenge and a JSON body.

Every DRF exception with a plain message gets the body
`{"error": "<code>", "error_description": "<message>"}`; 403 for a missing
scope adds the challenge with `insufficient_scope`, and 503 adds Retry-After.
"""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from .authentication import KeysUnavailableError
from .challenge import bearer_challenge
from .conf import get_config
from .permissions import InsufficientScope


def auth0_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None

    detail = getattr(exc, "detail", None)
    if isinstance(detail, str):
        response.data = {"error": detail.code, "error_description": str(detail)}

    if isinstance(exc, InsufficientScope):
        scope = " ".join(exc.required_scopes)
        response["WWW-Authenticate"] = bearer_challenge("insufficient_scope", str(exc.detail), scope)
    elif isinstance(exc, KeysUnavailableError):
        response["Retry-After"] = str(get_config().retry_after)
    return response
