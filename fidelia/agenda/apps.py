from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "fidelia.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from fidelia.agenda.facts import register_facts
        from fidelia.agenda.privacy import register_hooks

        register_hooks()
        register_facts()
