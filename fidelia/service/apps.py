from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "fidelia.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from fidelia.service.facts import register_facts

        register_facts()
