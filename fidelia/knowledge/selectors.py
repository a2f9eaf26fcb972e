"""Reads of the knowledge base: visible articles and the ranked search behind the list and the suggestions.

Staff (`can_read_knowledge`) read published articles, public and internal; editors also read drafts.
Anonymous visitors read published public articles only (`/knowledge/public/…`). A search runs on
PostgreSQL full text (`fidelia_fr` / `fidelia_en`: Snowball stemming + unaccent, title weighted A)
with a GIN index, and on SQLite over the stored folded-and-stemmed `search_text`.
"""
from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.http import Http404

from fidelia.accounts import policies
from fidelia.knowledge import textsearch
from fidelia.knowledge.enums import ArticleLanguage, ArticleStatus, Audience
from fidelia.knowledge.models import Article, ArticleCategory

SEARCH_CONFIGS = {ArticleLanguage.FR: "fidelia_fr", ArticleLanguage.EN: "fidelia_en"}
# Up to this many words every word must match (someone typing a query); beyond, any word may match and
# the rank sorts (an agent pasting a customer's sentence).
ALL_WORDS_UP_TO = 3
FALLBACK_CANDIDATES = 500
# The last word is matched as a prefix only while it is short (being typed): a long word is complete
# and stemmed; as a prefix of its stem ("paiement" → "pai:*") it would match far too many lexemes.
PREFIX_LENGTHS = range(3, 7)


def articles_for_user(user: Any) -> QuerySet[Article]:
    """Articles `user` may read: editors everything, staff published ones, anyone else published public."""
    if policies.can_edit_knowledge(user):
        return Article.objects.all()
    if policies.can_read_knowledge(user):
        return Article.objects.filter(status=ArticleStatus.PUBLISHED)
    return public_articles()


def public_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)


def article_get_for_user(*, user: Any, pk: Any) -> Article:
    """The article if `user` may read it; Http404 otherwise (drafts and internal articles do not leak)."""
    article = articles_for_user(user).select_related("category", "author").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def public_article_get(*, pk: Any) -> Article:
    article = public_articles().select_related("category").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def categories() -> QuerySet[ArticleCategory]:
    return ArticleCategory.objects.all()


def _postgres_search(qs: QuerySet[Article], words: list[str], limit: int) -> list[Article]:
    joiner = " & " if len(words) <= ALL_WORDS_UP_TO else " | "
    # The last word gets a prefix match so suggestions follow the agent while they type.
    last = words[-1] + (":*" if len(words[-1]) in PREFIX_LENGTHS else "")
    raw = joiner.join(words[:-1] + [last])
    clauses, ranks = Q(pk__in=[]), []
    for language, config in SEARCH_CONFIGS.items():
        query = SearchQuery(raw, search_type="raw", config=config)
        clauses |= Q(language=language, search_vector=query)
        ranks.append(When(language=language, then=SearchRank(F("search_vector"), query)))
    rank = Case(*ranks, default=Value(0.0), output_field=FloatField())
    # Rank the matches on narrow rows (id, rank, uses) and stop at the limit, then load the page's
    # articles: sorting thousands of whole articles (body, category) cost more than ranking them.
    top = list(qs.filter(clauses).annotate(rank=rank).order_by("-rank", "-usage_count", "-pk")
               .values_list("pk", "rank")[:limit])
    articles = qs.in_bulk([pk for pk, _rank in top])
    page = []
    for pk, score in top:
        article = articles[pk]
        article.rank = score
        page.append(article)
    return page


def _fallback_search(qs: QuerySet[Article], text: str, limit: int) -> list[Article]:
    per_language = {lang: textsearch.terms(text, lang) for lang in SEARCH_CONFIGS}
    clauses = Q(pk__in=[])
    for language, terms in per_language.items():
        if not terms:
            continue
        matches = [Q(search_text__contains=" " + t) for t in terms]
        combined = matches[0]
        for m in matches[1:]:
            combined = combined & m if len(terms) <= ALL_WORDS_UP_TO else combined | m
        clauses |= Q(language=language) & combined
    rows = list(qs.filter(clauses).order_by("-usage_count", "-pk")[:FALLBACK_CANDIDATES])
    for row in rows:
        row.rank = textsearch.fallback_score(row.search_text, per_language.get(row.language, []))
    rows.sort(key=lambda r: (-r.rank, -r.usage_count, -r.pk))
    return rows[:limit]


def article_search(*, user: Any, q: str, limit: int = 20, language: str = "", category_id: int | None = None,
                   public_only: bool = False) -> list[Article]:
    """Published articles matching `q` that `user` may read, best first (each with a `rank` attribute).

    Accent- and stemming-aware in French and English; an empty or all-punctuation query returns [].
    """
    words = textsearch.query_words(q)
    if not words:
        return []
    qs = (public_articles() if public_only else articles_for_user(user)).filter(status=ArticleStatus.PUBLISHED)
    if language:
        qs = qs.filter(language=language)
    if category_id:
        qs = qs.filter(category_id=category_id)
    qs = qs.select_related("category").defer("search_vector")
    if connection.vendor == "postgresql":
        return _postgres_search(qs, words, limit)
    return _fallback_search(qs, " ".join(words), limit)


def article_suggest(*, user: Any, text: str, limit: int = 5) -> list[Article]:
    """Articles to suggest while an agent types `text` (a case subject or description): [] for
    someone who may not read the knowledge base."""
    if not policies.can_read_knowledge(user):
        return []
    return article_search(user=user, q=text[:500], limit=limit)


def article_list(*, user: Any, q: str = "", language: str = "", category_id: int | None = None,
                 status: str = "") -> QuerySet[Article] | list[Article]:
    """The list page: a search when `q` is given, else the readable articles, most used first."""
    if q.strip():
        return article_search(user=user, q=q, limit=50, language=language, category_id=category_id)
    qs = articles_for_user(user).select_related("category").defer("search_vector", "search_text")
    if language:
        qs = qs.filter(language=language)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-usage_count", "title")
