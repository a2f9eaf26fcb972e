"""Idle and absolute session timeouts."""
from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

AUTH_AT = "fidelia_auth_at"
LAST_SEEN = "fidelia_last_seen"
TOUCH_EVERY = 60  # seconds: the idle clock is saved at most once a minute, not on every request


def start_session_clock(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """At sign-in (user_logged_in): both clocks start, so the next requests need not save the session."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[AUTH_AT] = now
        request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Sign the user out after FIDELIA_SESSION_IDLE seconds without a request, or
    FIDELIA_SESSION_MAX_AGE seconds after sign-in; the next page then asks to sign in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            auth_at = session.setdefault(AUTH_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if now - auth_at > settings.FIDELIA_SESSION_MAX_AGE or now - last_seen > settings.FIDELIA_SESSION_IDLE:
                logout(request)
            elif now - last_seen >= TOUCH_EVERY or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)
