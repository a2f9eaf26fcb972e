"""The REST API: one NinjaAPI mounting each app's router. OpenAPI schema and docs under /api/."""
from ninja import NinjaAPI

api = NinjaAPI(title="Fidelia API", version="1.0.0", docs_url="/docs", urls_namespace="api")
