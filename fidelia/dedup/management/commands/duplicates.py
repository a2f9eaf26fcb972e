"""`fidelia duplicates scan|show`: whole-base duplicate detection, or the review queue's state."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fidelia.core.context import work_context
from fidelia.core.errors import DomainError
from fidelia.dedup.enums import PairStatus, ScanScope
from fidelia.dedup.models import DuplicateCandidate, DuplicateScan
from fidelia.dedup.services import duplicate_scan_run


class Command(BaseCommand):
    help = ("Duplicate detection (one customer, one file). `scan` compares every active file (not "
            "anonymised, not merged) with the matcher and stores the possible duplicates for review; "
            "it only adds or updates pairs to review — dismissed and merged pairs stay as they are, "
            "nothing is ever merged automatically — so it is safe to run at any time (the scheduled "
            "job runs it every night). `--changed` compares only the files changed since the last "
            "scan. `show` prints the queue's counts and the last scans.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="detect duplicates and store them for review")
        scan.add_argument("--changed", action="store_true", help="only files changed since the last scan")
        sub.add_parser("show", help="counts of pairs by status and the last scans")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        if action == "scan":
            self._scan(ScanScope.CHANGED if opts["changed"] else ScanScope.FULL)
        else:
            self._show()

    def _scan(self, scope: str) -> None:
        bar = tqdm(total=1, desc="blocks", unit="block", disable=None, file=self.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = max(total, 1)
            bar.n = done
            bar.refresh()

        try:
            with work_context(channel="cli"):
                run = DuplicateScan.objects.create(scope=scope)
                run = duplicate_scan_run(scan_id=run.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"Scan {run.pk}: {run.parties} files, {run.compared} pairs compared, "
                          f"{run.found} possible duplicates ({run.new} new) in {seconds:.1f} s")

    def _show(self) -> None:
        for status in PairStatus:
            self.stdout.write(f"{status.label}: {DuplicateCandidate.objects.filter(status=status).count()}")
        for run in DuplicateScan.objects.all()[:5]:
            self.stdout.write(f"scan {run.pk} {run.created_at:%Y-%m-%d %H:%M} {run.scope} {run.status}: "
                              f"{run.parties} files, {run.found} found, {run.new} new")
