"""REST API of deduplication."""
from ninja import Router

router = Router(tags=["Deduplication"])
