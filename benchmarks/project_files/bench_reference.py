"""Reference authentication classes that the benchmark compares the project with.

Neither belongs in the project. Each one does a piece of per-request work that
the project avoids, so the benchmark can show what that work costs:

FetchKeysPerRequestAuthentication
    (a) Fetches the JSON Web Key Set over HTTPS for every request and verifies
    with PyJWT, with no key cache and no verified-token cache, as the
    `jwt_decode_token` helper of Auth0's older Django quickstart did. It maps
    users with the project's cached mapper, so the difference from the project
    is the fetch and the uncached verification.
DatabaseUserPerRequestAuthentication
    (b) Validates tokens exactly as the project does, then finds or creates its
    user with User.objects.get_or_create on every request, with no user cache.
"""

from typing import Any

import jwt
from auth0authorization.authentication import Auth0TokenAuthentication
from auth0authorization.conf import get_config
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.request import Request


class FetchKeysPerRequestAuthentication(Auth0TokenAuthentication):
    def authenticate_credentials(self, request: Request, token: str) -> tuple[Any, dict[str, Any]]:
        config = get_config()
        client = jwt.PyJWKClient(config.jwks_url, cache_keys=False, cache_jwk_set=False, timeout=config.jwks_timeout)
        try:
            signing_key = client.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key,
                algorithms=list(config.algorithms),
                audience=config.audience,
                issuer=config.issuer,
                leeway=config.leeway,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            self.reject(request, exc.__class__.__name__, "The access token is invalid.")

        user = self.user_mapper_class().get_user(claims)
        return user, claims


class DatabaseUserMapper:
    """Find or create the user of a token's `sub` with one database query per call."""

    def get_user(self, claims: dict[str, Any]) -> AbstractBaseUser:
        username = claims["sub"].replace("|", ".")
        user, _created = get_user_model()._default_manager.get_or_create(username=username)
        return user


class DatabaseUserPerRequestAuthentication(Auth0TokenAuthentication):
    user_mapper_class = DatabaseUserMapper
