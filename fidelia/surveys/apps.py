from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "fidelia.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from fidelia.surveys.facts import register_facts
        from fidelia.surveys.privacy import register_hooks

        register_hooks()
        register_facts()
