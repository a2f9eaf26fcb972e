from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fidelia.actions.services import actions_refresh, runnable_rules
from fidelia.core.context import work_context
from fidelia.core.errors import ValidationFailed


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--date must be a date written YYYY-MM-DD, got {raw!r}.") from None


class Command(BaseCommand):
    help = ("Actions to take. `refresh`: the daily job. Expires open actions past their validity, wakes "
            "snoozed ones whose date has come, then runs every active automatic rule (or --rule KEY) for "
            "--date (default today) and proposes each matching customer's action to their owner. "
            "Idempotent: a re-run the same day (or period) creates no duplicate. --dry-run counts the "
            "matches and writes nothing. The same job runs daily under Celery beat "
            "(fidelia.actions.tasks.actions_refresh_task).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--date", dest="as_of", default=None, help="run as of this day (YYYY-MM-DD)")
        parser.add_argument("--rule", dest="rule", default=None, metavar="KEY", help="only the rule with this key")
        parser.add_argument("--dry-run", action="store_true", help="count the matches, write nothing")

    def handle(self, *args: Any, action: str, as_of: str | None, rule: str | None, dry_run: bool,
               **opts: Any) -> None:
        day = _date(as_of) if as_of else dt.date.today()
        try:
            total = len(runnable_rules(as_of=day, key=rule))
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        if rule and not total:
            raise CommandError(f"The rule {rule!r} is inactive, manual or not valid on {day}.")
        with work_context(channel="cli"), tqdm(total=total, unit="rule", disable=None, file=self.stderr) as bar:
            report = actions_refresh(as_of=day, rule_key=rule, dry_run=dry_run, progress=lambda _o: bar.update())
        for outcome in report.rules:
            self.stdout.write(f"{outcome.key}: {outcome.matched} customers matched, {outcome.created} actions "
                              f"created ({outcome.seconds:.2f} s)")
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(f"{day}: {report.created} actions created, {report.expired} {verb}, "
                          f"{report.woken} woken up, {report.seconds:.1f} s{' (dry run)' if dry_run else ''}.")
