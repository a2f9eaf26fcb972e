"""Account signal receivers: a sign-in lockout (django-axes) goes to the audit log; each sign-in
settles whether a second factor is needed."""
from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in

from fidelia.accounts import two_factor
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction


def on_locked_out(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    """A username + address pair was just locked. The username typed is kept (known or not:
    the log shows attacks on accounts); the address is not, the audit log holds no network data."""
    audit_record(action=AuditAction.LOCKED_OUT, actor_username=str(username or "")[:150], channel="web")


def connect() -> None:
    user_locked_out.connect(on_locked_out, dispatch_uid="fidelia_audit_locked_out")
    user_logged_in.connect(two_factor.on_logged_in, dispatch_uid="fidelia_second_factor_need")
