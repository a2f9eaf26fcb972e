from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.context import work_context
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy.exports import FORMATS, subject_export_file

TEXT_FORMATS = ("json", "html")


class Command(BaseCommand):
    help = ("Export everything Fidelia holds about one customer (GDPR access and portability) as JSON, "
            "CSV (a ZIP with one CSV per section), a readable HTML summary or PDF. Runs with the rights "
            "of --as USER, who must be the DPO or an administrator. Read-only; every export is recorded "
            "in the audit log (who, which customer, which format).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("party_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="username whose rights apply")
        parser.add_argument("--format", dest="fmt", default="json", help=f"one of {', '.join(FORMATS)} (default json)")
        parser.add_argument("--language", choices=("fr", "en"), help="language of the HTML and PDF summaries")
        parser.add_argument("--output", help="file to write (default: standard output, JSON and HTML only)")

    def handle(self, *args: Any, **options: Any) -> None:
        with work_context(channel="cli"):
            self._export(**options)

    def _export(self, *, party_id: int, username: str, fmt: str, language: str | None, output: str | None,
                **opts: Any) -> None:
        if fmt not in FORMATS:
            raise CommandError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
        if output is None and fmt not in TEXT_FORMATS:
            raise CommandError(f"A {fmt} export is a binary file: give --output FILE.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not policies.can_export_subject(user):
            raise CommandError(f"{username!r} is not an active DPO or administrator.")
        try:
            party_get_for_user(user=user, pk=party_id)
        except Http404:
            raise CommandError(f"No customer #{party_id} visible to {username!r}.") from None
        file = subject_export_file(party_id=party_id, fmt=fmt, actor=user, language=language)
        if output:
            Path(output).write_bytes(file.content)
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(file.content.decode("utf-8"))
