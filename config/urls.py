from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="parties:list", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
