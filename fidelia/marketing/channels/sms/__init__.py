"""SMS channel through a gateway: `LocalGateway` (keeps messages in memory: tests and demo) or
`HttpGateway`, the adapter of an HTTP provider.

HTTP provider contract (documented in docs/marketing.md): POST `FIDELIA_MARKETING_SMS_HTTP_URL`
with `Authorization: Bearer <FIDELIA_MARKETING_SMS_HTTP_TOKEN>` and JSON
`{"from": sender, "to": "+336…", "text": "…", "reference": "<recipient id>"}`; a 2xx answer is
accepted, 4xx a permanent refusal (bounce), anything else retryable.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import ClassVar, Protocol

from django.conf import settings

from fidelia.marketing.channels import Delivery, OutboundMessage

STOP_SUFFIX = "STOP SMS"


class Gateway(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> Delivery: ...


class LocalGateway:
    """Accepts every well-formed number and keeps the message in `outbox` (per process)."""

    outbox: ClassVar[list[dict[str, str]]] = []

    def send(self, *, to: str, text: str, reference: str) -> Delivery:
        if not to.startswith("+") or not to[1:].isdigit():
            return Delivery(int(reference), False, bounced=True, error="invalid number")
        self.outbox.append({"to": to, "text": text, "reference": reference})
        return Delivery(int(reference), True)


class HttpGateway:
    def __init__(self, url: str, token: str, sender: str, timeout: float = 10.0) -> None:
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, *, to: str, text: str, reference: str) -> Delivery:
        body = json.dumps({"from": self.sender, "to": to, "text": text, "reference": reference}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310 (configured URL)
                return Delivery(int(reference), True)
        except urllib.error.HTTPError as exc:
            return Delivery(int(reference), False, bounced=400 <= exc.code < 500, error=f"HTTP {exc.code}")
        except OSError as exc:
            return Delivery(int(reference), False, error=str(exc)[:200])


def gateway() -> Gateway:
    if settings.FIDELIA_MARKETING_SMS_GATEWAY == "http":
        return HttpGateway(settings.FIDELIA_MARKETING_SMS_HTTP_URL, settings.FIDELIA_MARKETING_SMS_HTTP_TOKEN,
                           settings.FIDELIA_MARKETING_SMS_SENDER)
    return LocalGateway()


def deliver(messages: list[OutboundMessage]) -> list[Delivery]:
    """Each SMS ends with the STOP mention (the SMS equivalent of the unsubscribe link)."""
    gw = gateway()
    return [gw.send(to=m.address, text=f"{m.body}\n{STOP_SUFFIX}", reference=str(m.recipient_id)) for m in messages]
