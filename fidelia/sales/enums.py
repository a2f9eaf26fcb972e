from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    TACTICAL = "tactical", _("Tactical")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class SalesChannel(models.TextChoices):
    BRANCH = "branch", _("Branch / agency")
    SALES_FORCE = "sales_force", _("Sales force")
    CALL_CENTRE = "call_centre", _("Call centre")
    WEB = "web", _("Web")
    POINT_OF_SALE = "point_of_sale", _("Point of sale")
