from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fidelia.privacy.audit import audit_verify


class Command(BaseCommand):
    help = ("Recompute the audit log's hash chain from its first entry. Exits 0 when every entry "
            "fits, 1 naming the first entry that was changed, deleted around or inserted. After a "
            "retention purge the chain starts from the anchor its retention entry recorded; any "
            "other missing start is a break. Read-only.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.intact:
            raise CommandError(f"Audit chain broken at entry #{report.first_broken_id} "
                               f"(after {report.checked:,} intact entries).", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked:,} entries."))
