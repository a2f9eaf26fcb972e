"""Surveys (CSAT, NPS, custom), their questions, tokenised invitations and the answers.

A token is 32 random bytes shown once in the e-mail; only its SHA-256 is stored, so a leaked
database does not let anyone answer. `SurveyResponse.csat` / `.nps` copy the answer to the survey's
first rating / recommendation question, so dashboards, signals and action facts read one column.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.surveys.enums import QuestionKind, SurveyKind, SurveyLanguage, SurveyStatus


class Survey(VersionedModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=SurveyLanguage.choices, default="fr")
    title = models.CharField(_("title shown to the customer"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    valid_days = models.PositiveSmallIntegerField(_("days a link stays valid"), default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(TimeStampedModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="survey_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [models.Index(fields=["survey", "party"])]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.party_id} {self.reference}"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="survey_responses")
    answered_at = models.DateTimeField(_("answered at"), db_index=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True, db_index=True)
    csat = models.PositiveSmallIntegerField(_("CSAT score"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS score"), null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["party", "-answered_at"])]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.party_id} {self.answered_at:%Y-%m-%d}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.text[:40]}"
