from django.db import models
from django.utils.translation import gettext_lazy as _


class InteractionChannel(models.TextChoices):
    VISIT = "visit", _("Visit")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("SMS")
    WEB = "web", _("Web")
    CALL_CENTRE = "call_centre", _("Call centre")
    POINT_OF_SALE = "point_of_sale", _("Point of sale")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound (from the customer)")
    OUTBOUND = "outbound", _("Outbound (to the customer)")


class Outcome(models.TextChoices):
    DONE = "done", _("Done")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("To call back")
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")
    SALE = "sale", _("Sale")
    COMPLAINT = "complaint", _("Complaint")
