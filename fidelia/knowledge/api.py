"""REST API of the knowledge base: search and read articles (staff), write them (editors), count uses.

Drafts and internal articles are 404 to whoever may not read them, like the pages.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import (
    IF_MATCH,
    RowId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    resolve,
    set_etag,
)
from fidelia.knowledge import selectors, services
from fidelia.knowledge.models import Article, ArticleCategory
from fidelia.knowledge.schemas import ArticleDetailOut, ArticleIn, ArticleOut, ArticleSearchIn

router = Router(tags=["Knowledge base"])


def _reader(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_read_knowledge(user):
        raise Http404
    return user


def _editor(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_edit_knowledge(user):
        raise Http404
    return user


@router.get("/knowledge/articles", response={200: list[ArticleOut], **errors(404)}, summary="Search articles")
def search_articles(request: HttpRequest, filters: Query[ArticleSearchIn]) -> list[Article]:
    """Ranked search when `q` is given (accent- and stemming-aware), else the most used articles."""
    user = _reader(request)
    rows = selectors.article_list(user=user, q=filters.q, language=filters.language or "")
    return list(rows[:filters.limit])


@router.get("/knowledge/articles/{article_id}", response={200: ArticleDetailOut, **errors(404)},
            summary="An article", openapi_extra=etag_documented())
def get_article(request: HttpRequest, response: HttpResponse, article_id: int = RowId) -> Article:
    article = selectors.article_get_for_user(user=_reader(request), pk=article_id)
    set_etag(response, article.version)
    return article


def _fields(payload: ArticleIn) -> dict[str, Any]:
    data = payload.dict()
    data["category"] = resolve(ArticleCategory.objects.all(), data.pop("category_id"), field="category_id")
    return data


@router.post("/knowledge/articles", response={201: ArticleDetailOut, **errors(404, 422)}, summary="Create an article")
def create_article(request: HttpRequest, payload: ArticleIn) -> Status[Article]:
    return Status(201, services.article_create(actor=_editor(request), **_fields(payload)))


@router.put("/knowledge/articles/{article_id}", response={200: ArticleDetailOut, **errors(404, 412, 422, 428)},
            summary="Replace an article", openapi_extra=etag_documented())
def update_article(request: HttpRequest, response: HttpResponse, payload: ArticleIn, article_id: int = RowId,
                   if_match: str | None = IF_MATCH) -> Article:
    user = _editor(request)
    article = selectors.article_get_for_user(user=user, pk=article_id)
    article = services.article_update(article=article, actor=user, version=if_match_version(if_match),
                                      **_fields(payload))
    set_etag(response, article.version)
    return article


@router.post("/knowledge/articles/{article_id}/uses", response={204: None, **errors(404)},
             summary="Count one use of an article")
def use_article(request: HttpRequest, article_id: int = RowId) -> Status[None]:
    user = _reader(request)
    services.article_note_use(article=selectors.article_get_for_user(user=user, pk=article_id), actor=user)
    return Status(204, None)
