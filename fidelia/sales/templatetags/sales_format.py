"""Locale-aware formatting of sales figures: euros and rates, as the reader's language writes them."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()

# Languages that write the currency sign before the amount (€1,234.50); the others write 1 234,50 €.
SIGN_FIRST = ("en",)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def euros(value: Any) -> str:
    """An amount in euros with two decimals, grouped and placed the way the active language writes it."""
    amount = _decimal(value)
    if amount is None:
        return ""
    # number_format truncates extra decimals: round first, as an accountant would
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    digits = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    sign = "-" if amount < 0 else ""
    if (get_language() or "").split("-")[0] in SIGN_FIRST:
        return f"{sign}€{digits}"
    return f"{sign}{digits}\u00a0€"


@register.filter
def percent(value: Any, decimals: int = 0) -> str:
    """A share between 0 and 1 written as a percentage (0.256 → '26 %' in French, '26%' in English)."""
    share = _decimal(value)
    if share is None:
        return ""
    places = max(int(decimals), 0)
    scaled = (share * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = number_format(scaled, decimal_pos=places, use_l10n=True)
    if (get_language() or "").split("-")[0] in SIGN_FIRST:
        return f"{digits}%"
    return f"{digits}\u00a0%"
