"""Customer-service data about a data subject, for the privacy registry and the retention register.

Cases and their messages are the customer's requests and complaints, and our answers. Export returns
them all; erasure anonymises their content (subject, description, addresses, message bodies, raw
e-mails) and keeps the figures (dates, category, SLA) that the service statistics need.

Retention lines (seeded by migration 0002):
- `service_cases`: a resolved or closed case is anonymised 5 years after it was closed (or resolved) —
  the limitation period of contractual claims (Code civil art. 2224): a complaint and our answer may
  be evidence in a dispute until then.
- `service_inbound_raw`: raw inbound e-mails (kept for audit of what arrived, including rejected and
  quarantined messages) are deleted 12 months after reception; their text already lives in the case.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce

from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention
from fidelia.service.enums import CaseStatus
from fidelia.service.models import Case, CaseMessage, InboundEmail

CASES_KEY = "service_cases"
RAW_KEY = "service_inbound_raw"


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if hasattr(v, "isoformat") else str(v) if hasattr(v, "as_tuple") else v
             for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's cases and every message of them (internal notes included: they are about the person)."""
    return {
        "service_cases": _plain(Case.objects.filter(party_id=party_id).order_by("opened_at").values(
            "reference", "kind", "category", "channel", "priority", "status", "subject", "description",
            "opened_at", "first_response_at", "resolved_at", "closed_at", "sender_email")),
        "service_messages": _plain(CaseMessage.objects.filter(case__party_id=party_id).order_by("sent_at").values(
            "case__reference", "kind", "from_address", "to_address", "subject", "body_text", "sent_at")),
    }


def erase(party_id: int) -> int:
    """Anonymise the content of every case of the subject; returns the number of cases touched."""
    from fidelia.service.services import case_erase_content

    cases = list(Case.objects.filter(party_id=party_id, erased_at__isnull=True))
    for case in cases:
        case_erase_content(case=case, actor=None)
    return len(cases)


def cases_to_anonymise(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Resolved or closed cases whose closing (else resolution) is older than the policy's period."""
    rows = (Case.objects.filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED], erased_at__isnull=True)
            .annotate(ended=Coalesce("closed_at", "resolved_at")).filter(ended__lt=policy.cutoff(now)))
    matched = rows.count()
    acted = erase_cases(rows) if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def erase_cases(rows: Any) -> int:
    from fidelia.service.services import case_erase_content

    n = 0
    for case in rows.iterator():
        case_erase_content(case=case, actor=None)
        n += 1
    return n


def raw_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    rows = InboundEmail.objects.filter(Q(received_at__lt=policy.cutoff(now)))
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="service", export=export, erase=erase, order=160))
    register_retention(CASES_KEY, cases_to_anonymise)
    register_retention(RAW_KEY, raw_to_delete)
