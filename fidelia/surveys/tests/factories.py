from __future__ import annotations

from typing import Any

from fidelia.surveys.models import Survey
from fidelia.surveys.services import TOKEN_IN_LINK, survey_create


def survey(*, actor: Any, kind: str = "csat", **overrides: Any) -> Survey:
    values: dict[str, Any] = {"name": f"{kind.upper()} test", "kind": kind, "language": "fr", "status": "active",
                              "title": "Votre avis compte"}
    values.update(overrides)
    return survey_create(actor=actor, **values)


def tokens_from(mail_server: Any) -> list[str]:
    """The answer tokens in the e-mails the loopback SMTP server received, in order."""
    found = []
    for item in mail_server.messages:
        body = item.message.get_body(preferencelist=("plain",)).get_content()
        found += TOKEN_IN_LINK.findall(body)
    return found
