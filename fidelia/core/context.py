"""What the current unit of work is: its request id and channel (web, api, cli, task).

Set once per request by `RequestContextMiddleware` (and by commands and tasks), read by the audit
log, so services need not pass the request down.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("fidelia_request_id", default="")
_channel: ContextVar[str] = ContextVar("fidelia_channel", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(proposed: str | None = None) -> str:
    """Keep a well-formed id from an upstream proxy, otherwise make one."""
    return proposed if proposed and _VALID_ID.match(proposed) else uuid.uuid4().hex


def current_request_id() -> str:
    return _request_id.get()


def current_channel() -> str:
    return _channel.get()


@contextmanager
def work_context(*, channel: str, request_id: str | None = None) -> Iterator[str]:
    """Run a block as one unit of work (a request, a command, a task)."""
    rid = new_request_id(request_id)
    tokens = (_request_id.set(rid), _channel.set(channel))
    try:
        yield rid
    finally:
        _request_id.reset(tokens[0])
        _channel.reset(tokens[1])
