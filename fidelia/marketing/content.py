"""Message templates with personalisation fields: `{{ first_name }}`… validated before saving
(an unknown field is refused with its name) and rendered per recipient."""
from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.html import escape
from django.utils.translation import gettext as _

from fidelia.core.errors import ValidationFailed

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
FIELDS = ("civility", "first_name", "last_name", "display_name", "city", "owner_name",
          "unsubscribe_url", "tracked_url")


def template_fields(text: str) -> list[str]:
    return FIELD.findall(text or "")


def validate_template(text: str, *, where: str) -> None:
    """Refuse a template using an unknown field or a stray brace pair."""
    unknown = [f for f in template_fields(text) if f not in FIELDS]
    if unknown:
        message = _("Unknown personalisation field %(field)s in %(where)s (known fields: %(known)s).") % {
            "field": "{{ " + unknown[0] + " }}", "where": where, "known": ", ".join(FIELDS)}
        raise ValidationFailed(message, fields={where: [message]})


def render(text: str, values: Mapping[str, str], *, html: bool = False) -> str:
    """Replace each field by its value (HTML-escaped when `html`); validated templates only."""
    def sub(match: re.Match[str]) -> str:
        value = str(values.get(match.group(1), ""))
        return escape(value) if html else value
    return FIELD.sub(sub, text or "")
