from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "fidelia.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from django.conf import settings

        from fidelia.service.facts import register_facts
        from fidelia.service.privacy import register_hooks
        from fidelia.service.sla import parse_weekly_hours

        # a typo in the business hours fails at start-up, not at the first case
        parse_weekly_hours(settings.FIDELIA_SERVICE_HOURS)
        register_facts()
        register_hooks()
