"""Writes of satisfaction surveys: surveys and questions, invitations sent by e-mail, answers.

Sending respects the customer's choices: no invitation to an anonymised file, to an address on the
suppression list, or to someone whose latest e-mail consent for service messages is a refusal (a
satisfaction survey is a service message: it follows a case or the relationship, it sells nothing).
A token is shown once (in the e-mail); only its SHA-256 is stored. One answer per token: the answer
locks the invitation row, so a replay or a double click records nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.actions.services import action_propose
from fidelia.core import events
from fidelia.core.errors import (
    DomainError,
    ErrorCode,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from fidelia.core.signals import send_after_commit
from fidelia.parties.enums import Channel, ConsentPurpose
from fidelia.parties.models import ConsentRecord, Party
from fidelia.privacy.suppression import suppressed_filter
from fidelia.surveys import metrics
from fidelia.surveys.enums import QuestionKind, SkipReason, SurveyKind, SurveyLanguage, SurveyStatus
from fidelia.surveys.models import Answer, Question, Survey, SurveyInvitation, SurveyResponse
from fidelia.surveys.signals import answers_recorded

MAX_QUESTIONS = 30
MAX_CHOICES = 20
MAX_TEXT_ANSWER = 5000
CALL_BACK_WITHIN_DAYS = 2
TOKEN_IN_LINK = re.compile(r"/surveys/r/([A-Za-z0-9_-]+)/")  # finds the token in an invitation's text


class TokenUnknown(DomainError):
    """A forged or erased token (404)."""

    code = ErrorCode.NOT_FOUND
    status = 404


class TokenExpired(DomainError):
    """A real token past its expiry, or its survey closed (410)."""

    status = 410


class AlreadyAnswered(DomainError):
    """The token was used already; nothing changed (409)."""

    status = 409


@dataclass(frozen=True)
class QuestionInput:
    kind: str
    text: str
    choices: list[str] = field(default_factory=list)
    required: bool = True


@dataclass
class SendOutcome:
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    invitation_ids: list[int] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# --- surveys ---------------------------------------------------------------------------------

def default_questions(kind: str, language: str) -> list[QuestionInput]:
    """The standard question(s) of a CSAT or NPS survey, in the survey's language."""
    with translation.override(language):
        if kind == SurveyKind.CSAT:
            return [QuestionInput(QuestionKind.RATING, _("How satisfied are you with how we handled your request?")),
                    QuestionInput(QuestionKind.TEXT, _("What could we have done better?"), required=False)]
        if kind == SurveyKind.NPS:
            return [QuestionInput(QuestionKind.NPS, _("How likely are you to recommend us to a friend or colleague?")),
                    QuestionInput(QuestionKind.TEXT, _("What is the main reason for your score?"), required=False)]
    return []


