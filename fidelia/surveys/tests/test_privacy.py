"""Invitations and answers are the customer's data: exported, erased, deleted after 36 months."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from fidelia.parties.tests import factories
from fidelia.privacy.models import RetentionPolicy
from fidelia.privacy.services import subject_erase, subject_export
from fidelia.surveys import services
from fidelia.surveys.models import Answer, SurveyInvitation, SurveyResponse
from fidelia.surveys.privacy import RETENTION_KEY, invitations_to_delete
from fidelia.surveys.tests.factories import survey, tokens_from

pytestmark = pytest.mark.django_db


def _answered(mail_server, personas, party):
    csat = survey(actor=personas.service, kind="csat")
    services.survey_send_csat(party=party, reference="case:9", actor=personas.service)
    rating, free = csat.questions.all()
    services.response_submit(token=tokens_from(mail_server)[-1],
                             answers={str(rating.pk): "2", str(free.pk): "Attente trop longue"})


def test_export_and_erase(mail_server, personas):
    party = factories.person(owner=personas.alice)
    _answered(mail_server, personas, party)
    flat = str(subject_export(party_id=party.pk))
    assert "Attente trop longue" in flat and "case:9" in flat
    subject_erase(party_id=party.pk, actor=personas.dpo)
    assert not SurveyInvitation.objects.exists() and not SurveyResponse.objects.exists()
    assert not Answer.objects.exists()


def test_retention_line_and_hook(mail_server, personas):
    policy = RetentionPolicy.objects.get(key=RETENTION_KEY)
    assert (policy.duration, policy.duration_unit, policy.action) == (36, "months", "delete")
    with time_machine.travel(timezone.now() - dt.timedelta(days=365 * 3 + 40)):
        _answered(mail_server, personas, factories.person(owner=personas.alice))
    _answered(mail_server, personas, factories.person(owner=personas.bob))
    dry = invitations_to_delete(policy, now=timezone.now(), apply=False)
    assert (dry.matched, dry.acted, SurveyInvitation.objects.count()) == (1, 0, 2)
    done = invitations_to_delete(policy, now=timezone.now(), apply=True)
    assert (done.matched, done.acted, SurveyInvitation.objects.count(), SurveyResponse.objects.count()) == (1, 1, 1, 1)
