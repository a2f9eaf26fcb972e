"""The `marketing.interactions_90d` fact counts contacts with the customer, not colleagues' notes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.interactions.services import interaction_log
from fidelia.marketing.selectors import segment_evaluate
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db


def _matching(user, n: int) -> set[int]:
    definition = {"all": [{"fact": "marketing.interactions_90d", "operator": "gte", "value": n}]}
    return set(segment_evaluate(definition=definition, user=user).values_list("pk", flat=True))


def test_internal_notes_are_not_contacts(personas) -> None:
    called = factories.person(owner=personas.alice)
    noted = factories.person(owner=personas.alice)
    interaction_log(party=called, actor=personas.alice, channel="phone", direction="outbound", subject="Appel")
    for i in range(2):
        interaction_log(party=noted, actor=personas.service, channel="other", direction="outbound",
                        subject=f"Note {i}", internal=True)
    # an old call is out of the 90-day window
    interaction_log(party=noted, actor=personas.alice, channel="phone", direction="outbound", subject="Ancien",
                    occurred_at=timezone.now() - dt.timedelta(days=120))
    assert _matching(personas.marketing, 1) == {called.pk}
    interaction_log(party=noted, actor=personas.alice, channel="visit", direction="outbound", subject="Visite")
    assert _matching(personas.marketing, 1) == {called.pk, noted.pk}
    assert _matching(personas.marketing, 2) == set()
