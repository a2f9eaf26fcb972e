from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttritionConfig(AppConfig):
    name = "fidelia.attrition"
    label = "attrition"
    verbose_name = _("Attrition")
