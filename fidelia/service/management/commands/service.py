from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fidelia.core.context import work_context


class Command(BaseCommand):
    help = ("Customer service. `mailserver`: run the inbound SMTP listener on --host/--port (default "
            "127.0.0.1:2525); each message becomes a case or joins one (threaded by the [CAS-…] reference "
            "or In-Reply-To), and every message is kept with its outcome. Point the MX or a forwarding "
            "rule of the service mailbox at it. `sla-check`: flag late cases and escalate them now (beat "
            "runs it every five minutes).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["mailserver", "sla-check"])
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2525, help="TCP port to listen on (default 2525)")
        parser.add_argument("--domain", dest="domains", action="append", default=[], metavar="DOMAIN",
                            help="accept only recipients of this domain (repeatable); default: any")

    def handle(self, *args: Any, action: str, host: str, port: int, domains: list[str], **opts: Any) -> None:
        if action == "sla-check":
            from fidelia.service.services import sla_check

            with work_context(channel="cli"):
                counts = sla_check()
            self.stdout.write(f"Late first responses: {counts['first_response']}, late resolutions: "
                              f"{counts['resolution']}, escalated: {counts['escalated']}.")
            return
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        from fidelia.service.listener import make_controller

        controller = make_controller(host=host, port=port, domains=tuple(domains))
        try:
            controller.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from None
        self.stdout.write(f"Inbound mail listener on {host}:{port} — Ctrl+C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
