"""The example endpoints: one public, one for any valid token, one for a scope."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth0authorization.permissions import HasScopes

MessageSerializer = inline_serializer("Message", {"message": serializers.CharField()})
ErrorSerializer = inline_serializer(
    "Error", {"error": serializers.CharField(), "error_description": serializers.CharField()}
)


class PublicMessageView(APIView):
    """Return a message to anyone, even a client that sends an invalid token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=MessageSerializer)
    def get(self, request: Request) -> Response:
        return Response({"message": "Hello from a public endpoint! You don't need to be authenticated to see this."})


class PrivateMessageView(APIView):
    """Return a message to any request with a valid access token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MessageSerializer, 401: ErrorSerializer, 503: ErrorSerializer})
    def get(self, request: Request) -> Response:
        return Response({"message": "Hello from a private endpoint! You need to be authenticated to see this."})


class PrivateScopedMessageView(APIView):
    """Return a message to a request whose access token grants the first configured scope."""

    permission_classes = [IsAuthenticated, HasScopes]
    required_scopes = tuple(settings.AUTH0_SCOPES[:1])

    @extend_schema(
        responses={200: MessageSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 503: ErrorSerializer}
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "message": "Hello from a private endpoint! You need to be authenticated "
                f"and have a scope of {' '.join(self.required_scopes)} to see this."
            }
        )
