from __future__ import annotations

from typing import Any

from fidelia.knowledge.models import Article
from fidelia.knowledge.services import article_create


def article(*, actor: Any, **overrides: Any) -> Article:
    values: dict[str, Any] = {"title": "Ouvrir un compte courant", "body": "Pièces à fournir : identité, domicile.",
                              "language": "fr", "audience": "internal", "status": "published"}
    values.update(overrides)
    return article_create(actor=actor, **values)
