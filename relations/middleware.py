"""Sessions that end by themselves: after a while without activity, and some hours after login.

A computer left unlocked in the office should not stay logged in for the day, and a stolen
session cookie should not work for long. The login page then says why the user is there.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import ngettext

LOGGED_IN_AT = "amity_logged_in_at"
SEEN_AT = "amity_seen_at"
# Writing the session on every request would cost a database write per page; the idle
# time is measured to the minute anyway.
SEEN_RESOLUTION = 60


def start_session_clock(sender, request, user, **kwargs) -> None:
    """Signal receiver (user_logged_in): the session's age counts from this login."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGGED_IN_AT] = now
        request.session[SEEN_AT] = now


def expiry_reason(session, now: float) -> str:
    """Why this session is over, or "" while it may go on."""
    idle_minutes = settings.AMITY_SESSION_IDLE_MINUTES
    max_hours = settings.AMITY_SESSION_MAX_HOURS
    seen_at = session.get(SEEN_AT)
    logged_in_at = session.get(LOGGED_IN_AT)
    if logged_in_at is not None and now - logged_in_at >= max_hours * 3600:
        return ngettext(
            "You were logged out %(hours)s hour after logging in. Please log in again.",
            "You were logged out %(hours)s hours after logging in. Please log in again.",
            max_hours,
        ) % {"hours": max_hours}
    if seen_at is not None and now - seen_at >= idle_minutes * 60:
        return ngettext(
            "You were logged out after %(minutes)s minute without activity.",
            "You were logged out after %(minutes)s minutes without activity.",
            idle_minutes,
        ) % {"minutes": idle_minutes}
    return ""


class SessionTimeoutMiddleware:
    """Logs out a session idle for AMITY_SESSION_IDLE_MINUTES or older than
    AMITY_SESSION_MAX_HOURS; the request goes on as anonymous, so the login check that
    follows sends the user to the login page, with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request) -> None:
        session = request.session
        now = time.time()
        reason = expiry_reason(session, now)
        if reason:
            logout(request)
            messages.info(request, reason)
            return
        # Sessions from before this middleware (or made without the login signal) start now.
        session.setdefault(LOGGED_IN_AT, now)
        if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
