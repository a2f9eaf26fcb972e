"""REST API of satisfaction surveys."""
from __future__ import annotations

from ninja import Router

router = Router(tags=["Satisfaction surveys"])
