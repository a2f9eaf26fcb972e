"""REST API of imports."""
from ninja import Router

router = Router(tags=["Imports"])
