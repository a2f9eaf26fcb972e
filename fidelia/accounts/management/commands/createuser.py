"""`fidelia createuser USERNAME --role ROLE [--team NAME] [--password VALUE|prompt]`."""
from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team
from fidelia.accounts.services import user_create
from fidelia.core.errors import ValidationFailed

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Create a login with a role (and a team for sales reps and managers). The password must pass "
        "the password policy; give it with --password, or --password prompt to type it unseen "
        "(the default when a terminal is attached). Nothing is created when any argument is invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values,
                            help="One of: " + ", ".join(Role.values) + ".")
        parser.add_argument("--team", default="", help="Name of an existing team / agency.")
        parser.add_argument("--password", default=None,
                            help="The password, or “prompt” to type it without echo.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        team = self._team(options["team"])
        if options["role"] in {Role.SALES_REP, Role.SALES_MANAGER} and team is None:
            raise CommandError(_("A sales rep or sales manager needs --team."), returncode=USAGE_ERROR)
        password = self._password(options["password"])
        try:
            user = user_create(username=options["username"], password=password, role=options["role"],
                               team=team, email=options["email"], first_name=options["first_name"],
                               last_name=options["last_name"])
        except ValidationFailed as exc:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip(), returncode=USAGE_ERROR) from None
        self.stdout.write(self.style.SUCCESS(
            _("Created %(username)s (%(role)s).") % {"username": user.username,
                                                     "role": ", ".join(filter(None, [user.get_role_display(), team and team.name]))}))

    def _team(self, name: str) -> Team | None:
        if not name.strip():
            return None
        team = Team.objects.filter(name__iexact=name.strip()).first()
        if team is None:
            known = ", ".join(Team.objects.values_list("name", flat=True)) or _("none yet")
            raise CommandError(_("Unknown team “%(name)s”. Known teams: %(known)s.") % {"name": name, "known": known},
                               returncode=USAGE_ERROR)
        return team

    def _password(self, value: str | None) -> str:
        if value is None and not sys.stdin.isatty():
            raise CommandError(_("Give --password VALUE, or --password prompt in a terminal."),
                               returncode=USAGE_ERROR)
        if value is None or value == "prompt":
            first = getpass.getpass(_("Password: "))
            if first != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("The passwords differ."), returncode=USAGE_ERROR)
            return first
        return value
