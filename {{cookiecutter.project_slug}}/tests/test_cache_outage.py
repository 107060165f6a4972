"""A failing cache server costs sharing between processes, never a failed request."""

import pytest

from auth0authorization import keys, tokens

BROKEN_CACHES = {"default": {"BACKEND": "tests.broken_cache.BrokenCache"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_cache(settings, jwks_endpoint):
    settings.CACHES = BROKEN_CACHES
    keys._jwks_cache = None
    tokens.forget_verified_tokens()
    yield jwks_endpoint
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_valid_token_accepted_while_cache_is_down(broken_cache, bearer, make_token):
    response = bearer("/api/private", make_token())

    assert response.status_code == 200


def test_keys_kept_per_process_while_cache_is_down(broken_cache, bearer, make_token):
    for index in range(5):
        tokens.forget_verified_tokens()
        bearer("/api/private", make_token(jti=str(index)))

    assert broken_cache.calls == 1


def test_new_user_created_while_cache_is_down(broken_cache, bearer, make_token, django_user_model):
    bearer("/api/private", make_token(sub="auth0|cache-outage"))

    assert django_user_model.objects.filter(username="auth0.cache-outage").exists()


def test_unknown_kid_is_401_while_cache_is_down(broken_cache, bearer, make_token):
    bearer("/api/private", make_token())

    response = bearer("/api/private", make_token(header={"kid": "rotated-away"}))

    assert response.status_code == 401


def test_failed_fetch_backs_off_while_cache_is_down(broken_cache, bearer, make_token):
    broken_cache.fail()

    first = bearer("/api/private", make_token())
    second = bearer("/api/private", make_token(jti="again"))

    assert first.status_code == 503
    assert second.status_code == 503
    assert broken_cache.calls == 1
