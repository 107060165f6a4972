"""Scope checks: a DRF permission class and a view decorator, with one rule for both.

A scope is granted when it is one of the space-separated words of the `scope`
claim, or an entry of the `permissions` array that Auth0 adds when RBAC is on.
Matches are exact: `read:messages` does not grant `read`, nor the reverse.
"""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class InsufficientScope(exceptions.PermissionDenied):
    """A valid token lacks a required scope: 403 with error="insufficient_scope"."""

    default_detail = _("The access token does not grant the scope this request needs.")
    default_code = "insufficient_scope"

    def __init__(self, required_scopes: Iterable[str]) -> None:
        self.required_scopes = tuple(required_scopes)
        super().__init__()


def granted_scopes(claims: Any) -> frozenset[str]:
    """Collect the scopes a token grants; claims of the wrong type grant nothing."""
    if not isinstance(claims, dict):
        return frozenset()

    granted: set[str] = set()
    scope = claims.get("scope")
    if isinstance(scope, str):
        granted.update(scope.split(" "))
    permissions = claims.get("permissions")
    if isinstance(permissions, list):
        granted.update(item for item in permissions if isinstance(item, str))

    granted.discard("")
    return frozenset(granted)


def check_scopes(request: Request, required_scopes: Iterable[str]) -> None:
    """Raise NotAuthenticated without a valid token, or InsufficientScope when a scope is missing."""
    if request.auth is None:
        raise exceptions.NotAuthenticated()

    required = tuple(required_scopes)
    missing = [scope for scope in required if scope not in granted_scopes(request.auth)]
    if missing:
        raise InsufficientScope(required)


class HasScopes(BasePermission):
    """Allow a request whose token grants every scope in the view's `required_scopes`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        check_scopes(request, getattr(view, "required_scopes", ()))
        return True


def requires_scopes(*scopes: str) -> Callable:
    """Decorate a DRF function view (under @api_view) so it runs only with every scope granted."""

    def decorate(view_function: Callable) -> Callable:
        @functools.wraps(view_function)
        def checked(request: Request, *args: Any, **kwargs: Any) -> Any:
            check_scopes(request, scopes)
            return view_function(request, *args, **kwargs)

        checked.required_scopes = scopes
        return checked

    return decorate
