"""Logins, failed logins and logouts go to the audit log."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction


def _channel(request: Any) -> str:
    return "api" if request is not None and request.path.startswith("/api/") else "web"


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, channel=_channel(request))


def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, channel=_channel(request))


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username typed is kept (to see attacks on an account); the password never is.
    audit_record(action=AuditAction.LOGIN_FAILED, actor_username=str(credentials.get("username", ""))[:150],
                 channel=_channel(request))


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="fidelia_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="fidelia_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="fidelia_audit_login_failed")
