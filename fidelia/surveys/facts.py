"""Customer facts of satisfaction for action rules and segments (registered from `apps.ready`)."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact
from fidelia.surveys.metrics import NPS_DETRACTOR_MAX


def _last_nps() -> Subquery:
    from fidelia.surveys.models import SurveyResponse

    return Subquery(SurveyResponse.objects.filter(party_id=OuterRef("pk"), nps__isnull=False)
                    .order_by("-answered_at", "-id").values("nps")[:1])


def _nps_detractor() -> Exists:
    from fidelia.surveys.models import SurveyResponse

    latest = (SurveyResponse.objects.filter(party_id=OuterRef(OuterRef("pk")), nps__isnull=False)
              .order_by("-answered_at", "-id").values("pk")[:1])
    return Exists(SurveyResponse.objects.filter(pk=Subquery(latest), nps__lte=NPS_DETRACTOR_MAX))


def register_facts() -> None:
    register_fact(Fact("surveys.last_nps", _("Last NPS answer (0–10)"), "number", _last_nps,
                       help=_("The customer's latest answer to an NPS question; empty if never answered.")))
    register_fact(Fact("surveys.nps_detractor", _("NPS detractor"), "boolean", _nps_detractor,
                       help=_("The latest NPS answer is 0 to 6.")))
