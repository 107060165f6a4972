"""Each rejection is logged with a reason code and the path, and never with the token."""

import logging

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jwks_endpoint")]


@pytest.fixture
def auth_logs(caplog):
    caplog.set_level(logging.INFO, logger="auth0authorization")
    return caplog


def rejection_records(caplog):
    return [record for record in caplog.records if record.getMessage().startswith("token_rejected")]


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": 1000}, "expired"),
        ({"aud": "https://someone-else.test"}, "wrong_audience"),
        ({"iss": "https://attacker.test/"}, "wrong_issuer"),
    ],
)
def test_rejection_logs_reason_and_path(bearer, make_token, auth_logs, claims, reason):
    bearer("/api/private", make_token(**claims))

    records = rejection_records(auth_logs)
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    assert records[0].getMessage() == f"token_rejected reason={reason} path=/api/private"


def test_rejection_log_never_contains_token(bearer, make_token, auth_logs):
    token = make_token(sub="auth0|secret-subject", aud="https://someone-else.test")

    bearer("/api/private", token)

    for part in token.split("."):
        assert part not in auth_logs.text
    assert "secret-subject" not in auth_logs.text


def test_malformed_header_logged_with_reason(bearer, auth_logs):
    bearer("/api/private", "abc.def")

    assert [record.getMessage() for record in rejection_records(auth_logs)] == [
        "token_rejected reason=malformed path=/api/private"
    ]


def test_keys_unavailable_logged_as_warning(bearer, make_token, auth_logs, jwks_endpoint):
    jwks_endpoint.fail()

    bearer("/api/private", make_token())

    warnings = [record.getMessage() for record in auth_logs.records if record.levelno == logging.WARNING]
    assert "token_not_checked reason=jwks_unavailable path=/api/private" in warnings
