"""What the navigation may offer the signed-in user, from the policies."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fidelia.accounts import policies


def rights(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"can_read_parties": bool(user and policies.can_read_parties(user))}
