"""Appointments, calendar delegations and private iCalendar feeds.

An appointment sits in its owner's calendar; attendees (colleagues) see it in theirs too. The
customer (`party`, optional) is personal data: `privacy.py` exports the subject's appointments and
anonymises them on erasure; the retention register keeps them 36 months after they took place.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fidelia.agenda.enums import AppointmentChannel, AppointmentStatus, ShareLevel
from fidelia.core.models import VersionedModel


class Appointment(VersionedModel):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("calendar of"), on_delete=models.CASCADE,
                              related_name="appointments")
    # The owner's team when booked, so team managers read their team's calendars (`owned_read_filter`).
    team = models.ForeignKey("accounts.Team", verbose_name=_("team / agency"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    channel = models.CharField(_("channel"), max_length=10, choices=AppointmentChannel.choices,
                               default=AppointmentChannel.VISIT)
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    party = models.ForeignKey("parties.Party", verbose_name=_("customer"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="appointments")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="appointments")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("colleagues attending"),
                                       blank=True, related_name="appointments_attended")
    customer_attends = models.BooleanField(_("the customer attends"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.PLANNED, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    report = models.TextField(_("meeting report"), blank=True)
    notes = models.TextField(_("preparation notes"), blank=True)
    interaction = models.ForeignKey("interactions.Interaction", null=True, blank=True, editable=False,
                                    on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["owner", "start"], name="agenda_owner_start"),
                   models.Index(fields=["party", "start"], name="agenda_party_start")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="agenda_end_after_start")]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status != AppointmentStatus.CANCELLED


class CalendarShare(models.Model):
    """`owner` lets `delegate` read (or read and book in) their calendar."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("calendar of"), on_delete=models.CASCADE,
                              related_name="calendar_shares_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shared with"), on_delete=models.CASCADE,
                                 related_name="calendar_shares_received")
    level = models.CharField(_("rights"), max_length=5, choices=ShareLevel.choices, default=ShareLevel.READ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["owner_id", "delegate_id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "delegate"], name="agenda_share_unique"),
            models.CheckConstraint(condition=~Q(owner=F("delegate")), name="agenda_share_not_self"),
        ]
        verbose_name = _("calendar share")
        verbose_name_plural = _("calendar shares")

    def __str__(self) -> str:
        return f"{self.owner} → {self.delegate} ({self.level})"


class CalendarFeed(models.Model):
    """A user's private iCalendar feed: only the SHA-256 of the token is stored; rotating or
    revoking replaces or deletes the row, so the old URL stops working at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    # The owner decides whether customer names go out to the external calendar application.
    include_customers = models.BooleanField(_("show customer names in the feed"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
