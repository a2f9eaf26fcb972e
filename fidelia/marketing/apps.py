from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "fidelia.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from fidelia.marketing.facts import register_facts
        from fidelia.marketing.privacy import register_hooks
        from fidelia.marketing.receivers import connect
        from fidelia.marketing.timeline import register_timeline

        register_facts()
        register_hooks()
        register_timeline()
        connect()
