from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "fidelia.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from fidelia.analytics.privacy import register_hooks

        register_hooks()
