from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    name = "fidelia.dedup"
    label = "dedup"
    verbose_name = _("Deduplication")

    def ready(self) -> None:
        from fidelia.dedup.privacy import register_hooks

        register_hooks()