def _validate_questions(questions: list[QuestionInput]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not questions:
        errors["questions"] = [_("A survey needs at least one question.")]
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = [_("A survey has at most %(n)s questions.") % {"n": MAX_QUESTIONS}]
    for i, q in enumerate(questions):
        key = f"questions.{i}"
        if q.kind not in QuestionKind.values:
            errors[key] = [_("Unknown question type %(kind)s.") % {"kind": q.kind}]
        elif not q.text.strip() or len(q.text) > 300:
            errors[key] = [_("A question has 1 to 300 characters.")]
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            cleaned = [c.strip() for c in q.choices if c.strip()]
            if len(cleaned) < 2 or len(cleaned) > MAX_CHOICES or len(set(cleaned)) != len(cleaned):
                errors[key] = [_("A choice question needs 2 to %(n)s different choices.") % {"n": MAX_CHOICES}]
            elif any(len(c) > 120 for c in cleaned):
                errors[key] = [_("A choice has at most 120 characters.")]
    return errors


@transaction.atomic
def survey_create(*, actor: Any, name: str, kind: str, language: str = SurveyLanguage.FR, title: str = "",
                  intro: str = "", questions: list[QuestionInput] | None = None, status: str = SurveyStatus.DRAFT,
                  valid_days: int = 30) -> Survey:
    """A survey with its questions; CSAT and NPS surveys get their standard questions when none are given."""
    if not policies.can_manage_surveys(actor):
        raise PermissionDenied(_("You may not manage surveys."))
    errors: dict[str, list[str]] = {}
    name, title = name.strip(), (title or name).strip()
    if not name or len(name) > 120:
        errors["name"] = [_("The name has 1 to 120 characters.")]
    if len(title) > 200:
        errors["title"] = [_("The title is limited to 200 characters.")]
    if len(intro) > 2000:
        errors["intro"] = [_("The introduction is limited to 2,000 characters.")]
    if kind not in SurveyKind.values:
        errors["kind"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(SurveyKind.values)}]
    if language not in SurveyLanguage.values:
        errors["language"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(SurveyLanguage.values)}]
    if status not in SurveyStatus.values:
        errors["status"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(SurveyStatus.values)}]
    if not 1 <= valid_days <= 365:
        errors["valid_days"] = [_("A link stays valid 1 to 365 days.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    questions = questions or default_questions(kind, language)
    errors = _validate_questions(questions)
    if errors:
        raise ValidationFailed(_("Some questions are not valid."), fields=errors)
    survey = Survey.objects.create(name=name, kind=kind, language=language, title=title, intro=intro.strip(),
                                   status=status, valid_days=valid_days,
                                   created_by=actor if getattr(actor, "pk", None) else None)
    Question.objects.bulk_create([
        Question(survey=survey, position=i, kind=q.kind, text=q.text.strip(), required=q.required,
                 choices=[c.strip() for c in q.choices if c.strip()]) for i, q in enumerate(questions)])
    events.record(actor=actor, action="survey.created", obj=survey, party_id=None, changes={"kind": kind})
    return survey


@transaction.atomic
def survey_set_status(*, survey: Survey, actor: Any, status: str, version: int) -> Survey:
    """Activate or close a survey; refused when `version` is stale."""
    if not policies.can_manage_surveys(actor):
        raise PermissionDenied(_("You may not manage surveys."))
    if status not in SurveyStatus.values:
        raise ValidationFailed(_("Unknown status."), fields={"status": [_("Choose draft, active or closed.")]})
    current = Survey.objects.select_for_update().get(pk=survey.pk)
    if current.version != version:
        raise StaleVersion(_("This survey was changed by someone else; reload it and try again."))
    changes = events.diff(current, {"status": status})
    current.status, current.version = status, current.version + 1
    current.save(update_fields=["status", "version", "updated_at"])
    events.record(actor=actor, action="survey.status", obj=current, party_id=None, changes=changes)
    return current


# --- invitations -----------------------------------------------------------------------------

def _usable_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _refused_service_email(party_ids: list[int]) -> set[int]:
    """Parties whose latest e-mail consent for service messages is a refusal (one query)."""
    latest: dict[int, bool] = {}
    rows = (ConsentRecord.objects.filter(party_id__in=party_ids, channel=Channel.EMAIL, purpose=ConsentPurpose.SERVICE)
            .order_by("party_id", "-recorded_at", "-id").values_list("party_id", "granted"))
    for party_id, granted in rows:
        latest.setdefault(party_id, granted)
    return {pid for pid, granted in latest.items() if not granted}


def answer_url(token: str) -> str:
    return settings.FIDELIA_SURVEYS_BASE_URL.rstrip("/") + reverse("surveys:answer", args=[token])


def _message(survey: Survey, invitation: SurveyInvitation, token: str) -> EmailMessage:
    with translation.override(survey.language):
        subject = survey.title
        body = "\n\n".join(part for part in (
            _("Hello,"), survey.intro,
            _("Your opinion matters to us. Answering takes less than a minute:"), answer_url(token),
            _("This personal link can be used once and stays valid until %(date)s.")
            % {"date": invitation.expires_at.date().strftime("%d/%m/%Y")},
            _("Thank you."),
        ) if part)
    return EmailMessage(subject=subject, body=body, from_email=settings.FIDELIA_SURVEYS_FROM_EMAIL,
                        to=[invitation.email])


def _eligible(survey: Survey, parties: list[Party], reference: str, outcome: SendOutcome) -> list[Party]:
    ids = [p.pk for p in parties]
    refused = _refused_service_email(ids)
    suppressed = suppressed_filter(p.email for p in parties if p.email)
    pending = set(SurveyInvitation.objects.filter(
        survey=survey, party_id__in=ids, reference=reference, answered_at__isnull=True,
        expires_at__gt=timezone.now()).values_list("party_id", flat=True))
    keep = []
    for party in parties:
        reason = (SkipReason.ERASED if party.erased_at else
                  SkipReason.NO_EMAIL if not party.email or not _usable_email(party.email) else
                  SkipReason.NO_CONSENT if party.pk in refused else
                  SkipReason.SUPPRESSED if party.email in suppressed else
                  SkipReason.ALREADY_INVITED if party.pk in pending else "")
        if reason:
            outcome.skip(reason)
        else:
            keep.append(party)
    return keep


def survey_send(*, survey: Survey, parties: Iterable[Party], actor: Any, reference: str = "",
                check_rights: bool = True) -> SendOutcome:
    """Invite each party by e-mail to answer `survey` (active surveys only); returns what was sent and
    why the others were skipped. Each invitation row is committed before its e-mail leaves; an
    e-mail the server refuses removes its invitation (counted as send_failed)."""
    if check_rights and not policies.can_manage_surveys(actor):
        raise PermissionDenied(_("You may not send surveys."))
    if survey.status != SurveyStatus.ACTIVE:
        raise ValidationFailed(_("Only an active survey can be sent."), fields={"survey": [_("Activate it first.")]})
    if len(reference) > 60:
        raise ValidationFailed(_("The reference is limited to 60 characters."), fields={"reference": [_("Too long.")]})
    outcome = SendOutcome()
    batch = list(parties)
    for start in range(0, len(batch), 500):
        _send_chunk(survey, batch[start:start + 500], actor, reference, outcome)
    return outcome


def _send_chunk(survey: Survey, parties: list[Party], actor: Any, reference: str, outcome: SendOutcome) -> None:
    now = timezone.now()
    created: list[tuple[SurveyInvitation, str]] = []
    with transaction.atomic():
        for party in _eligible(survey, parties, reference, outcome):
            token = secrets.token_urlsafe(32)
            invitation = SurveyInvitation.objects.create(
                survey=survey, party=party, token_hash=hash_token(token), reference=reference, email=party.email,
                expires_at=now + dt.timedelta(days=survey.valid_days), sent_at=now,
                created_by=actor if getattr(actor, "pk", None) else None)
            events.record(actor=actor, action="survey.invited", obj=invitation, party_id=party.pk,
                          changes={"survey": survey.pk, "reference": reference})
            created.append((invitation, token))
    if not created:
        return
    connection = get_connection()
    failed: list[int] = []
    with connection:
        for invitation, token in created:
            try:
                connection.send_messages([_message(survey, invitation, token)])
            except Exception:  # noqa: BLE001 — any SMTP refusal: that invitation is withdrawn, others go on
                failed.append(invitation.pk)
    if failed:
        SurveyInvitation.objects.filter(pk__in=failed).delete()
        for _pk in failed:
            outcome.skip(SkipReason.SEND_FAILED)
    outcome.sent += len(created) - len(failed)
    outcome.invitation_ids += [i.pk for i, _t in created if i.pk not in failed]


def csat_survey_for(language: str = SurveyLanguage.FR) -> Survey | None:
    """The active CSAT survey used after cases: in `language` when there is one, else the latest."""
    active = Survey.objects.filter(kind=SurveyKind.CSAT, status=SurveyStatus.ACTIVE).order_by("-created_at", "-id")
    return active.filter(language=language).first() or active.first()


def survey_send_csat(*, party: Party, reference: str, actor: Any) -> SurveyInvitation | None:
    """E-mail the CSAT link of the active CSAT survey after a resolved case (`reference` "case:42").

    None when there is no active CSAT survey, the party has no usable e-mail, refused service e-mails,
    is on the suppression list, or was already invited for this reference. Never raises for those:
    the service desk calls it on every resolution.
    """
    survey = csat_survey_for()
    if survey is None or not reference or len(reference) > 60:
        return None
    outcome = survey_send(survey=survey, parties=[party], actor=actor, reference=reference, check_rights=False)
    if not outcome.invitation_ids:
        return None
    return SurveyInvitation.objects.get(pk=outcome.invitation_ids[0])


# --- answers ---------------------------------------------------------------------------------

def invitation_for_token(token: str) -> SurveyInvitation:
    """The invitation of a token, whatever its state; TokenUnknown for a forged one."""
    if not token or len(token) > 100:
        raise TokenUnknown(_("This survey link is not valid."))
    invitation = (SurveyInvitation.objects.select_related("survey", "party")
                  .filter(token_hash=hash_token(token)).first())
    if invitation is None:
        raise TokenUnknown(_("This survey link is not valid."))
    return invitation


def _clean_answer(question: Question, raw: Any) -> tuple[int | None, str, list[str]] | None:
    """(number, text, choices) of one answer, None when left empty; ValueError with a message if invalid."""
    values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
    values = [str(v).strip() for v in values if str(v).strip()]
    if not values:
        return None
    if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
        low, high = (1, 5) if question.kind == QuestionKind.RATING else (0, 10)
        if len(values) != 1 or not values[0].isdigit() or not low <= int(values[0]) <= high:
            raise ValueError(_("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return int(values[0]), "", []
    if question.kind == QuestionKind.TEXT:
        text = "\n".join(values)
        if len(text) > MAX_TEXT_ANSWER:
            raise ValueError(_("At most %(n)s characters.") % {"n": MAX_TEXT_ANSWER})
        return None, text.replace("\x00", ""), []
    if any(v not in question.choices for v in values) or (question.kind == QuestionKind.SINGLE and len(values) > 1):
        raise ValueError(_("Choose among the proposed answers."))
    return None, "", list(dict.fromkeys(values))


def response_submit(*, token: str, answers: dict[str, Any]) -> SurveyResponse:
    """Record the answers of the invitation behind `token` (`answers` maps question id, as text, to a
    value or a list). TokenUnknown / TokenExpired / AlreadyAnswered / ValidationFailed leave the data
    unchanged. A detractor (NPS 0–6, CSAT 1–2) proposes a call to the customer's owner."""
    invitation = invitation_for_token(token)
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().select_related("survey", "party").get(pk=invitation.pk)
        if invitation.answered_at is not None:
            raise AlreadyAnswered(_("This survey was already answered. Thank you!"))
        if invitation.expires_at <= timezone.now() or invitation.survey.status == SurveyStatus.CLOSED:
            raise TokenExpired(_("This survey link has expired."))
        questions = list(invitation.survey.questions.all())
        cleaned, errors = {}, {}
        for question in questions:
            try:
                value = _clean_answer(question, answers.get(str(question.pk)))
            except ValueError as exc:
                errors[f"q{question.pk}"] = [str(exc)]
                continue
            if value is None and question.required:
                errors[f"q{question.pk}"] = [_("This question needs an answer.")]
            elif value is not None:
                cleaned[question] = value
        if errors:
            raise ValidationFailed(_("Some answers are missing or not valid."), fields=errors)
        response = _store(invitation, cleaned)
    return response


def _store(invitation: SurveyInvitation, cleaned: dict[Question, tuple[int | None, str, list[str]]]) -> SurveyResponse:
    first = {kind: next((v[0] for q, v in cleaned.items() if q.kind == kind), None)
             for kind in (QuestionKind.RATING, QuestionKind.NPS)}
    now = timezone.now()
    response = SurveyResponse.objects.create(
        survey=invitation.survey, invitation=invitation, party=invitation.party, answered_at=now,
        reference=invitation.reference, csat=first[QuestionKind.RATING], nps=first[QuestionKind.NPS])
    Answer.objects.bulk_create([Answer(response=response, question=q, number=v[0], text=v[1], choices=v[2])
                                for q, v in cleaned.items()])
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at", "updated_at"])
    events.record(actor=None, action="survey.answered", obj=response, party_id=invitation.party_id,
                  changes={"survey": invitation.survey_id, "csat": response.csat, "nps": response.nps})
    send_after_commit(answers_recorded, party_ids=[invitation.party_id], response_ids=[response.pk])
    if metrics.is_detractor(csat_score=response.csat, nps_score=response.nps):
        _propose_call(response)
    return response


def _propose_call(response: SurveyResponse) -> None:
    party = response.party
    score = (_("NPS %(score)s/10") % {"score": response.nps} if response.nps is not None
             else _("CSAT %(score)s/5") % {"score": response.csat})
    action_propose(
        party=party, kind="call", source="survey", source_key=f"survey:response:{response.pk}:detractor",
        due_on=timezone.localdate() + dt.timedelta(days=CALL_BACK_WITHIN_DAYS),
        title=_("Call back a dissatisfied customer (%(score)s)") % {"score": score},
        reason=_("Answer to the survey “%(survey)s”%(ref)s.") % {
            "survey": response.survey.name, "ref": f" ({response.reference})" if response.reference else ""},
        priority=2.0, actor=None)
