"""Idle and absolute session timeouts, and the two-factor gate."""
from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils.http import urlencode

from fidelia.accounts.two_factor import SecondStep, second_step

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


class TwoFactorMiddleware:
    """Until a signed-in session has passed the second step (`two_factor.second_step`), every
    page redirects to it: the code form, or the enrolment page for an administrator or DPO
    without an authenticator yet. Exempt: sign-in, two-factor and sign-out pages, static files,
    the language switch, and the API, whose session access is checked by its own auth class and
    whose tokens are created by verified users."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith(self.EXEMPT_PREFIXES):
            return self.get_response(request)
        step = second_step(request)  # cheap for most users: a flag in the session
        if step == SecondStep.NONE or self._exempt(request):
            return self.get_response(request)
        target = reverse("accounts:otp_verify" if step == SecondStep.VERIFY else "accounts:otp_enrol")
        url = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # A fragment request must not swap the code page into a corner of the page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)

    def _exempt(self, request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return True
        match = getattr(request, "resolver_match", None) or _resolve(path)
        return match is not None and match.namespace == "accounts" and match.url_name in TWO_FACTOR_EXEMPT_VIEWS


TWO_FACTOR_EXEMPT_VIEWS = frozenset({"login", "logout", "otp_verify", "otp_enrol"})


def _resolve(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None
