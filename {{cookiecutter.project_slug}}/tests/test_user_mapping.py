"""Known subjects cost no database query, and a deactivated user is still locked out."""

import pytest

from auth0authorization import users

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jwks_endpoint")]

SUB = "auth0|recent-user"
USERNAME = "auth0.recent-user"


def test_known_subject_needs_no_query(bearer, make_token, django_assert_num_queries):
    bearer("/api/private", make_token(sub=SUB))

    with django_assert_num_queries(0):
        response = bearer("/api/private", make_token(sub=SUB, jti="second"))

    assert response.status_code == 200


def test_recent_user_is_a_copy_per_request(make_token):
    mapper = users.SubjectUserMapper()
    claims = {"sub": SUB}

    first = mapper.get_user(claims)
    first.first_name = "changed by a view"
    second = mapper.get_user(claims)

    assert second.first_name == ""
    assert second.pk == first.pk


def test_user_saved_inactive_is_locked_out_at_once(bearer, make_token, django_user_model):
    bearer("/api/private", make_token(sub=SUB))

    user = django_user_model.objects.get(username=USERNAME)
    user.is_active = False
    user.save()
    response = bearer("/api/private", make_token(sub=SUB, jti="after"))

    assert response.status_code == 401


def test_change_elsewhere_reaches_process_after_recent_window(bearer, make_token, django_user_model, monkeypatch):
    """A save in another process clears only the shared cache; the copy here expires on its own."""
    clock = [1000.0]
    monkeypatch.setattr(users.time, "monotonic", lambda: clock[0])
    bearer("/api/private", make_token(sub=SUB))
    django_user_model.objects.filter(username=USERNAME).update(is_active=False)
    users.user_cache.delete(users.user_cache_key(USERNAME))

    within_window = bearer("/api/private", make_token(sub=SUB, jti="within"))
    clock[0] += users.RECENT_USER_SECONDS + 0.1
    after_window = bearer("/api/private", make_token(sub=SUB, jti="after"))

    assert within_window.status_code == 200
    assert after_window.status_code == 401


def test_zero_cache_ttl_keeps_no_recent_users(bearer, make_token, settings, django_assert_num_queries):
    settings.AUTH0_USER_CACHE_TTL = 0
    bearer("/api/private", make_token(sub=SUB))

    with django_assert_num_queries(1):
        bearer("/api/private", make_token(sub=SUB, jti="second"))
