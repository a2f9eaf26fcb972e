"""Request context and security headers on every response Django renders."""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from fidelia.core.context import work_context


class RequestContextMiddleware:
    """Give each request an id (kept from a proxy's `X-Request-ID` when well formed) and a channel,
    for the audit log; the id is echoed back so a user can quote it to support."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with work_context(channel=channel, request_id=request.headers.get("X-Request-ID")) as rid:
            request.request_id = rid
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy everywhere; `Cache-Control: no-store` on
    everything served to a signed-in user or through the API, so customer data never stays in a
    shared or browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.FIDELIA_CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response


class AccessDeniedAuditMiddleware:
    """Every 403 the site answers (pages and API) writes one `ACCESS_DENIED` audit row: who, which
    view, which customer when the URL names one, and the refused fields when an API error lists
    them. (Reads of what a user may not see answer 404 and are audited by the selectors.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            self._audit(request, response)
        return response

    @staticmethod
    def _audit(request: HttpRequest, response: HttpResponse) -> None:
        # imported here: the core does not depend on the privacy app at import time
        from fidelia.privacy.reads import audit_access_denied

        match = getattr(request, "resolver_match", None)
        kwargs = match.kwargs if match else {}
        party_id = kwargs.get("party_id", kwargs.get("pk")) if match and "parties" in match.view_name else kwargs.get("party_id")
        # API callers are authenticated per request (`request.auth`), pages by session (`request.user`)
        actor = getattr(request, "auth", None) or getattr(request, "user", None)
        audit_access_denied(user=actor, obj_type=(match.view_name if match else request.path)[-40:],
                            party_id=_as_id(party_id),
                            fields=_refused_fields(response))


def _refused_fields(response: HttpResponse) -> list[str]:
    """The field names of an API error body (`{"error": {"fields": {...}}}`), if any."""
    import json
    if not response.get("Content-Type", "").startswith("application/json") or getattr(response, "streaming", False):
        return []
    try:
        fields = json.loads(response.content).get("error", {}).get("fields", {})
    except (ValueError, AttributeError):
        return []
    return [str(name)[:100] for name in fields][:20] if isinstance(fields, dict) else []


def _as_id(value: object) -> int | None:
    """A URL's customer id (ninja passes path parameters as text), None when it is not one."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None
