from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClvConfig(AppConfig):
    name = "fidelia.clv"
    label = "clv"
    verbose_name = _("Customer value")

    def ready(self) -> None:
        from fidelia.clv.facts import register_facts
        from fidelia.clv.privacy import register_hooks

        register_facts()
        register_hooks()
