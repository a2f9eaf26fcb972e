"""Facts about customers that service owns, registered for action rules and segments."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact


def _open_complaints() -> Coalesce:
    from fidelia.service.enums import ACTIVE_STATUSES, CaseKind
    from fidelia.service.models import Case

    counted = (Case.objects.filter(party=OuterRef("pk"), kind=CaseKind.COMPLAINT, status__in=ACTIVE_STATUSES)
               .order_by().values("party").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _complaints_365d() -> Coalesce:
    from fidelia.service.enums import CaseKind
    from fidelia.service.models import Case

    counted = (Case.objects.filter(party=OuterRef("pk"), kind=CaseKind.COMPLAINT,
                                   opened_at__gte=Now() - dt.timedelta(days=365))
               .order_by().values("party").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _sla_breached() -> Exists:
    from fidelia.service.enums import ACTIVE_STATUSES
    from fidelia.service.models import Case

    return Exists(Case.objects.filter(Q(first_response_breached=True) | Q(resolution_breached=True),
                                      party=OuterRef("pk"), status__in=ACTIVE_STATUSES))


def register_facts() -> None:
    register_fact(Fact("service.open_complaints", _("Open complaints"), "number", _open_complaints,
                       help=_("Complaints not yet resolved.")))
    register_fact(Fact("service.complaints_365d", _("Complaints, last 12 months"), "number", _complaints_365d))
    register_fact(Fact("service.sla_breached", _("A case is past its service deadline"), "boolean", _sla_breached,
                       help=_("An open case missed its first-response or resolution target.")))
