from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fidelia.core.api import Page, text
from fidelia.surveys.enums import QuestionKind, SurveyKind, SurveyLanguage, SurveyStatus

Text60, Text120, Text200, Text300, Text2000 = text(60), text(120), text(200), text(300), text(2000)
Choice = Annotated[str, StringConstraints(min_length=1, max_length=120)]
AnswerValue = Annotated[str, StringConstraints(max_length=5000)]


class SurveyQuestionIn(Schema):
    kind: QuestionKind
    text: Text300 = Field(..., min_length=1)
    choices: list[Choice] = Field(default_factory=list, max_length=20)
    required: bool = True


class SurveyIn(Schema):
    name: Text120 = Field(..., min_length=1)
    kind: SurveyKind
    language: SurveyLanguage = SurveyLanguage.FR
    title: Text200 = ""
    intro: Text2000 = ""
    questions: list[SurveyQuestionIn] = Field(default_factory=list, max_length=30,
                                        description="Empty for CSAT/NPS: the standard questions are used.")
    status: SurveyStatus = SurveyStatus.DRAFT
    valid_days: int = Field(30, ge=1, le=365)


class SurveyQuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    choices: list[str]
    required: bool


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    language: str
    title: str
    status: str
    valid_days: int
    version: int
    created_at: dt.datetime


class SurveyDetailOut(SurveyOut):
    intro: str
    questions: list[SurveyQuestionOut]


SurveyPage = Page[SurveyOut]


class SurveyStatusIn(Schema):
    status: SurveyStatus


class SurveySendIn(Schema):
    party_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(default_factory=list, max_length=5000)
    segment_id: int | None = Field(None, ge=1, le=2**53)
    reference: Text60 = ""


class SurveySendOut(Schema):
    sent: int
    skipped: dict[str, int]


class SurveyInvitationOut(Schema):
    id: int
    party_id: int
    reference: str
    sent_at: dt.datetime | None
    expires_at: dt.datetime
    answered_at: dt.datetime | None


SurveyInvitationPage = Page[SurveyInvitationOut]


class SurveyScoreCountOut(Schema):
    value: str
    answers: int


class SurveyQuestionResultOut(Schema):
    question_id: int
    text: str
    kind: str
    answered: int
    counts: list[SurveyScoreCountOut]


class SurveyResultsOut(Schema):
    sent: int
    answered: int
    response_rate: float | None
    nps: float | None
    promoters: int
    passives: int
    detractors: int
    csat_answers: int
    csat_satisfied_percent: float | None
    questions: list[SurveyQuestionResultOut]


class SurveyAnswerIn(Schema):
    answers: dict[Annotated[str, StringConstraints(max_length=20)], AnswerValue | list[AnswerValue]] = Field(
        ..., description="Question id → value (a number for scales, a choice, a list of choices, or text).")


class SurveyAnsweredOut(Schema):
    response_id: int
    answered_at: dt.datetime
