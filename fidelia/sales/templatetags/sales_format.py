"""Locale-aware rates for the sales pages (amounts use the shared `money` filter of `fidelia`)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()

# Languages that write a percentage without a space (25%); French writes 25 %.
NO_SPACE_BEFORE_PERCENT = ("en",)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def percent(value: Any, decimals: int = 0) -> str:
    """A share between 0 and 1 written as a percentage (0.256 → '26 %' in French, '26%' in English)."""
    share = _decimal(value)
    if share is None:
        return ""
    places = max(int(decimals), 0)
    scaled = (share * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = number_format(scaled, decimal_pos=places, use_l10n=True)
    if (get_language() or "").split("-")[0] in NO_SPACE_BEFORE_PERCENT:
        return f"{digits}%"
    return f"{digits}\u00a0%"
