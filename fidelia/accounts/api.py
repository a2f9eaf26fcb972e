"""REST API of the caller's own account: who am I, personal API tokens (create, list, revoke), and
the two ways to authenticate (a token, or the web session for the browsable docs)."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.responses import Status
from ninja.security import HttpBearer, SessionAuth

from fidelia.accounts import services
from fidelia.accounts.models import ApiToken, User
from fidelia.accounts.schemas import MeOut, TokenCreatedOut, TokenCreateIn, TokenOut
from fidelia.accounts.two_factor import SecondStep, second_step
from fidelia.core import ratelimit
from fidelia.core.api import MAX_ID, SAFE_METHODS, RateLimited, api_app_label, current_user, errors
from fidelia.core.ratelimit import client_ip
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction

router = Router(tags=["Account"])


class TokenAuth(HttpBearer):
    """Personal API tokens: `Authorization: Bearer fid_...`.

    Each request counts against the token's rate (FIDELIA_API_RATE); a token that fails counts
    against the client address (FIDELIA_API_FAILURE_RATE), so guessing tokens is slowed down.
    A token limited to some applications, or read-only, is refused (403 `token_scope`, audited)
    outside its scope; the user's role still decides everything else.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if "\x00" in token or len(token) > 200:
            token = ""
        api_token = services.api_token_resolve(token)
        if api_token is None:
            _count(request, "api_failure", f"ip:{client_ip(request) or 'unknown'}")
            return None
        _count(request, "api", f"token:{api_token.pk}")
        app_label = api_app_label(request)
        if not api_token.allows(app_label=app_label, write=request.method not in SAFE_METHODS):
            audit_record(action=AuditAction.ACCESS_DENIED, actor=api_token.user, obj=api_token,
                         fields=[app_label or "api"], channel="api")
            raise services.TokenScopeRefused(
                _("This token is read-only.") if api_token.read_only and request.method not in SAFE_METHODS
                else _("This token may not reach “%(app)s”.") % {"app": app_label or request.path})
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class ActiveSessionAuth(SessionAuth):
    """The Django session of the web UI (for the browsable docs); CSRF-checked on writes. A session
    that still owes its second factor is not signed in for the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not (user.is_authenticated and user.is_active) or second_step(request) != SecondStep.NONE:
            return None
        _count(request, "api", f"user:{user.pk}")
        return user  # type: ignore[return-value]


def _count(request: HttpRequest, scope: str, key: str) -> None:
    """Count one request; beyond the scope's rate, answer 429 with Retry-After."""
    decision = ratelimit.hit(scope, key)
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


@router.get("/me", response={200: MeOut, **errors()}, summary="The authenticated user")
def me(request: HttpRequest) -> User:
    """The user the token (or session) belongs to, with their role and team."""
    return current_user(request)


@router.get("/tokens", response={200: list[TokenOut], **errors()}, summary="List my API tokens")
def list_tokens(request: HttpRequest) -> Any:
    """The caller's own tokens, newest first, revoked ones included. Clear tokens are never shown again."""
    return ApiToken.objects.filter(user=current_user(request)).order_by("-created_at", "-id")


@router.post("/tokens", response={201: TokenCreatedOut, **errors(403)}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    """Create a personal token for `Authorization: Bearer <token>`. The clear token is returned once.
    `read_only` refuses every change; `apps` (application labels, e.g. ["parties", "sales"])
    limits the token to those applications. A read-only or application-limited token cannot
    create tokens (403 `token_scope`)."""
    token, raw = services.api_token_create(user=current_user(request), name=payload.name,
                                           read_only=payload.read_only, apps=payload.apps,
                                           created_by=getattr(request, "api_token", None))
    return Status(201, {"id": token.id, "name": token.name, "created_at": token.created_at,
                        "last_used_at": token.last_used_at, "revoked_at": token.revoked_at,
                        "read_only": token.read_only, "apps": token.apps, "token": raw})


@router.delete("/tokens/{token_id}", response={204: None, **errors(403, 404)}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)) -> Status[None]:
    """Revoke one of the caller's tokens; it stops working at once. A scoped token may revoke only itself."""
    token = get_object_or_404(ApiToken, user=current_user(request), pk=token_id)
    services.api_token_revoke(token=token, actor=current_user(request),
                              revoked_by=getattr(request, "api_token", None))
    return Status(204, None)
