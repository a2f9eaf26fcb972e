"""The customer timeline (mémoire des contacts): every contact on every channel."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel
from fidelia.interactions.enums import Direction, InteractionChannel, Outcome


class Interaction(TimeStampedModel):
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(_("channel"), max_length=16, choices=InteractionChannel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    subject = models.CharField(_("subject"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    report = models.TextField(_("meeting report"), blank=True)
    occurred_at = models.DateTimeField(_("date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="interactions")
    # A colleague's note about the customer (e.g. on a service case): in the timeline, not a contact.
    # db_default: the bulk loaders (demo, seed, imports) write interactions without naming the column.
    is_internal = models.BooleanField(_("internal note"), default=False, db_default=False)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["party", "-occurred_at"])]

    def __str__(self) -> str:
        return self.subject
