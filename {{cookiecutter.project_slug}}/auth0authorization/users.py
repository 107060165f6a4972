"""From the `sub` claim of a validated token to a Django user.

Override `clean_username` to change how a `sub` becomes a username,
`configure_user` to fill in a new user, or set `create_unknown_user = False`
to accept only users that already exist.
"""

import hashlib
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


def user_cache_key(username: str) -> str:
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    return f"auth0authorization:user:{digest}"


class SubjectUserMapper:
    """Map a token's `sub` to a Django user, creating it on first sight as RemoteUserBackend does.

    Users are cached for AUTH0_USER_CACHE_TTL seconds so that a request with a
    known subject needs no database query. Saving or deleting a user through
    the ORM drops its cached copy, so deactivating a user locks it out at once.
    """

    create_unknown_user = True

    def clean_username(self, sub: str) -> str:
        """Turn `auth0|abc` into `auth0.abc`: `|` is not allowed in Django usernames."""
        return sub.replace("|", ".")

    def configure_user(self, user: AbstractBaseUser, claims: dict[str, Any]) -> AbstractBaseUser:
        """Adjust a user created for a new subject; the default keeps it as it is."""
        return user

    def get_user(self, claims: dict[str, Any]) -> AbstractBaseUser | None:
        user_model = get_user_model()
        username = self.clean_username(claims["sub"])
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


# NOTE: QuerySet.update() sends no signal, and with the default per-process cache
# a save in one process cannot reach the copies in other processes. In both cases
# a deactivated user keeps working until its cached copy expires
# (AUTH0_USER_CACHE_TTL); set REDIS_URL to share one cache between processes.
@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _forget_cached_user(sender: Any, instance: AbstractBaseUser, **kwargs: Any) -> None:
    user_cache.delete(user_cache_key(instance.get_username()))
