"""REST API of customer service."""
from __future__ import annotations

from ninja import Router

router = Router(tags=["Customer service"])
