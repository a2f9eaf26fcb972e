from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.context import work_context
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy.audit import audit_export
from fidelia.privacy.services import subject_export


class Command(BaseCommand):
    help = ("Export everything Fidelia holds about one customer as JSON (GDPR access and portability). "
            "Runs with the rights of --as USER, who must be the DPO or an administrator. "
            "Every export is recorded in the audit log (who, which customer, which format).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("party_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="username whose rights apply")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        with work_context(channel="cli"):
            self._export(**options)

    def _export(self, *, party_id: int, username: str, output: str | None, **opts: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not policies.can_export_subject(user):
            raise CommandError(f"{username!r} is not an active DPO or administrator.")
        try:
            party_get_for_user(user=user, pk=party_id)
        except Http404:
            raise CommandError(f"No customer #{party_id} visible to {username!r}.") from None
        text = json.dumps(subject_export(party_id=party_id), ensure_ascii=False, indent=2, default=str)
        audit_export(actor=user, what="subject_export", party_id=party_id, fmt="json")
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text)
