"""Planning decides in SQL (`plan_decisions`): it must take, person by person, the decision of the
per-person rules (`evaluate` → `rules.exclusion_reason`) on a varied population."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import override_settings
from django.utils import timezone

from fidelia.marketing.eligibility import evaluate, plan_decisions
from fidelia.marketing.enums import ResponseKind
from fidelia.marketing.models import CampaignResponse, Solicitation
from fidelia.marketing.tests.factories import campaign, segment
from fidelia.parties.models import ConsentRecord, Party
from fidelia.parties.tests import factories
from fidelia.privacy.suppression import suppression_add

pytestmark = pytest.mark.django_db
PRESSURE = {"FIDELIA_MARKETING_PRESSURE_DAYS": 30, "FIDELIA_MARKETING_PRESSURE_MAX": 4,
            "FIDELIA_MARKETING_PRESSURE_MAX_EMAIL": 2, "FIDELIA_MARKETING_PRESSURE_MAX_SMS": 2,
            "FIDELIA_MARKETING_PRESSURE_MAX_POSTAL": 2, "FIDELIA_MARKETING_PRESSURE_MAX_PHONE": 4}


@pytest.fixture
def population(personas):
    """Every combination of stage × consent (none, yes, no, yes then no) × B2B × pressure, plus
    suppressed, erased, address-less people and phone refusals."""
    now = timezone.now()
    org = factories.organisation(owner=personas.alice)
    people, n = [], itertools.count()
    for stage, consent, b2b, sent in itertools.product(
            ["customer", "prospect"], [None, True, False, "flip"], [False, True], [0, 1, 2, 4]):
        p = factories.person(owner=personas.alice if next(n) % 2 else personas.bob, stage=stage,
                             organisation=org if b2b else None)
        people.append(p)
        for channel in ("email", "sms", "phone", "post"):
            if consent is not None:
                first = consent is not False
                ConsentRecord.objects.create(party=p, channel=channel, purpose="prospecting", granted=first,
                                             source="import", recorded_at=now - dt.timedelta(days=10))
                if consent == "flip":
                    ConsentRecord.objects.create(party=p, channel=channel, purpose="prospecting", granted=False,
                                                 source="import", recorded_at=now - dt.timedelta(days=5))
        for i in range(sent):  # at, below and beyond the caps, across channels, some outside the window
            Solicitation.objects.create(party=p, channel=["email", "phone", "sms"][i % 3], key=f"t{p.pk}:{i}",
                                        at=now - dt.timedelta(days=[2, 40, 10, 20][i]))
    people[0].email, people[1].phone, people[2].postcode = "", "", ""
    Party.objects.filter(pk=people[0].pk).update(email="")
    Party.objects.filter(pk=people[1].pk).update(phone="")
    Party.objects.filter(pk=people[2].pk).update(postcode="")
    Party.objects.filter(pk=people[3].pk).update(erased_at=now)
    suppression_add(kind="email", value=people[4].email)
    suppression_add(kind="phone", value=people[5].phone)
    suppression_add(kind="email", value=people[3].email)  # erased wins over suppressed
    seg = segment(actor=personas.marketing)
    for i, p in enumerate(people[6:12]):  # phone refusals, recent and old
        c = campaign(actor=personas.marketing, seg=seg, name=f"Call {i}")
        r = c.recipients.create(party=p)
        CampaignResponse.objects.create(recipient=r, kind=ResponseKind.REFUSAL,
                                        at=now - dt.timedelta(days=[10, 90][i % 2]))
    return [p.pk for p in people] + [org.pk, 10**9]  # an id that no longer exists is skipped


@override_settings(**PRESSURE)
@pytest.mark.parametrize("channel", ["email", "sms", "phone", "postal"])
def test_sql_planning_takes_the_per_person_decision(population, channel) -> None:
    now = timezone.now()
    expected = {pid: (reason or "", row["owner_id"], row["kind"])
                for pid, (reason, row) in evaluate(population, channel=channel, purpose="prospecting",
                                                   now=now).items()}
    got = {pid: (reason, owner, kind) for pid, reason, owner, kind, _language in
           plan_decisions(population, channel=channel, purpose="prospecting", now=now)}
    assert got == expected
    assert len({r for r, _o, _k in got.values()}) >= 3  # the population really is varied
