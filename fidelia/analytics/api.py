"""REST API of analytics."""
from ninja import Router

router = Router(tags=["Analytics"])
