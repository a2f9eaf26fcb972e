from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "fidelia.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from fidelia.interactions.privacy import register_hooks

        register_hooks()
