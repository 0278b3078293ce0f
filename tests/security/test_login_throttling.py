"""The admin login slows down password guessing: after repeated wrong passwords for one user, or
from one address, it refuses for a while and says so; every failure is logged."""

import datetime
import logging

import pytest
from django.contrib.auth import get_user_model

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "Lantern-Volta-Mukono-2018!"
LOCKED_OUT = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def throttling(settings):
    # A fast hasher: each attempt hashes a password, and these tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


@pytest.fixture
def curators(db):
    for username in ["curator", "editor"]:
        get_user_model().objects.create_user(
            username, password=PASSWORD, is_staff=True, is_superuser=True
        )


def sign_in(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, username="curator", address="192.0.2.10"):
    for _ in range(5):
        response = sign_in(client, username, "wrong-password", address)
        assert response.status_code in (200, 429)


def test_the_right_password_signs_in(client, curators):
    assert sign_in(client, "curator", PASSWORD).status_code == 302


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, curators):
    fail_five_times(client)
    response = sign_in(client, "curator", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.text
    assert "try again in 15 minutes" in response.text
    # The login page itself, not a bare error: the form is still there for later.
    assert 'name="password"' in response.text
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock(client, curators):
    for _ in range(4):
        sign_in(client, "curator", "wrong-password")
    assert sign_in(client, "curator", PASSWORD).status_code == 302


def test_a_locked_username_is_refused_from_every_address(client, curators):
    fail_five_times(client, "curator", "192.0.2.10")
    assert sign_in(client, "curator", PASSWORD, "198.51.100.7").status_code == 429


def test_a_locked_address_is_refused_for_every_username(client, curators):
    for username in ["a", "b", "c", "d", "e"]:
        sign_in(client, username, "wrong-password", "192.0.2.10")
    assert sign_in(client, "editor", PASSWORD, "192.0.2.10").status_code == 429


def test_another_user_from_another_address_is_unaffected(client, curators):
    fail_five_times(client, "curator", "192.0.2.10")
    assert sign_in(client, "editor", PASSWORD, "198.51.100.7").status_code == 302


def test_signing_in_works_again_after_the_cool_off(client, curators, settings):
    fail_five_times(client)
    assert sign_in(client, "curator", PASSWORD).status_code == 429
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=0)
    assert sign_in(client, "curator", PASSWORD).status_code == 302


def test_a_forged_forwarded_address_is_ignored_unless_behind_our_proxy(client, curators, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    for number in range(5):
        client.post(
            LOGIN_URL,
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    assert sign_in(client, "editor", PASSWORD, "192.0.2.10").status_code == 429


def test_behind_our_proxy_the_address_it_appended_counts(client, curators, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for number in range(5):
        client.post(
            LOGIN_URL,
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}, 192.0.2.10",
        )
    locked = client.post(
        LOGIN_URL,
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.10",
    )
    assert locked.status_code == 429
    other = client.post(
        LOGIN_URL,
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302


def test_a_failed_sign_in_is_logged_without_the_password(client, curators, caplog):
    with caplog.at_level(logging.WARNING, logger="justicelib.security"):
        sign_in(client, "curator", "wrong-password-Zq9")
    [record] = [r for r in caplog.records if r.name == "justicelib.security"]
    assert record.levelno == logging.WARNING
    assert "'curator'" in record.getMessage()
    assert "192.0.2.10" in record.getMessage()
    assert "wrong-password-Zq9" not in caplog.text
