"""The REST API: one NinjaAPI mounting each app's router. OpenAPI schema and docs under /api/.

Authentication: a personal token (`Authorization: Bearer fid_...`) or the web session (for the
browsable docs at /api/docs). Errors share one JSON shape, see `fidelia.core.api`.
"""
from fidelia.accounts.api import ActiveSessionAuth, TokenAuth
from fidelia.accounts.api import router as accounts_router
from fidelia.core.api import FideliaAPI, install_error_handlers
from fidelia.interactions.api import router as interactions_router
from fidelia.parties.api import router as parties_router
from fidelia.sales.api import router as sales_router

api = FideliaAPI(
    title="Fidelia API",
    version="1.0.0",
    description=(
        "The customer file of Fidelia (GRC). Authenticate with `Authorization: Bearer <token>` "
        "(create one with `fidelia createtoken` or POST /api/tokens). Every error has the shape "
        '`{"error": {"code", "message", "fields": {field: [messages]}}}`. Reading a record returns '
        "its version in the ETag header; PATCH needs it in If-Match (428 without, 412 when stale)."
    ),
    docs_url="/docs",
    urls_namespace="api",
    auth=[TokenAuth(), ActiveSessionAuth()],
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", parties_router)
api.add_router("", interactions_router)
api.add_router("", sales_router)
api.add_router("", "fidelia.privacy.api.router")  # data-subject request register (DPO)
api.add_router("", "fidelia.imports.api.router")
api.add_router("", "fidelia.dedup.api.router")
api.add_router("", "fidelia.analytics.api.router")
api.add_router("", "fidelia.portfolio.api.router")
api.add_router("", "fidelia.bi.api.router")
api.add_router("", "fidelia.agenda.api.router")
api.add_router("", "fidelia.actions.api.router")
api.add_router("", "fidelia.service.api.router")
api.add_router("", "fidelia.knowledge.api.router")
api.add_router("", "fidelia.surveys.api.router")
api.add_router("", "fidelia.marketing.api.router")
api.add_router("", "fidelia.loyalty.api.router")
api.add_router("", "fidelia.clv.api.router")
api.add_router("", "fidelia.attrition.api.router")
