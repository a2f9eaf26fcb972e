"""REST API of the caller's own account: who am I, personal API tokens (create, list, revoke), and
the two ways to authenticate (a token, or the web session for the browsable docs)."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router
from ninja.responses import Status
from ninja.security import HttpBearer, SessionAuth

from fidelia.accounts import services
from fidelia.accounts.models import ApiToken, User
from fidelia.accounts.schemas import MeOut, TokenCreatedOut, TokenCreateIn, TokenOut
from fidelia.core.api import MAX_ID, current_user, errors

router = Router(tags=["Account"])


class TokenAuth(HttpBearer):
    """Personal API tokens: `Authorization: Bearer fid_...`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if "\x00" in token or len(token) > 200:
            return None
        user = services.api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The Django session of the web UI (for the browsable docs); CSRF-checked on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated and user.is_active else None  # type: ignore[return-value]


@router.get("/me", response={200: MeOut, **errors()}, summary="The authenticated user")
def me(request: HttpRequest) -> User:
    """The user the token (or session) belongs to, with their role and team."""
    return current_user(request)


@router.get("/tokens", response={200: list[TokenOut], **errors()}, summary="List my API tokens")
def list_tokens(request: HttpRequest) -> Any:
    """The caller's own tokens, newest first, revoked ones included. Clear tokens are never shown again."""
    return ApiToken.objects.filter(user=current_user(request)).order_by("-created_at", "-id")


@router.post("/tokens", response={201: TokenCreatedOut, **errors()}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    """Create a personal token for `Authorization: Bearer <token>`. The clear token is returned once."""
    token, raw = services.api_token_create(user=current_user(request), name=payload.name)
    return Status(201, {"id": token.id, "name": token.name, "created_at": token.created_at,
                        "last_used_at": token.last_used_at, "revoked_at": token.revoked_at, "token": raw})


@router.delete("/tokens/{token_id}", response={204: None, **errors(404)}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)) -> Status[None]:
    """Revoke one of the caller's tokens; it stops working at once."""
    token = get_object_or_404(ApiToken, user=current_user(request), pk=token_id)
    services.api_token_revoke(token=token)
    return Status(204, None)
