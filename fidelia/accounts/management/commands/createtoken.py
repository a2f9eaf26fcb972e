"""`fidelia createtoken USERNAME --name NAME [--read-only] [--apps parties,sales]`: print a personal API token."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fidelia.accounts.models import User
from fidelia.accounts.services import api_token_create
from fidelia.core.errors import ValidationFailed

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Create a personal API token for an active user and print it on standard output, once: only "
        "its digest is stored. Use it as “Authorization: Bearer <token>”; revoke it from the API "
        "(DELETE /api/tokens/<id>) or the “My API tokens” page. --read-only refuses every change; "
        "--apps limits the token to some applications (labels, comma-separated); either only narrows "
        "what the user's role allows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. “ERP sync”.")
        parser.add_argument("--read-only", action="store_true", help="Refuse every change made with the token.")
        parser.add_argument("--apps", default="",
                            help="Comma-separated application labels the token may reach, e.g. parties,sales.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(_("No active user “%(username)s”.") % {"username": options["username"]},
                               returncode=USAGE_ERROR)
        try:
            _token, raw = api_token_create(user=user, name=options["name"], read_only=options["read_only"],
                                           apps=[a for a in options["apps"].split(",") if a.strip()])
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=USAGE_ERROR) from None
        self.stderr.write(_("Token “%(name)s” for %(username)s; it will not be shown again:")
                          % {"name": options["name"], "username": user.username})
        self.stdout.write(raw)
