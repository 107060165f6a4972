"""Settings read from environment variables: typed, and clear about bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from {{ cookiecutter.project_slug }}.environment import env_bool, env_list, env_number, env_optional_bool


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("On", True), ("false", False), ("0", False)]
)
def test_env_bool_reads_common_words(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert env_bool("SOME_FLAG") is expected


def test_env_bool_rejects_other_words(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_env_bool_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)

    assert env_bool("SOME_FLAG", default=True) is True


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("auto", None), ("true", True), ("false", False)])
def test_env_optional_bool_allows_auto(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert env_optional_bool("SOME_FLAG") is expected


@pytest.mark.parametrize("raw", ["ten", "-1", "inf", "nan"])
def test_env_number_rejects_bad_values(monkeypatch, raw):
    monkeypatch.setenv("SOME_SECONDS", raw)

    with pytest.raises(ImproperlyConfigured, match="SOME_SECONDS"):
        env_number("SOME_SECONDS", 60)


def test_env_number_reads_value(monkeypatch):
    monkeypatch.setenv("SOME_SECONDS", "2.5")

    assert env_number("SOME_SECONDS", 60) == 2.5


def test_env_list_splits_on_commas_and_spaces(monkeypatch):
    monkeypatch.setenv("SOME_LIST", "a, b  c,d")

    assert env_list("SOME_LIST") == ["a", "b", "c", "d"]
