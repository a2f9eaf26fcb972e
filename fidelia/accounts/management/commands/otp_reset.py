"""`fidelia otp_reset USERNAME [--apply]`: remove a user's authenticator app after a lost phone."""
from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fidelia.accounts.models import User
from fidelia.accounts.two_factor import two_factor_reset
from fidelia.core.context import work_context

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices when their phone is lost or replaced, after checking who "
        "asks (in person, or by a call back to a known number). Dry run unless --apply. The removal "
        "is recorded in the audit log with the operator's system login; administrators and the DPO "
        "must enrol a new authenticator at their next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--apply", action="store_true", help="Remove the devices (otherwise only count them).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user “%(username)s”.") % {"username": options["username"]},
                               returncode=USAGE_ERROR)
        count = TOTPDevice.objects.filter(user=user).count()
        if not options["apply"]:
            self.stdout.write(_("%(username)s has %(count)s two-factor device(s); run again with --apply to "
                                "remove them.") % {"username": user.username, "count": count})
            return
        with work_context(channel="cli"):
            removed = two_factor_reset(user=user, operator=f"cli:{getpass.getuser()}")
        self.stdout.write(_("Removed %(count)s two-factor device(s) of %(username)s.")
                          % {"count": removed, "username": user.username})
