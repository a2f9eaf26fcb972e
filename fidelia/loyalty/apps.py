from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "fidelia.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from fidelia.loyalty.facts import register_facts
        from fidelia.loyalty.privacy import register_hooks
        from fidelia.loyalty.receivers import connect

        register_hooks()
        register_facts()
        connect()
