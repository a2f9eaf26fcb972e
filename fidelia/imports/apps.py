from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "fidelia.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from fidelia.imports import privacy
        from fidelia.imports.targets import ensure_registered

        privacy.register_hooks()
        ensure_registered()
