"""HTMX helpers: one view, two templates (the page includes the partial the fragment renders)."""
from __future__ import annotations

from django.http import HttpRequest


def pick_template(request: HttpRequest, page: str, partial: str) -> str:
    return partial if getattr(request, "htmx", False) else page
