"""The inbound SMTP listener (aiosmtpd): every message accepted at DATA goes through
`inbound.inbound_email_process` in a worker thread (the ORM is synchronous).

The listener answers 250 once the message is stored whatever its outcome (malformed and quarantined
messages are kept for audit); it refuses at the protocol level only what it must not store: more than
twice the inbound limit (552, the sender's server keeps the message and bounces it to the sender), or
a recipient outside the accepted domains when some are configured.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections, connections

from fidelia.service.inbound import Outcome, inbound_email_process

log = logging.getLogger(__name__)


def _process(raw: bytes, mail_from: str, rcpt: list[str]) -> Outcome:
    close_old_connections()
    try:
        return inbound_email_process(raw, mail_from=mail_from, recipients=rcpt)
    finally:
        connections.close_all()  # this worker thread's connections only; the next message opens its own


class InboundHandler:
    def __init__(self, *, domains: tuple[str, ...] = ()) -> None:
        self.domains = tuple(d.lower() for d in domains)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if self.domains and address.rpartition("@")[2].lower() not in self.domains:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook)
        raw = envelope.original_content or b""
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, _process, raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        except Exception:  # a database outage: ask the sender's server to retry later, nothing is lost
            log.exception("inbound e-mail could not be stored")
            return "451 4.3.0 Temporary failure, try again later"
        return f"250 2.0.0 Accepted ({outcome.outcome})"


def make_controller(*, host: str = "127.0.0.1", port: int, domains: tuple[str, ...] = ()) -> Controller:
    """A started-on-demand aiosmtpd controller; messages above twice the inbound limit are refused (552)."""
    return Controller(InboundHandler(domains=domains), hostname=host, port=port,
                      data_size_limit=2 * settings.FIDELIA_SERVICE_MAX_INBOUND_BYTES)
