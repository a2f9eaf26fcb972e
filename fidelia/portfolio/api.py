"""REST API of portfolio management."""
from ninja import Router

router = Router(tags=["Portfolio management"])
