from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "fidelia.actions"
    label = "actions"
    verbose_name = _("Actions to take")

    def ready(self) -> None:
        from fidelia.actions.core_facts import register_core_facts
        from fidelia.actions.privacy import register_hooks

        register_core_facts()
        register_hooks()
