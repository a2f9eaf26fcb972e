"""REST API of bi feed."""
from ninja import Router

router = Router(tags=["BI feed"])
