from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "fidelia.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from fidelia.sales.facts import register_facts
        from fidelia.sales.privacy import register_hooks

        register_hooks()
        register_facts()
