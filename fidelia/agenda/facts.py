"""Customer facts the agenda owns, for action rules and segments."""
from __future__ import annotations

from django.db.models import Expression, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact


def _next_appointment_on() -> Expression:
    from fidelia.agenda.enums import AppointmentStatus
    from fidelia.agenda.models import Appointment
    rows = (Appointment.objects.filter(party_id=OuterRef("pk"), status=AppointmentStatus.PLANNED,
                                       start__gte=timezone.now())
            .order_by("start").annotate(day=TruncDate("start")).values("day")[:1])
    return Subquery(rows)


def register_facts() -> None:
    register_fact(Fact(key="agenda.next_appointment_on", label=_("Next appointment on"), type="date",
                       expression=_next_appointment_on,
                       help=_("Date of the customer's next planned appointment; empty when none is booked.")))
