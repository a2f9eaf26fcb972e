"""Reads of satisfaction surveys: lists, results and dashboards (aggregates), the customer's answers,
and the signals other apps read (service dashboards, attrition).

Analysts see aggregates only: lists of invitations and individual answers need `can_read_parties`
and go through the portfolio rule of the customer file.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from fidelia.accounts import policies
from fidelia.parties.models import Party
from fidelia.surveys import metrics
from fidelia.surveys.enums import QuestionKind
from fidelia.surveys.models import Answer, Survey, SurveyInvitation, SurveyResponse


@dataclass(frozen=True)
class SatisfactionSignals:
    last_csat: int | None     # 1–5
    last_nps: int | None      # 0–10
    nps_detractor: bool       # last NPS answer 0–6


def satisfaction_signals(*, as_of: dt.date, party_ids: list[int] | None = None) -> dict[int, SatisfactionSignals]:
    """party_id → latest CSAT and NPS answered on or before `as_of` (two streamed queries; only the
    customers `party_ids` when given)."""
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    last: dict[str, dict[int, int]] = {"csat": {}, "nps": {}}
    answers = SurveyResponse.objects.all() if party_ids is None else SurveyResponse.objects.filter(party_id__in=party_ids)
    for column in ("csat", "nps"):
        rows = (answers.filter(answered_at__lt=until, **{f"{column}__isnull": False})
                .order_by("party_id", "-answered_at", "-id").values_list("party_id", column))
        for party_id, score in rows.iterator(chunk_size=5000):
            last[column].setdefault(party_id, score)
    parties = set(last["csat"]) | set(last["nps"])
    return {pid: SatisfactionSignals(
        last_csat=last["csat"].get(pid), last_nps=last["nps"].get(pid),
        nps_detractor=last["nps"].get(pid) is not None and last["nps"][pid] <= metrics.NPS_DETRACTOR_MAX)
        for pid in parties}


def csat_by_reference_prefix(prefix: str) -> list[tuple[dt.datetime, int, str]]:
    """(answered_at, CSAT 1–5, reference) of the CSAT answers whose reference starts with `prefix`
    ("case:"), oldest first — for the service desk's dashboards."""
    return list(SurveyResponse.objects.filter(reference__startswith=prefix, csat__isnull=False)
                .order_by("answered_at", "id").values_list("answered_at", "csat", "reference"))


def surveys_for_user(user: Any) -> QuerySet[Survey]:
    if not policies.can_view_surveys(user):
        return Survey.objects.none()
    return Survey.objects.annotate(
        sent=Count("invitations", distinct=True), answered=Count("responses", distinct=True))


def survey_get_for_user(*, user: Any, pk: Any) -> Survey:
    survey = surveys_for_user(user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


@dataclass
class QuestionResult:
    question: Any
    counts: list[tuple[str, int]]          # (value label, answers) in scale / choice order
    answered: int
    texts: list[str]                       # free-text answers (only for those who may read names)


def _question_result(question: Any, answers: list[Answer], with_texts: bool) -> QuestionResult:
    if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
        scale = range(1, 6) if question.kind == QuestionKind.RATING else range(0, 11)
        counter = Counter(a.number for a in answers)
        counts = [(str(v), counter.get(v, 0)) for v in scale]
    elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        counter = Counter(c for a in answers for c in a.choices)
        counts = [(c, counter.get(c, 0)) for c in question.choices]
    else:
        counts = []
    texts = [a.text for a in answers if a.text][:200] if with_texts else []
    return QuestionResult(question, counts, len(answers), texts)


def survey_results(*, survey: Survey, user: Any) -> dict[str, Any]:
    """Sent, answered, rate, NPS / CSAT and per-question distributions of one survey."""
    responses = SurveyResponse.objects.filter(survey=survey)
    csat_scores = list(responses.filter(csat__isnull=False).values_list("csat", flat=True))
    nps_scores = list(responses.filter(nps__isnull=False).values_list("nps", flat=True))
    sent = SurveyInvitation.objects.filter(survey=survey).count()
    answered = responses.count()
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in Answer.objects.filter(response__survey=survey).only("question_id", "number", "text", "choices"):
        by_question[answer.question_id].append(answer)
    with_texts = policies.can_read_parties(user)
    return {
        "sent": sent, "answered": answered, "rate": metrics.response_rate(sent, answered),
        "nps": metrics.nps(nps_scores), "csat": metrics.csat(csat_scores),
        "questions": [_question_result(q, by_question.get(q.pk, []), with_texts) for q in survey.questions.all()],
    }


def monthly_satisfaction(*, since: dt.date) -> list[dict[str, Any]]:
    """Per month since `since`: answers, CSAT % satisfied and NPS (all surveys), for the dashboard."""
    rows = (SurveyResponse.objects.filter(answered_at__date__gte=since)
            .annotate(month=TruncMonth("answered_at")).values_list("month", "csat", "nps"))
    months: dict[dt.date, dict[str, list[int]]] = defaultdict(lambda: {"csat": [], "nps": []})
    for month, csat, nps in rows:
        key = month.date() if isinstance(month, dt.datetime) else month
        if csat is not None:
            months[key]["csat"].append(csat)
        if nps is not None:
            months[key]["nps"].append(nps)
    out = []
    for month in sorted(months):
        n_csat, pct = metrics.csat(months[month]["csat"])
        result = metrics.nps(months[month]["nps"])
        out.append({"month": month.isoformat(), "csat_answers": n_csat, "csat": pct,
                    "nps_answers": result.count, "nps": result.nps})
    return out


def distributions(*, since: dt.date) -> dict[str, list[int]]:
    """Counts of CSAT 1–5 and NPS 0–10 answers since `since`."""
    base = SurveyResponse.objects.filter(answered_at__date__gte=since)
    csat = dict(base.filter(csat__isnull=False).values_list("csat").annotate(n=Count("id")))
    nps = dict(base.filter(nps__isnull=False).values_list("nps").annotate(n=Count("id")))
    return {"csat": [csat.get(v, 0) for v in range(1, 6)], "nps": [nps.get(v, 0) for v in range(0, 11)]}


def party_responses(*, party: Party) -> list[SurveyResponse]:
    """The customer's answers, newest first, with their questions (for the customer file)."""
    return list(SurveyResponse.objects.filter(party=party).select_related("survey")
                .prefetch_related("answers__question")[:20])


def invitations_for_user(*, user: Any, survey: Survey) -> QuerySet[SurveyInvitation]:
    """Invitations of `survey` to customers `user` may read (none for analysts)."""
    rule = policies.party_read_filter(user)
    if rule is None or not policies.can_view_surveys(user):
        return SurveyInvitation.objects.none()
    readable = Party.objects.filter(rule)
    return (SurveyInvitation.objects.filter(survey=survey, party__in=readable)
            .select_related("party").order_by("-created_at", "-id"))


