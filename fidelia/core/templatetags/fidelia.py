"""Display filters shared by every page: money, phones, ages, badges. All follow the active locale."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats, timezone, translation

from fidelia.core.validation import format_phone

register = template.Library()

NBSP = "\xa0"

# Where the euro sign goes, per language: French writes "1 234,50 €", English "€1,234.50".
_SYMBOL_AFTER = {"fr"}


@register.filter
def money(value: Any, decimals: int = 2) -> str:
    """Format an amount in euros for the active language; empty string for None or garbage."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    number = formats.number_format(abs(amount), decimal_pos=int(decimals), use_l10n=True,
                                   force_grouping=True)
    language = (translation.get_language() or "fr").split("-")[0]
    if language in _SYMBOL_AFTER:
        return f"{sign}{number}{NBSP}€"
    return f"{sign}€{number}"


@register.filter
def phone(value: str | None) -> str:
    """E.164 number as people read it (06 12 34 56 78 for French numbers)."""
    return format_phone(value) if value else ""


@register.filter
def age(birth: dt.date | None, on: dt.date | None = None) -> int | None:
    """Age in whole years on `on` (today by default); None without a birth date."""
    if not birth:
        return None
    today = on or timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@register.filter
def initials(name: str | None) -> str:
    """Up to two initials for an avatar ('Alice MARTIN' -> 'AM')."""
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


@register.filter
def field_errors(errors: dict[str, list[str]] | None, name: str) -> list[str]:
    """Messages for one field in a plain {field: [messages]} mapping (used outside Django forms)."""
    return list((errors or {}).get(name, []))


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """The current list URL with its filters kept and `page` set."""
    request = context["request"]
    params = request.GET.copy()
    params["page"] = number
    return f"{request.path}?{params.urlencode()}"


@register.inclusion_tag("components/sort_header.html", takes_context=True)
def sort_header(context: template.Context, key: str, label: str) -> dict[str, Any]:
    """A column header that sorts by `key`, and reverses the order when it already does."""
    request = context["request"]
    current = context.get("sort") or "name"
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
    return {"url": f"{request.path}?{params.urlencode()}", "label": label, "state": state}
