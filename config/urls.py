from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="parties:list", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("fidelia.accounts.urls")),
    path("customers/", include("fidelia.parties.urls")),
    path("interactions/", include("fidelia.interactions.urls")),
    path("sales/", include("fidelia.sales.urls")),
    path("api/", api.urls),
]
