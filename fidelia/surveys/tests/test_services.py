"""Sending respects consent and the suppression list; tokens are single use, hashed, and expire;
detractors propose a call; signals and facts read the latest answers."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from fidelia.actions.facts import fact
from fidelia.actions.models import Action
from fidelia.core.errors import ValidationFailed
from fidelia.parties.models import Party
from fidelia.parties.services import consent_record
from fidelia.parties.tests import factories
from fidelia.privacy.suppression import suppression_add
from fidelia.surveys import selectors, services
from fidelia.surveys.models import SurveyInvitation, SurveyResponse
from fidelia.surveys.tests.factories import survey, tokens_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def csat(personas):
    return survey(actor=personas.service, kind="csat")


def _answer(invitation_token, survey_obj, score, text=""):
    rating, free = survey_obj.questions.all()[:2]
    return services.response_submit(token=invitation_token, answers={str(rating.pk): str(score),
                                                                     str(free.pk): text})


def test_send_csat_emails_a_single_use_link(mail_server, personas, csat):
    party = factories.person(owner=personas.alice)
    invitation = services.survey_send_csat(party=party, reference="case:42", actor=personas.service)
    assert invitation is not None and invitation.reference == "case:42"
    assert mail_server.messages[0].rcpt_tos == [party.email]
    [token] = tokens_from(mail_server)
    assert invitation.token_hash == services.hash_token(token) and token not in invitation.token_hash
    # Same case again: already invited, nothing sent.
    assert services.survey_send_csat(party=party, reference="case:42", actor=personas.service) is None
    assert len(mail_server.messages) == 1
    response = _answer(token, csat, 5, "<b>Très bien</b>")
    assert response.csat == 5 and response.reference == "case:42"
    with pytest.raises(services.AlreadyAnswered):
        _answer(token, csat, 1)
    assert SurveyResponse.objects.get().csat == 5  # the replay changed nothing
    assert selectors.csat_by_reference_prefix("case:")[0][1:] == (5, "case:42")


def test_forged_and_expired_tokens(mail_server, personas, csat):
    with pytest.raises(services.TokenUnknown):
        services.response_submit(token="forged-token", answers={})
    with pytest.raises(services.TokenUnknown):
        services.response_submit(token="x" * 500, answers={})
    party = factories.person(owner=personas.alice)
    services.survey_send_csat(party=party, reference="case:1", actor=personas.service)
    [token] = tokens_from(mail_server)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)), pytest.raises(services.TokenExpired):
        _answer(token, csat, 4)
    assert not SurveyResponse.objects.exists()


def test_invalid_answers_change_nothing(mail_server, personas, csat):
    party = factories.person(owner=personas.alice)
    services.survey_send_csat(party=party, reference="case:2", actor=personas.service)
    [token] = tokens_from(mail_server)
    for bad in ("6", "0", "abc", ""):
        with pytest.raises(ValidationFailed):
            _answer(token, csat, bad)
    assert SurveyInvitation.objects.get().answered_at is None
    assert _answer(token, csat, 3).csat == 3


def test_consent_suppression_and_missing_email_are_respected(mail_server, personas, csat):
    ok = factories.person(owner=personas.alice)
    refused = factories.person(owner=personas.alice)
    consent_record(party=refused, actor=personas.alice, channel="email", purpose="service", granted=False)
    regranted = factories.person(owner=personas.alice)
    consent_record(party=regranted, actor=personas.alice, channel="email", purpose="service", granted=False,
                   recorded_at=timezone.now() - dt.timedelta(days=2))
    consent_record(party=regranted, actor=personas.alice, channel="email", purpose="service", granted=True)
    suppressed = factories.person(owner=personas.alice)
    suppression_add(kind="email", value=suppressed.email.upper())
    no_email = factories.person(owner=personas.alice, email="")
    outcome = services.survey_send(survey=csat, parties=[ok, refused, regranted, suppressed, no_email],
                                   actor=personas.marketing, reference="wave-1")
    assert outcome.sent == 2
    assert outcome.skipped == {"no_consent": 1, "suppressed": 1, "no_email": 1}
    assert sorted(r for m in mail_server.messages for r in m.rcpt_tos) == sorted([ok.email, regranted.email])


def test_only_managers_send_and_only_active_surveys(personas, csat):
    party = factories.person(owner=personas.alice)
    with pytest.raises(Exception, match="may not"):
        services.survey_send(survey=csat, parties=[party], actor=personas.alice)
    draft = survey(actor=personas.service, kind="nps", status="draft")
    with pytest.raises(ValidationFailed):
        services.survey_send(survey=draft, parties=[party], actor=personas.service)


def test_detractor_proposes_a_call_to_the_owner(mail_server, personas):
    nps = survey(actor=personas.marketing, kind="nps")
    detractor, promoter = factories.person(owner=personas.alice), factories.person(owner=personas.bob)
    services.survey_send(survey=nps, parties=[detractor, promoter], actor=personas.marketing)
    tokens = dict(zip([m.rcpt_tos[0] for m in mail_server.messages], tokens_from(mail_server), strict=True))
    score_q = nps.questions.get(kind="nps")
    services.response_submit(token=tokens[detractor.email], answers={str(score_q.pk): "3"})
    services.response_submit(token=tokens[promoter.email], answers={str(score_q.pk): "10"})
    action = Action.objects.get()
    assert (action.party, action.owner, action.kind, action.source) == (detractor, personas.alice, "call", "survey")
    signals = selectors.satisfaction_signals(as_of=timezone.localdate())
    assert signals[detractor.pk].last_nps == 3 and signals[detractor.pk].nps_detractor
    assert signals[promoter.pk].last_nps == 10 and not signals[promoter.pk].nps_detractor
    parties = Party.objects.annotate(last_nps=fact("surveys.last_nps").annotation(),
                                     detractor=fact("surveys.nps_detractor").annotation())
    assert parties.get(pk=detractor.pk).detractor and parties.get(pk=detractor.pk).last_nps == 3
    assert not parties.get(pk=promoter.pk).detractor
    assert parties.get(pk=promoter.pk).last_nps == 10


def test_custom_survey_question_types(mail_server, personas):
    custom = survey(actor=personas.marketing, kind="custom", questions=[
        services.QuestionInput("single", "Canal préféré ?", ["Agence", "Téléphone", "Web"]),
        services.QuestionInput("multiple", "Produits utilisés ?", ["Carte", "Livret", "Assurance"]),
        services.QuestionInput("text", "Commentaire", required=False)])
    party = factories.person(owner=personas.alice)
    services.survey_send(survey=custom, parties=[party], actor=personas.marketing)
    [token] = tokens_from(mail_server)
    single, multiple, _text = custom.questions.all()
    with pytest.raises(ValidationFailed):
        services.response_submit(token=token, answers={str(single.pk): ["Agence", "Web"], str(multiple.pk): "Carte"})
    with pytest.raises(ValidationFailed):
        services.response_submit(token=token, answers={str(single.pk): "Fax", str(multiple.pk): "Carte"})
    services.response_submit(token=token, answers={str(single.pk): "Web", str(multiple.pk): ["Carte", "Livret"]})
    results = selectors.survey_results(survey=custom, user=personas.marketing)
    assert dict(results["questions"][1].counts) == {"Carte": 1, "Livret": 1, "Assurance": 0}
    assert results["rate"] == 100.0


def test_survey_validation(personas):
    with pytest.raises(ValidationFailed):
        survey(actor=personas.marketing, kind="custom", questions=[])
    with pytest.raises(ValidationFailed):
        survey(actor=personas.marketing, kind="custom", questions=[services.QuestionInput("single", "Q", ["A"])])
    with pytest.raises(ValidationFailed):
        survey(actor=personas.marketing, kind="weird")
