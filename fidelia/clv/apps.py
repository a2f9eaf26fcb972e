from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClvConfig(AppConfig):
    name = "fidelia.clv"
    label = "clv"
    verbose_name = _("Customer value")

    def ready(self) -> None:
        from fidelia.clv.facts import register_facts
        from fidelia.clv.privacy import register_hooks
        from fidelia.clv.tasks import on_purchases_recorded
        from fidelia.sales.signals import purchases_recorded

        register_facts()
        register_hooks()
        # A purchase (or an import batch) revalues its customers at once with the last fit.
        purchases_recorded.connect(on_purchases_recorded, dispatch_uid="clv.rescore_on_purchase")
