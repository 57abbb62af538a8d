"""Logging in and staying logged in: lockouts, new session keys, sessions that end."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.db.models import F

from relations.middleware import LOGGED_IN_AT, SEEN_AT

LOGIN = "/accounts/login/"
PASSWORD = "a-long-enough-password"
HERE, ELSEWHERE = "10.1.1.1", "10.2.2.2"


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password=PASSWORD)


def log_in(client, username, password=PASSWORD, address=HERE):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def lock_out(client, username, settings, address=HERE):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, username, "a-wrong-guess", address)
    return response


# ---- Lockout ----------------------------------------------------------------------------


def test_failures_below_the_limit_only_say_the_password_was_wrong(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "alice", "a-wrong-guess")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()

    assert log_in(client, "alice").status_code == 302
    assert logged_in(client)


def test_the_last_failure_locks_the_username_from_that_address(client, alice, settings):
    response = lock_out(client, "alice", settings)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed attempts" in page
    assert "“alice” is locked" in page
    assert "for 15 minutes from this address" in page
    # Even the right password is refused while the lock holds.
    response = log_in(client, "alice")
    assert response.status_code == 429
    assert "for 15 minutes from this address" in response.content.decode()
    assert not logged_in(client)


def test_another_user_still_logs_in_from_the_same_address(client, alice, bob, settings):
    lock_out(client, "alice", settings)

    assert log_in(client, "bob").status_code == 302
    assert client.session[SESSION_KEY] == str(bob.pk)


def test_the_locked_user_still_logs_in_from_another_address(client, alice, settings):
    lock_out(client, "alice", settings)

    assert log_in(client, "alice", address=ELSEWHERE).status_code == 302
    assert logged_in(client)


def test_the_lock_ends_after_the_cool_off(client, alice, settings):
    lock_out(client, "alice", settings)
    # As if the failures had happened a cool-off ago.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )

    assert log_in(client, "alice").status_code == 302
    assert logged_in(client)


def test_the_lockout_page_says_the_configured_minutes(client, alice, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)

    page = lock_out(client, "alice", settings).content.decode()

    assert "for 1 minute from this address" in page


def test_behind_a_tls_proxy_the_lock_follows_the_browsers_address(client, alice, bob, settings):
    settings.AMITY_BEHIND_TLS_PROXY = True
    proxy = "127.0.0.1"

    def through_proxy(username, password, browser):
        return client.post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR=proxy,
            # The browser may send its own header; the proxy appends what it saw.
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {browser}",
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy("alice", "a-wrong-guess", HERE)

    assert through_proxy("alice", PASSWORD, HERE).status_code == 429
    assert through_proxy("alice", PASSWORD, ELSEWHERE).status_code == 302


# ---- Sessions ---------------------------------------------------------------------------


def test_logging_in_gives_a_new_session_key(client, alice):
    session = client.session  # An anonymous session, as a visitor's browser has.
    session["visited"] = True
    session.save()
    before = session.session_key

    log_in(client, "alice")

    assert logged_in(client)
    assert client.session.session_key != before


def test_the_session_cookie_lasts_as_long_as_a_session_may(settings):
    assert settings.SESSION_COOKIE_AGE == settings.AMITY_SESSION_MAX_HOURS * 3600
    assert settings.SESSION_COOKIE_HTTPONLY


def age_session(client, **seconds_ago) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_idle_session_ends_with_a_message(client, alice, settings):
    log_in(client, "alice")
    age_session(client, **{SEEN_AT: settings.AMITY_SESSION_IDLE_MINUTES * 60 + 1})

    response = client.get("/partners/", follow=True)

    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    assert "You were logged out after 30 minutes without activity." in response.content.decode()
    assert not logged_in(client)


def test_a_session_in_use_goes_on(client, alice, settings):
    log_in(client, "alice")
    age_session(client, **{SEEN_AT: settings.AMITY_SESSION_IDLE_MINUTES * 60 - 90})

    assert client.get("/").status_code == 200
    # The request counts as activity.
    assert time.time() - client.session[SEEN_AT] < 5


def test_the_idle_time_is_a_setting(client, alice, settings):
    settings.AMITY_SESSION_IDLE_MINUTES = 5
    log_in(client, "alice")
    age_session(client, **{SEEN_AT: 5 * 60 + 1})

    response = client.get("/", follow=True)

    assert "You were logged out after 5 minutes without activity." in response.content.decode()


def test_a_session_ends_some_hours_after_login_however_busy(client, alice, settings):
    log_in(client, "alice")
    age_session(client, **{LOGGED_IN_AT: settings.AMITY_SESSION_MAX_HOURS * 3600 + 1})

    response = client.get("/partners/", follow=True)

    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    assert "You were logged out 8 hours after logging in." in response.content.decode()
    assert not logged_in(client)


def test_a_deactivated_users_session_ends_at_once(client, alice):
    log_in(client, "alice")
    assert client.get("/").status_code == 200

    alice.is_active = False
    alice.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(f"{LOGIN}?next=")


def test_neither_the_migrations_nor_the_demo_data_make_an_account(db):
    call_command("load_demo", verbosity=0)

    assert not get_user_model().objects.exists()
