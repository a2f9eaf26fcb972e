"""API schemas for the caller's account and personal API tokens."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from fidelia.core.api import text


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    team_id: int | None


class TokenCreateIn(Schema):
    name: text(100) = Field(..., description="What the token is for, e.g. “ERP synchronisation”.")
    read_only: bool = Field(False, description="Refuse every change made with this token.")
    apps: list[text(50)] = Field(default_factory=list, max_length=20,
                                 description="Application labels the token may reach (e.g. “parties”, “sales”); "
                                             "empty for all those the user's role allows.")


class TokenOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    read_only: bool
    apps: list[str]


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The clear token, shown this once: store it now.")
