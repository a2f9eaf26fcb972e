from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "fidelia.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from fidelia.privacy import privacy, signals

        signals.connect()
        privacy.register_hooks()
