"""Template filters of the portfolio pages."""
from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any) -> float | str:
    """A 0–1 ratio as a percentage number (format it with floatformat); '' for None."""
    if value is None or value == "":
        return ""
    return float(value) * 100
