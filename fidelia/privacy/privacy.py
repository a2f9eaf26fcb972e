"""The privacy app's own personal data — the data-subject requests — for the registry.

A person's requests are part of what they get on access; erasure keeps them (the proof of how
the erasure itself was answered, GDPR art. 5(2)) until the `subject_requests` retention policy
deletes them, 5 years after closing by default.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fidelia.privacy.models import RetentionPolicy, SubjectRequest
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

EXPORTED = ("kind", "channel", "received_on", "due_on", "extended", "status", "outcome", "closed_on")


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = SubjectRequest.objects.filter(party_id=party_id).order_by("received_on", "id").values(*EXPORTED)
    return {"requests": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
                         for row in rows]}


def erase(party_id: int) -> int:
    return 0  # kept as proof; see the module docstring


def closed_requests(policy: RetentionPolicy, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Requests closed before the policy's cutoff are deleted, with their history."""
    stale = SubjectRequest.objects.filter(closed_on__lt=policy.cutoff(now).date())
    matched = stale.count()
    acted = stale.delete()[1].get(SubjectRequest._meta.label, 0) if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="privacy", export=export, erase=erase, order=200))
    register_retention("subject_requests", closed_requests)
