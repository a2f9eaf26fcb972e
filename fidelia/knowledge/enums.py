from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    QUESTION = "question", _("Question and answer")
    PRODUCT_SHEET = "product_sheet", _("Product sheet")
    PROCEDURE = "procedure", _("Procedure")


class ArticleLanguage(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
