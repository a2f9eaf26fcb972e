from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from fidelia.core.api import Page, text
from fidelia.knowledge.enums import ArticleKind, ArticleLanguage, ArticleStatus, Audience

Text200, Text50k = text(200), text(50_000)


class ArticleIn(Schema):
    title: Text200 = Field(..., min_length=1)
    body: Text50k = Field(..., min_length=1)
    kind: ArticleKind = ArticleKind.QUESTION
    language: ArticleLanguage = ArticleLanguage.FR
    category_id: int | None = Field(None, ge=1, le=2**53)
    audience: Audience = Audience.INTERNAL
    status: ArticleStatus = ArticleStatus.DRAFT


class ArticleOut(Schema):
    id: int
    title: str
    kind: str
    language: str
    category_id: int | None
    audience: str
    status: str
    usage_count: int
    version: int
    updated_at: dt.datetime


class ArticleDetailOut(ArticleOut):
    body: str


class ArticleSearchIn(Schema):
    q: Text200 = ""
    language: ArticleLanguage | None = None
    limit: int = Field(20, ge=1, le=50)


ArticlePage = Page[ArticleOut]
