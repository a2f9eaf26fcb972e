"""Choices of the agenda."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentChannel(models.TextChoices):
    VISIT = "visit", _("Visit at the customer's")
    OFFICE = "office", _("At the office")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class ShareLevel(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


# The interaction channel a held appointment lands in on the customer's timeline.
TIMELINE_CHANNEL = {
    AppointmentChannel.VISIT: "visit",
    AppointmentChannel.OFFICE: "point_of_sale",
    AppointmentChannel.PHONE: "phone",
    AppointmentChannel.VIDEO: "web",
}

# iCalendar STATUS of each appointment status (RFC 5545 §3.8.1.11).
ICAL_STATUS = {
    AppointmentStatus.PLANNED: "CONFIRMED",
    AppointmentStatus.DONE: "CONFIRMED",
    AppointmentStatus.NO_SHOW: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
}
