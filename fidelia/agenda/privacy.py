"""Appointments with a data subject, for the privacy registry and the retention register.

Export returns the subject's appointments (when, how, with whom in the company, what was reported).
Erasure anonymises them in place: the slot stays in the rep's calendar (their working time is not
the subject's data) without the customer, the title, the place and the report. The retention line
"agenda_appointments" does the same 36 months after an appointment took place.
"""
from __future__ import annotations

from typing import Any

from fidelia.agenda.models import Appointment
from fidelia.agenda.services import appointments_anonymise
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RETENTION_KEY = "agenda_appointments"


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's appointments, in plain JSON values."""
    rows = (Appointment.objects.filter(party_id=party_id).order_by("start", "id")
            .values("title", "start", "end", "channel", "place", "status", "outcome", "report",
                    "owner__first_name", "owner__last_name"))
    return {"appointments": [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in r.items()}
                             for r in rows]}


def erase(party_id: int) -> int:
    """Anonymise the subject's appointments; returns the number of rows changed."""
    return appointments_anonymise(party_id=party_id)


def appointments_past_retention(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Appointments with a customer that ended before the cutoff are anonymised."""
    cutoff = policy.cutoff(now)
    matched = Appointment.objects.filter(party__isnull=False, end__lt=cutoff).count()
    acted = appointments_anonymise(before=cutoff) if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    # Before the party app (order 100) erases the party row itself.
    register(PrivacyHooks(app_label="agenda", export=export, erase=erase, order=140))
    register_retention(RETENTION_KEY, appointments_past_retention)
