from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiConfig(AppConfig):
    name = "fidelia.bi"
    label = "bi"
    verbose_name = _("BI feed")

    def ready(self) -> None:
        from fidelia.bi.privacy import register_hooks
        from fidelia.bi.tables import register_core_tables

        register_hooks()
        register_core_tables()
