"""Context of the survey pages: chart data (JSON-ready) built from the selectors' aggregates."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fidelia.surveys import metrics, selectors
from fidelia.surveys.enums import QuestionKind
from fidelia.surveys.models import Survey


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard_context(*, user: Any, since: dt.date) -> dict[str, Any]:
    months = selectors.monthly_satisfaction(since=since)
    dist = selectors.distributions(since=since)
    all_csat = [v for v, n in zip(range(1, 6), dist["csat"], strict=True) for _i in range(n)]
    all_nps = [v for v, n in zip(range(0, 11), dist["nps"], strict=True) for _i in range(n)]
    surveys = list(selectors.surveys_for_user(user))
    for survey in surveys:
        survey.rate = metrics.response_rate(survey.sent, survey.answered)
    return {
        "since": since, "surveys": surveys,
        "csat": metrics.csat(all_csat), "nps": metrics.nps(all_nps),
        "trend": {"months": [m["month"][:7] for m in months], "csat": [_round(m["csat"]) for m in months],
                  "nps": [_round(m["nps"]) for m in months],
                  "labels": {"csat": _("CSAT (% satisfied)"), "nps": _("NPS")}},
        "csat_dist": {"labels": [str(v) for v in range(1, 6)], "values": dist["csat"], "scale": "csat",
                      "series": _("Answers")},
        "nps_dist": {"labels": [str(v) for v in range(0, 11)], "values": dist["nps"], "scale": "nps",
                     "series": _("Answers")},
    }


def results_context(*, survey: Survey, user: Any) -> dict[str, Any]:
    results = selectors.survey_results(survey=survey, user=user)
    questions = []
    for item in results["questions"]:
        scale = {QuestionKind.RATING: "csat", QuestionKind.NPS: "nps"}.get(item.question.kind, "")
        data = {"labels": [label for label, _n in item.counts], "values": [n for _l, n in item.counts],
                "scale": scale, "series": _("Answers")} if item.counts else None
        questions.append((item, f"q{item.question.pk}", data))
    return {"survey": survey, "results": results, "questions": questions}
