"""Logging in: the page a locked-out login gets."""

import math

from axes.helpers import get_client_username, get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a login it refuses: the login page, saying for how long.

    The lock holds for this username from this address only (AXES_LOCKOUT_PARAMETERS), so
    the page says so: the person can still log in from another computer, or wait.
    """
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out": True,
        "locked_username": username,
        "locked_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    # 429 Too Many Requests, as axes answers by default.
    return render(request, "registration/login.html", context, status=429)
