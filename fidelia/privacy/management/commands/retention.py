from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fidelia.core.errors import DomainError
from fidelia.privacy.models import RetentionPolicy
from fidelia.privacy.retention import retention_run


class Command(BaseCommand):
    help = ("Apply the retention register (privacy → retention): for each policy, find the records kept "
            "longer than its duration, counted from its start event, and anonymise, archive or delete them. "
            "Dry run by default: it only counts; pass --apply to act. Each policy runs in its own "
            "transaction; every run is kept with its report. The same job runs daily under Celery beat.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="really act on the records (irreversible)")
        parser.add_argument("--policy", dest="keys", action="append", metavar="KEY",
                            help="only this policy (repeatable); default: the whole register")

    def handle(self, *args: Any, apply: bool, keys: list[str] | None, **opts: Any) -> None:
        total = len(keys) if keys else RetentionPolicy.objects.count()
        with tqdm(total=total, unit="policy", disable=None, file=self.stderr) as bar:
            try:
                run = retention_run(apply=apply, keys=keys, trigger="command", progress=lambda key: bar.update())
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(run.report)
        if not apply:
            self.stdout.write("Dry run: nothing was changed. Pass --apply to act.")
