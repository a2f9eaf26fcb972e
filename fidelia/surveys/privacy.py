"""Survey data about a data subject: invitations (address, reference, dates) and answers.

Export returns both with the questions' text; erasure deletes them (an opinion is not under any
legal duty to keep; aggregates already computed are not personal). The "survey_answers" policy of
the register (36 months after the invitation) deletes old invitations and their answers.
"""
from __future__ import annotations

from typing import Any

from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention
from fidelia.surveys.models import Answer, SurveyInvitation, SurveyResponse

RETENTION_KEY = "survey_answers"


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    invitations = [{k: _iso(v) for k, v in row.items()} for row in SurveyInvitation.objects.filter(
        party_id=party_id).order_by("created_at").values(
        "survey__name", "reference", "email", "sent_at", "expires_at", "answered_at")]
    answers = [{k: _iso(v) for k, v in row.items()} for row in Answer.objects.filter(
        response__party_id=party_id).order_by("response__answered_at", "question__position").values(
        "response__survey__name", "response__answered_at", "question__text", "number", "text", "choices")]
    return {"survey_invitations": invitations, "survey_answers": answers}


def erase(party_id: int) -> int:
    """Delete the subject's invitations (their responses and answers go with them)."""
    answers = Answer.objects.filter(response__party_id=party_id).count()
    responses = SurveyResponse.objects.filter(party_id=party_id).count()
    invitations = SurveyInvitation.objects.filter(party_id=party_id).delete()[0] - answers - responses
    return invitations + responses + answers


def invitations_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Invitations created before the cutoff are deleted with their answers."""
    rows = SurveyInvitation.objects.filter(created_at__lt=policy.cutoff(now))
    matched = rows.count()
    acted = 0
    if apply and matched:
        acted = matched
        rows.delete()
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="surveys", export=export, erase=erase, order=160))
    register_retention(RETENTION_KEY, invitations_to_delete)
