"""URL configuration for tests only: a function view guarded by requires_scopes, and one that echoes the token.

Tests select it with @pytest.mark.urls("tests.scoped_views").
"""

from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from auth0authorization.permissions import requires_scopes


@api_view(["GET"])
@requires_scopes("write:messages")
def write_messages(request: Request) -> Response:
    return Response({"message": "You may write messages."})


@api_view(["GET"])
def token_echo(request: Request) -> Response:
    """Return the username and the claims that authentication attached to the request."""
    return Response({"username": request.user.get_username(), "claims": request.auth})


urlpatterns = [
    path("write-messages", write_messages),
    path("token-echo", token_echo),
]
