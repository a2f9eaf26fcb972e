"""Writes on the customer timeline."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core import events
from fidelia.core.errors import ValidationFailed
from fidelia.interactions.models import Interaction
from fidelia.parties.models import Party
from fidelia.parties.services import party_note_contact


@transaction.atomic
def interaction_log(*, party: Party, actor: User, channel: str, direction: str, subject: str,
                    outcome: str = "", report: str = "", occurred_at: dt.datetime | None = None,
                    internal: bool = False) -> Interaction:
    """Record a contact with the customer; the author is always the acting user.

    Moves the party's last inbound or outbound contact date forward (`party_note_contact`), except
    for an `internal` note, which is kept in the timeline but is no contact with the customer.
    """
    if not policies.can_log_interaction(actor):
        raise ValidationFailed(_("You may not log interactions."))
    errors: dict[str, list[str]] = {}
    when = occurred_at or timezone.now()
    if not subject.strip():
        errors["subject"] = [_("The subject is required.")]
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = [_("An interaction cannot be logged in the future; book an appointment instead.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    row = Interaction.objects.create(party=party, channel=channel, direction=direction, subject=subject.strip(),
                                     outcome=outcome, report=report.strip(), occurred_at=when, author=actor,
                                     is_internal=internal)
    events.record(actor=actor, action="interaction.logged", obj=row, party_id=party.pk,
                  changes={"channel": channel, "direction": direction, "is_internal": internal})
    # Inbound contacts restart the prospect retention clock; outbound ones never do.
    if not internal:
        party_note_contact(party=party, direction=direction, occurred_at=when)
    return row
