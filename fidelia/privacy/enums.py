from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("sign-in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOCKED_OUT = "locked_out", _("account locked")
    LOGOUT = "logout", _("sign-out")
    CREATE = "create", _("creation")
    UPDATE = "update", _("change")
    DELETE = "delete", _("deletion")
    READ_SENSITIVE = "read_sensitive", _("sensitive read")
    ACCESS_DENIED = "access_denied", _("access refused")
    EXPORT = "export", _("export")
    ERASE = "erase", _("erasure")
    RETENTION = "retention", _("retention run")
    POLICY_CHANGE = "policy_change", _("retention policy change")
    REQUEST = "subject_request", _("data-subject request")
    TOKEN = "token", _("API token")
    SECURITY = "security", _("security setting")
