"""REST API of actions to take."""
from __future__ import annotations

from ninja import Router

router = Router(tags=["Actions to take"])
