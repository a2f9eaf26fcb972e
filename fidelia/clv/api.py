"""REST API of customer value."""
from __future__ import annotations

from ninja import Router

router = Router(tags=["Customer value"])
