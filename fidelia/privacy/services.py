"""Data-subject rights over the whole base, gathered through every app's privacy hooks."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from fidelia.privacy.registry import registered


def subject_export(*, party_id: int) -> dict[str, Any]:
    """Everything Fidelia holds about one person or organisation, app by app (access/portability).

    The caller has already checked, through the parties selectors, that the user may read the party.
    """
    sections: dict[str, Any] = {}
    for hooks in sorted(registered(), key=lambda h: h.order):
        for name, rows in hooks.export(party_id).items():
            sections[f"{hooks.app_label}.{name}"] = rows
    return {"subject": party_id, "exported_at": timezone.now().isoformat(), "data": sections}


@dataclass
class ErasureReport:
    party_id: int
    erased_at: dt.datetime
    rows: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def subject_erase(*, party_id: int) -> ErasureReport:
    """Anonymise a data subject everywhere, all or nothing."""
    report = ErasureReport(party_id=party_id, erased_at=timezone.now())
    for hooks in registered():
        report.rows[hooks.app_label] = hooks.erase(party_id)
    return report
