"""JSON error pages for requests that never reach a DRF view."""

from django.http import HttpRequest, JsonResponse


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"error": "not_found", "error_description": "No endpoint has this URL."}, status=404)
