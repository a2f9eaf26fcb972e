from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttritionConfig(AppConfig):
    name = "fidelia.attrition"
    label = "attrition"
    verbose_name = _("Attrition")

    def ready(self) -> None:
        from fidelia.attrition.facts import register_facts
        from fidelia.attrition.privacy import register_hooks

        register_facts()
        register_hooks()
