"""Channel plug-ins: one package per kind (`email`, `sms`, `postal`, `phone`), each exposing
`deliver(messages) -> list[Delivery]` over `OutboundMessage`s already checked for consent and
pressure. `plugin(kind)` finds the module; adding a channel is adding a package."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


@dataclass
class OutboundMessage:
    recipient_id: int
    party_id: int
    address: str              # e-mail, E.164 number, or postal address lines
    subject: str
    body: str
    unsubscribe_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    recipient_id: int
    ok: bool
    bounced: bool = False     # permanent failure (address refused): no retry
    error: str = ""


def plugin(kind: str) -> ModuleType:
    return importlib.import_module(f"fidelia.marketing.channels.{kind}")
