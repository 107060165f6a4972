"""From the `sub` claim of a validated token to a Django user.

Override `clean_username` to change how a `sub` becomes a username,
`configure_user` to fill in a new user, or set `create_unknown_user = False`
to accept only users that already exist.
"""

import copy
import hashlib
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .conf import get_config
from .exceptions import InvalidToken
from .shared_cache import SharedCache

user_cache = SharedCache()

# Users returned in the last few seconds, kept in this process as well, because
# reading one back from Django's cache costs more than the token check itself.
# A save in this process drops the entry at once; a save in another process
# that shares the cache reaches this one within RECENT_USER_SECONDS.
RECENT_USER_SECONDS = 5.0
MAX_RECENT_USERS = 10_000
_recent_users: dict[str, tuple[AbstractBaseUser, float]] = {}


def user_cache_key(username: str) -> str:
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    return f"auth0authorization:user:{digest}"


class SubjectUserMapper:
    """Map a token's `sub` to a Django user, creating it on first sight as RemoteUserBackend does.

    Users are cached for AUTH0_USER_CACHE_TTL seconds so that a request with a
    known subject needs no database query. Saving or deleting a user through
    the ORM drops its cached copies, so deactivating a user locks it out at once
    in this process, and within RECENT_USER_SECONDS in others that share the cache.
    """

    create_unknown_user = True

    def clean_username(self, sub: str) -> str:
        """Turn `auth0|abc` into `auth0.abc`: `|` is not allowed in Django usernames."""
        return sub.replace("|", ".")

    def configure_user(self, user: AbstractBaseUser, claims: dict[str, Any]) -> AbstractBaseUser:
        """Adjust a user created for a new subject; the default keeps it as it is."""
        return user

    def get_user(self, claims: dict[str, Any]) -> AbstractBaseUser | None:
        username = self.clean_username(claims["sub"])
        now = time.monotonic()
        recent = _recent_users.get(username)
        if recent is not None and recent[1] > now:
            # A copy, so that a view changing request.user cannot change another request's user.
            return copy.copy(recent[0])

        user = self.load_user(username, claims)
        if user is not None:
            remember_recent_user(username, copy.copy(user), now)
        return user

    def load_user(self, username: str, claims: dict[str, Any]) -> AbstractBaseUser | None:
        user_model = get_user_model()
        if len(username) > user_model._meta.get_field(user_model.USERNAME_FIELD).max_length:
            raise InvalidToken("sub_too_long", "The sub claim is too long for a username.")

        key = user_cache_key(username)
        user = user_cache.get(key)
        if user is not None:
            return user

        user = self.find_or_create(user_model, username, claims)
        if user is not None:
            user_cache.set(key, user, timeout=get_config().user_cache_ttl)
        return user

    def find_or_create(self, user_model: Any, username: str, claims: dict[str, Any]) -> AbstractBaseUser | None:
        lookup = {user_model.USERNAME_FIELD: username}
        if not self.create_unknown_user:
            return user_model._default_manager.filter(**lookup).first()

        user, created = user_model._default_manager.get_or_create(**lookup)
        if created:
            user.set_unusable_password()
            user = self.configure_user(user, claims)
            user.save()
        return user


def remember_recent_user(username: str, user: AbstractBaseUser, now: float) -> None:
    seconds = min(RECENT_USER_SECONDS, get_config().user_cache_ttl)
    if seconds <= 0:
        return
    if len(_recent_users) >= MAX_RECENT_USERS:
        _recent_users.clear()
    _recent_users[username] = (user, now + seconds)


def forget_recent_users() -> None:
    _recent_users.clear()


# NOTE: QuerySet.update() sends no signal, and with the default per-process cache
# a save in one process cannot reach the copies in other processes. In both cases
# a deactivated user keeps working until its cached copy expires
# (AUTH0_USER_CACHE_TTL); set REDIS_URL to share one cache between processes.
@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _forget_cached_user(sender: Any, instance: AbstractBaseUser, **kwargs: Any) -> None:
    _recent_users.pop(instance.get_username(), None)
    user_cache.delete(user_cache_key(instance.get_username()))
