"""The exports' and the BI feed's personal data, for the privacy registry.

- Export files hold customer data chosen by a user: they are deleted with their job record when
  the `export_files` retention policy says so (7 days after the request by default).
- The BI feed holds no direct identifier (no name, e-mail, phone, address, birth date or free
  text): a party appears only under its pseudonymous id. Erasing a party replaces that id by a
  random one, so feed rows exported before can no longer be linked to what remains of the party.
  The pseudonym is the only personal data this app keeps about a party, and its access export.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fidelia.bi.models import PartyPseudonym
from fidelia.bi.pseudonyms import pseudonym_forget
from fidelia.bi.services import RETENTION_KEY, export_jobs_purge
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = PartyPseudonym.objects.filter(party_id=party_id).values("pseudo_id")
    return {"bi_pseudonymous_id": [{"pseudonymous_id": r["pseudo_id"]} for r in rows]}


def erase(party_id: int) -> int:
    return pseudonym_forget(party_id)


def export_files(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    matched, acted = export_jobs_purge(before=policy.cutoff(now), now=now, apply=apply)
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="bi", export=export, erase=erase, order=150))
    register_retention(RETENTION_KEY, export_files)
