"""Writes of the knowledge base: create, update, publish and index articles; count their uses.

Every write re-indexes the article (`article_index`) in the same transaction, so search never sees a
stale vector. Bodies are plain text (shown escaped with line breaks): no HTML is ever rendered.
"""
from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.core import events
from fidelia.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from fidelia.knowledge import textsearch
from fidelia.knowledge.enums import ArticleKind, ArticleLanguage, ArticleStatus, Audience
from fidelia.knowledge.models import Article, ArticleCategory

MAX_BODY = 50_000
FIELDS = ("title", "body", "kind", "language", "category", "audience", "status")


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values["title"] = (values.get("title") or "").strip()
    values["body"] = (values.get("body") or "").strip()
    if not values["title"]:
        errors["title"] = [_("The title is required.")]
    elif len(values["title"]) > 200:
        errors["title"] = [_("The title is limited to 200 characters.")]
    if not values["body"]:
        errors["body"] = [_("The body is required.")]
    elif len(values["body"]) > MAX_BODY:
        errors["body"] = [_("The body is limited to %(n)s characters.") % {"n": MAX_BODY}]
    for name, enum in (("kind", ArticleKind), ("language", ArticleLanguage), ("audience", Audience),
                       ("status", ArticleStatus)):
        if values.get(name) not in enum.values:
            errors[name] = [_("Choose one of: %(values)s.") % {"values": ", ".join(enum.values)}]
    category = values.get("category")
    if category is not None and not isinstance(category, ArticleCategory):
        errors["category"] = [_("Unknown category.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return values


def article_index(*, article: Article) -> None:
    """Write the derived search columns of `article` (vector on PostgreSQL, folded terms everywhere)."""
    text = textsearch.index_text(article.title, article.body, article.language)
    updates: dict[str, Any] = {"search_text": text}
    if connection.vendor == "postgresql":
        config = "fidelia_fr" if article.language == ArticleLanguage.FR else "fidelia_en"
        updates["search_vector"] = (SearchVector("title", weight="A", config=config)
                                    + SearchVector("body", weight="B", config=config))
    Article.objects.filter(pk=article.pk).update(**updates)
    article.search_text = text


def _check_editor(actor: Any) -> None:
    if not policies.can_edit_knowledge(actor):
        raise PermissionDenied(_("You may not edit the knowledge base."))


@transaction.atomic
def article_create(*, actor: Any, title: str, body: str, kind: str = ArticleKind.QUESTION,
                   language: str = ArticleLanguage.FR, category: ArticleCategory | None = None,
                   audience: str = Audience.INTERNAL, status: str = ArticleStatus.DRAFT,
                   products: list[Any] | None = None) -> Article:
    """A new article by an editor (agents, administrators); indexed at once."""
    _check_editor(actor)
    values = _validate({"title": title, "body": body, "kind": kind, "language": language, "category": category,
                        "audience": audience, "status": status})
    article = Article.objects.create(
        **values, author=actor if getattr(actor, "pk", None) else None,
        published_at=timezone.now() if status == ArticleStatus.PUBLISHED else None)
    if products:
        article.products.set(products)
    article_index(article=article)
    events.record(actor=actor, action="article.created", obj=article, party_id=None,
                  changes={"title": title, "status": status})
    return article


@transaction.atomic
def article_update(*, article: Article, actor: Any, version: int, products: list[Any] | None = None,
                   **changes: Any) -> Article:
    """Change an article's fields; refused when `version` is not the stored one (someone saved first)."""
    _check_editor(actor)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    current = Article.objects.select_for_update().get(pk=article.pk)
    if current.version != version:
        raise StaleVersion(_("This article was changed by someone else; reload it and try again."))
    values = _validate({name: changes.get(name, getattr(current, name)) for name in FIELDS})
    diff = events.diff(current, values)
    for name, value in values.items():
        setattr(current, name, value)
    if current.status == ArticleStatus.PUBLISHED and current.published_at is None:
        current.published_at = timezone.now()
    current.version += 1
    current.save()
    if products is not None:
        current.products.set(products)
    article_index(article=current)
    events.record(actor=actor, action="article.updated", obj=current, party_id=None, changes=diff)
    return current


@transaction.atomic
def article_delete(*, article: Article, actor: Any) -> None:
    _check_editor(actor)
    events.record(actor=actor, action="article.deleted", obj=article, party_id=None,
                  changes={"title": article.title})
    article.delete()


def article_note_use(*, article: Article, actor: Any) -> None:
    """Count one use of `article` (an agent inserted or linked it in an answer). One atomic UPDATE,
    so concurrent uses are all counted; the version is not bumped (a use is not an edit)."""
    Article.objects.filter(pk=article.pk).update(usage_count=F("usage_count") + 1)


@transaction.atomic
def category_get_or_create(*, name: str) -> ArticleCategory:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("A category name has 1 to 100 characters."), fields={"name": [_("Invalid.")]})
    return ArticleCategory.objects.get_or_create(name=name)[0]
