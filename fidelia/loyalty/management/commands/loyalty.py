from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from fidelia.core.context import work_context
from fidelia.loyalty import selectors, services

STEPS = ["earn", "referrals", "expire", "tiers"]


class Command(BaseCommand):
    help = ("Loyalty points. `earn`: the daily run — earn the points of purchases since --since (default "
            "the last 7 days; a re-run earns nothing twice), reward referrals whose prospect became a customer, "
            "expire points older than the programme's validity, recompute tiers. `expire`: only the expiry "
            "and tiers. `show --party ID [--programme ID]`: a member's balance, tier and last entries (the first "
            "active programme's membership by default). Nothing is ever updated "
            "or deleted: every change is a new ledger entry. Runs daily under Celery beat "
            "(fidelia.loyalty.tasks.loyalty_daily_task).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["earn", "expire", "show"])
        parser.add_argument("--as-of", dest="as_of", default=None, help="reference date YYYY-MM-DD (default today)")
        parser.add_argument("--since", default=None, help="earn: purchases dated from YYYY-MM-DD (default 7 days back)")
        parser.add_argument("--party", type=int, default=None, help="show: the customer's id")
        parser.add_argument("--programme", type=int, default=None,
                            help="show: the programme's id (default: the first active programme's membership)")

    def handle(self, *args: Any, action: str, as_of: str | None, since: str | None, party: int | None,
               **opts: Any) -> None:
        today = self._date(as_of, "--as-of") or timezone.localdate()
        if action == "show":
            return self._show(party, opts.get("programme"))
        start = self._date(since, "--since")
        with work_context(channel="cli"):
            if action == "expire":
                expired = services.points_expire(today=today)
                changed = services.tiers_recompute(today=today)
                self.stdout.write(f"{expired} expiry entr(ies), {changed} tier change(s).")
                return None
            days = (today - start).days if start else 7
            if days < 0:
                raise CommandError("--since is after --as-of")
            with tqdm(total=len(STEPS), unit="step", disable=None, file=self.stderr) as bar:
                report = services.loyalty_daily(today=today, since_days=days,
                                                 progress=lambda label: (bar.set_description(label), bar.update()))
        self.stdout.write(json.dumps(vars(report)))
        return None

    def _date(self, raw: str | None, name: str) -> dt.date | None:
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"{name}: {raw!r} is not a date (YYYY-MM-DD)") from None

    def _show(self, party: int | None, programme: int | None = None) -> None:
        if party is None:
            raise CommandError("show needs --party ID")
        memberships = selectors.memberships_of_party(party)  # the default programme's first
        member = next((m for m in memberships if programme in (None, m.programme_id)), None)
        if member is None:
            raise CommandError(f"Customer {party} is not a loyalty member"
                               + (f" of programme {programme}." if programme else "."))
        self.stdout.write(json.dumps({
            "programme": member.programme.name, "programme_id": member.programme_id,
            "other_programmes": [m.programme.name for m in memberships if m.pk != member.pk],
            "referral_code": member.referral_code,
            "tier": member.tier.name if member.tier else None, "balance": services.balance_of(member.pk),
            "entries": [{"date": e.occurred_on.isoformat(), "kind": e.kind, "points": e.points, "label": e.label}
                        for e in selectors.ledger_of(member)]}, indent=2, ensure_ascii=False))
