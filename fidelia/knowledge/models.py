"""Articles of the knowledge base: questions and answers, product sheets and procedures.

`search_vector` (PostgreSQL full text, title weighted A, body B, per-language configuration) and
`search_text` (accent-folded, stemmed words for the SQLite fallback) are derived columns written by
`services.article_index`; nothing else writes them.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.knowledge.enums import ArticleKind, ArticleLanguage, ArticleStatus, Audience


class ArticleCategory(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return self.name


class Article(VersionedModel):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Plain text; blank lines separate paragraphs."))
    kind = models.CharField(_("kind"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.QUESTION)
    language = models.CharField(_("language"), max_length=2, choices=ArticleLanguage.choices,
                                default=ArticleLanguage.FR)
    category = models.ForeignKey(ArticleCategory, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="articles")
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.INTERNAL)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    usage_count = models.PositiveIntegerField(_("uses"), default=0)
    products = models.ManyToManyField("sales.Product", verbose_name=_("products"), blank=True,
                                      related_name="articles")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["status", "audience", "language"])]

    def __str__(self) -> str:
        return self.title
