"""What reaches the audit log without the domain apps calling it: logins, logouts, failed logins,
and every change to customer data (through the `ActivityEvent` each service writes)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save

from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction

CREATE_SUFFIXES = ("created", "added", "recorded", "logged")
UPDATE_SUFFIXES = ("updated", "changed")
DELETE_SUFFIXES = ("removed", "deleted")


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


def audit_action_for(activity: str) -> str:
    """The audit action of an activity such as `party.updated`: its verb decides create, update or
    delete; an unknown verb counts as an update (something changed, we do not know what)."""
    verb = activity.rpartition(".")[2]
    if verb in CREATE_SUFFIXES:
        return AuditAction.CREATE
    if verb in DELETE_SUFFIXES:
        return AuditAction.DELETE
    return AuditAction.UPDATE


def on_activity_event(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Mirror each new ActivityEvent as one audit entry, in the same transaction as the change.

    Only the *names* of the changed fields go to the audit log; old and new values stay in the
    change history (ActivityEvent), which erasure can anonymise while the audit chain cannot change.
    """
    if not created or raw:
        return
    changes = instance.changes if isinstance(instance.changes, dict) else {}
    audit_record(action=audit_action_for(instance.action), actor=instance.actor,
                 object_type=instance.object_type, object_id=instance.object_id,
                 party_id=instance.party_id, fields=sorted(str(k) for k in changes))


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="fidelia_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="fidelia_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="fidelia_audit_login_failed")
    post_save.connect(on_activity_event, sender="core.ActivityEvent", dispatch_uid="fidelia_audit_activity")
