from django.urls import include, path

from config.api import api
from fidelia.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("fidelia.accounts.urls")),
    path("customers/", include("fidelia.parties.urls")),
    path("interactions/", include("fidelia.interactions.urls")),
    path("sales/", include("fidelia.sales.urls")),
    path("agenda/", include("fidelia.agenda.urls")),
    path("actions/", include("fidelia.actions.urls")),
    path("service/", include("fidelia.service.urls")),
    path("knowledge/", include("fidelia.knowledge.urls")),
    path("surveys/", include("fidelia.surveys.urls")),
    path("marketing/", include("fidelia.marketing.urls")),
    path("loyalty/", include("fidelia.loyalty.urls")),
    path("value/", include("fidelia.clv.urls")),
    path("attrition/", include("fidelia.attrition.urls")),
    path("privacy/", include("fidelia.privacy.urls")),
    path("imports/", include("fidelia.imports.urls")),
    path("duplicates/", include("fidelia.dedup.urls")),
    path("analytics/", include("fidelia.analytics.urls")),
    path("portfolio/", include("fidelia.portfolio.urls")),
    path("bi/", include("fidelia.bi.urls")),
    path("api/", api.urls),
]
