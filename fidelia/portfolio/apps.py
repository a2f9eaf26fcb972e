from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "fidelia.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio management")

    def ready(self) -> None:
        from fidelia.portfolio.privacy import register_hooks

        register_hooks()
