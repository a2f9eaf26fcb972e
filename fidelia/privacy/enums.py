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


class SubjectRequestKind(models.TextChoices):
    """The rights of GDPR arts. 15–21 a person may exercise."""

    ACCESS = "access", _("access")
    RECTIFICATION = "rectification", _("rectification")
    ERASURE = "erasure", _("erasure")
    RESTRICTION = "restriction", _("restriction of processing")
    PORTABILITY = "portability", _("portability")
    OBJECTION = "objection", _("objection")


class SubjectRequestStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    EXTENDED = "extended", _("extended")
    COMPLETED = "completed", _("completed")
    REFUSED = "refused", _("refused")


class SubjectRequestChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone")
    BRANCH = "branch", _("in branch")
    WEB = "web", _("web form")
    OTHER = "other", _("other")


class SubjectRequestAction(models.TextChoices):
    CREATED = "created", _("received")
    STARTED = "started", _("handling started")
    EXTENDED = "extended", _("deadline extended")
    COMPLETED = "completed", _("completed")
    REFUSED = "refused", _("refused")


class SuppressionKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
