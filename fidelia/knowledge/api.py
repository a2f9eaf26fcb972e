"""REST API of knowledge base."""
from __future__ import annotations

from ninja import Router

router = Router(tags=["Knowledge base"])
