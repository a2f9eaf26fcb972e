from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClvConfig(AppConfig):
    name = "fidelia.clv"
    label = "clv"
    verbose_name = _("Customer value")
