from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.context import work_context
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy.services import subject_erase, subject_export


class Command(BaseCommand):
    help = ("Anonymise one customer everywhere (GDPR erasure). Dry run by default: it lists what "
            "would be erased; pass --apply to do it. Contracts and transactions are kept (accounting "
            "duties) but no longer identify the person. Runs with the rights of --as USER (the DPO); the "
            "erasure is recorded in the audit log (row counts only). Prefer completing the erasure "
            "request on the DPO's pages, which keeps the request's history.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("party_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="username of the DPO")
        parser.add_argument("--apply", action="store_true", help="really erase (irreversible)")

    def handle(self, *args: Any, **options: Any) -> None:
        with work_context(channel="cli"):
            self._erase(**options)

    def _erase(self, *, party_id: int, username: str, apply: bool, **opts: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not policies.can_erase_subject(user):
            raise CommandError(f"{username!r} is not an active data-protection officer.")
        try:
            party_get_for_user(user=user, pk=party_id)
        except Http404:
            raise CommandError(f"No customer #{party_id} visible to {username!r}.") from None
        if not apply:
            for section, rows in subject_export(party_id=party_id)["data"].items():
                self.stdout.write(f"{section}: {len(rows)} row(s)")
            self.stdout.write("Dry run: nothing was changed. Pass --apply to erase.")
            return
        report = subject_erase(party_id=party_id, actor=user)
        self.stdout.write(f"Customer #{party_id} anonymised: " + ", ".join(f"{k} {v}" for k, v in report.rows.items()))
